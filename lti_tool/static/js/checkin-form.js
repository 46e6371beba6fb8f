// Progressive: the form works without this. After a failed submit, move focus to the
// summary of what still needs an answer, so keyboard and screen-reader users start there.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
})();
