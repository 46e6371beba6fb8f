// Copy buttons: put a textarea's text on the clipboard, with a visible confirmation.
// navigator.clipboard needs a secure context and may be refused inside an LMS iframe,
// so the fallback selects the text and uses the older copy command.
(function () {
  "use strict";

  function fallbackCopy(el) {
    var ta = el;
    var temp = null;
    if (!ta || typeof ta.select !== "function") {
      temp = document.createElement("textarea");
      temp.value = el ? (el.value || el.textContent || "") : "";
      temp.setAttribute("readonly", "");
      temp.className = "visually-hidden";
      document.body.appendChild(temp);
      ta = temp;
    }
    var wasReadOnly = ta.readOnly;
    ta.readOnly = false;
    ta.focus();
    ta.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    ta.readOnly = wasReadOnly;
    if (temp) { temp.remove(); }
    return ok;
  }

  function copy(el) {
    var text = el.value !== undefined ? el.value : el.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(function () { return true; }, function () { return fallbackCopy(el); });
    }
    return Promise.resolve(fallbackCopy(el));
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var status = button.parentElement.querySelector(".fb-copy-status");
    var timer = null;
    button.hidden = false;  // only useful with JavaScript
    button.addEventListener("click", function () {
      var target = document.getElementById(button.dataset.copy);
      if (!target) { return; }
      copy(target).then(function (ok) {
        if (!status) { return; }
        status.textContent = ok ? button.dataset.copied : button.dataset.copyFailed;
        clearTimeout(timer);
        timer = setTimeout(function () { status.textContent = ""; }, 4000);
      });
    });
  });
})();
