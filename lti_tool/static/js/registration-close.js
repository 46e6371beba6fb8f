// The end of LTI Dynamic Registration: tell the LMS that opened this page to close it.
// The LMS's frame (Canvas, Moodle) is window.parent; a tab it opened (Brightspace) has an opener.
(function () {
  var button = document.querySelector("[data-registration-close]");
  if (!button) return;
  button.addEventListener("click", function () {
    var message = { subject: "org.imsglobal.lti.close" };
    if (window.opener && window.opener !== window) {
      window.opener.postMessage(message, "*");
    }
    if (window.parent !== window) {
      window.parent.postMessage(message, "*");
    }
    button.setAttribute("aria-disabled", "true");
    var done = document.querySelector("[data-registration-closed]");
    if (done) done.hidden = false;
  });
})();
