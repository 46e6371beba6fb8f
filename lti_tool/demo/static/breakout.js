// After a Deep Linking response the LMS page is shown inside the tool's iframe. Send the
// whole window back to the course (the iframe is same-origin with the LMS page by now).
// Without JavaScript, the link on the page does the same (target="_top").
(function () {
  "use strict";
  var link = document.querySelector("a[data-breakout]");
  if (!link) {
    return;
  }
  try {
    window.top.location.href = link.href;
  } catch (err) {
    window.location.href = link.href;
  }
})();
