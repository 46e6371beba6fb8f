// Submit forms marked data-autosubmit (LTI form posts); the visible button is the no-JS path.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) { form.submit(); });
