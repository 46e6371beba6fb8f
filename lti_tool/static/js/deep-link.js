// The maximum score only matters for a feedback column: show it only then (without JS it stays visible).
(function () {
  "use strict";
  var field = document.getElementById("maximum-field");
  var radios = document.querySelectorAll('input[name="activity"]');
  if (!field || !radios.length) { return; }
  function update() {
    var chosen = document.querySelector('input[name="activity"]:checked');
    field.hidden = !chosen || chosen.value !== "feedback";
  }
  radios.forEach(function (r) { r.addEventListener("change", update); });
  update();
})();
