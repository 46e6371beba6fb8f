// The launch answered its POST with this page: give the page its own address, so that a
// reload or the back button asks for the page and never posts the launch again.
(function () {
  var meta = document.querySelector('meta[name="erbij-page-url"]');
  if (meta && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", meta.getAttribute("content"));
  }
})();
