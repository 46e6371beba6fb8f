// Dynamic registration: when the tool in the frame says org.imsglobal.lti.close, the LMS
// closes the frame and shows the installed tool. Only the tool's own origin is listened to.
(function () {
  var section = document.querySelector(".registration-frame");
  if (!section) return;
  var origin = section.getAttribute("data-tool-origin");
  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.subject !== "org.imsglobal.lti.close") return;
    section.remove();
    window.location.assign(section.getAttribute("data-done-url"));
  });
})();
