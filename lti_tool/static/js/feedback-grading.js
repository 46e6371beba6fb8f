// Grading list: live search (the GET form works without this) and keyboard navigation.
(function () {
  "use strict";
  var list = document.getElementById("fb-students");
  var search = document.getElementById("fb-q");
  if (!list) { return; }
  var items = Array.prototype.slice.call(list.querySelectorAll(".fb-student"));
  var count = document.getElementById("fb-count");
  var none = document.getElementById("fb-none-match");

  // Same folding as roster.fold(): lower case, accents removed ("zoe" finds "Zoë").
  function fold(s) {
    return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function visibleLinks() {
    return items.filter(function (li) { return !li.hidden; }).map(function (li) {
      return li.querySelector(".fb-student-link");
    });
  }

  function filter() {
    var q = fold(search.value.trim());
    var shown = 0;
    items.forEach(function (li) {
      var match = !q || li.dataset.name.indexOf(q) !== -1;
      li.hidden = !match;
      if (match) { shown += 1; }
    });
    if (none) { none.hidden = shown !== 0; }
    if (count) {
      count.textContent = q ? count.dataset.template.replace("{shown}", shown).replace("{total}", items.length) : "";
    }
  }

  if (search) {
    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") {
        var links = visibleLinks();
        if (links.length) { e.preventDefault(); links[0].focus(); }
      }
    });
  }

  list.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp" && e.key !== "Home" && e.key !== "End") { return; }
    var links = visibleLinks();
    var i = links.indexOf(document.activeElement);
    if (i === -1) { return; }
    e.preventDefault();
    var next = { ArrowDown: Math.min(i + 1, links.length - 1), ArrowUp: i - 1, Home: 0, End: links.length - 1 }[e.key];
    if (next < 0 && search) { search.focus(); return; }
    links[Math.max(next, 0)].focus();
  });

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable);
    if (e.key === "/" && !typing && search && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      search.focus();
      search.select();
    }
  });

  if (search && search.value) { filter(); }
})();
