// Submits the launch forms of the demo LMS as soon as the page loads: the login
// initiation towards the tool, and the /auth answer that posts the id_token. Every such
// form also has a visible button, so launching works without JavaScript too.
(function () {
  "use strict";

  function submitAll() {
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      var button = form.querySelector("[data-relaunch-label]");
      if (button) {
        // The form stays visible to restart the tool; say so once it has started.
        button.textContent = button.getAttribute("data-relaunch-label");
      }
      form.submit();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", submitAll);
  } else {
    submitAll();
  }
})();
