// Live coaching: as the teacher types, ask the server's coach (the same rules as the
// page rendered without JavaScript) and redraw the findings and the highlighted text.
// Everything from the server is inserted with textContent: never as HTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-coach-url]");
  var source = form && form.querySelector("[data-coach-source]");
  var panel = document.getElementById("coach");
  if (!form || !source || !panel) { return; }
  var list = document.getElementById("coach-findings");
  var preview = document.getElementById("coach-preview");
  var summary = document.getElementById("coach-summary");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var timer = null;
  var seq = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderFindings(findings) {
    list.textContent = "";
    findings.forEach(function (f) {
      var li = el("li", "fb-finding fb-sev-" + f.severity);
      var head = el("p", "fb-finding-head");
      var sev = el("span", "fb-sev");
      var icon = el("span", "fb-sev-icon", f.icon);
      icon.setAttribute("aria-hidden", "true");
      sev.appendChild(icon);
      sev.appendChild(document.createTextNode(" " + f.severity_label));
      head.appendChild(sev);
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "fb-rule", f.rule));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(el("span", "fb-rule-name", f.rule_name));
      li.appendChild(head);
      if (f.quote) {
        var q = el("p", "fb-quote");
        q.appendChild(el("span", "visually-hidden", panel.dataset.labelQuote + ": "));
        q.appendChild(document.createTextNode("\u201c"));
        q.appendChild(el("mark", "", f.quote));
        q.appendChild(document.createTextNode("\u201d"));
        li.appendChild(q);
      }
      li.appendChild(el("p", "fb-message", f.message));
      var s = el("p", "fb-suggest");
      s.appendChild(el("strong", "", panel.dataset.labelTry + ":"));
      s.appendChild(document.createTextNode(" " + f.suggestion));
      li.appendChild(s);
      list.appendChild(li);
    });
  }

  function renderPreview(segments) {
    preview.textContent = "";
    if (!segments.length) {
      preview.appendChild(el("span", "muted", preview.dataset.empty));
      return;
    }
    segments.forEach(function (seg) {
      if (!seg.rules.length) {
        preview.appendChild(document.createTextNode(seg.text));
        return;
      }
      var m = el("mark", "fb-mark", seg.text);
      m.dataset.rules = seg.rules.join(" ");
      preview.appendChild(m);
      preview.appendChild(el("sup", "fb-mark-rule", seg.rules.join(", ")));
    });
  }

  function check() {
    var mine = ++seq;
    var body = { text: source.value };
    if (form.dataset.studentId) { body.student_id = form.dataset.studentId; }
    fetch(form.dataset.coachUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (resp) {
      if (!resp.ok) { throw new Error("coach " + resp.status); }
      return resp.json();
    }).then(function (data) {
      if (mine !== seq) { return; }  // an older answer arriving late
      summary.textContent = data.summary;
      renderFindings(data.findings);
      renderPreview(data.segments);
    }).catch(function () { /* the coach is advice: on failure the last findings stay */ });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 600);
  }

  source.addEventListener("input", schedule);
  // The composer script announces text it changed itself (assemble, insert a snippet).
  source.addEventListener("fb:changed", schedule);
})();
