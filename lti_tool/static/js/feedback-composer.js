// The composer, progressively enhanced: assemble the guided parts, insert comment-bank
// snippets at the cursor, save a selection as a snippet, and autosave the draft.
// Without JavaScript every one of these is a submit button the server handles.
(function () {
  "use strict";
  var form = document.getElementById("composer");
  if (!form) { return; }
  var text = document.getElementById("fb-text");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var lastField = text;

  function changed(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new CustomEvent("fb:changed", { bubbles: true }));
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    });
  }

  // ---------------------------------------------------------------- guided parts
  // Mirrors guide.assemble(): opener, acknowledgement and standard in one paragraph,
  // the steps in the next, the belief on its own.
  var GROUPS = [["opener", "acknowledgement", "standard"], ["next_steps"], ["belief"]];

  function partValues() {
    var values = {};
    form.querySelectorAll("[data-part]").forEach(function (ta) { values[ta.dataset.part] = ta.value.trim(); });
    return values;
  }

  function assemble(values) {
    return GROUPS.map(function (group) {
      return group.map(function (k) { return values[k] || ""; }).filter(Boolean).join(" ");
    }).filter(Boolean).join("\n\n");
  }

  form.querySelectorAll("[data-assemble]").forEach(function (button) {
    button.addEventListener("click", function (e) {
      e.preventDefault();
      var assembled = assemble(partValues());
      if (!assembled) { return; }
      var current = text.value.trim();
      if (current && current !== assembled && !window.confirm(button.dataset.confirm)) { return; }
      text.value = assembled;
      changed(text);
      text.focus();
    });
  });

  // ---------------------------------------------------------------- comment bank
  form.addEventListener("focusin", function (e) {
    if (e.target.tagName === "TEXTAREA" && (e.target === text || e.target.dataset.part)) { lastField = e.target; }
  });

  function insertAtCursor(field, snippet) {
    var start = field.selectionStart, end = field.selectionEnd, value = field.value;
    if (typeof start !== "number") { start = end = value.length; }
    var before = value.slice(0, start), after = value.slice(end);
    var pad = before && !/\s$/.test(before) ? " " : "";
    var padAfter = after && !/^\s/.test(after) ? " " : "";
    field.value = before + pad + snippet + padAfter + after;
    var caret = (before + pad + snippet).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    changed(field);
  }

  function bindInsert(button) {
    button.addEventListener("click", function (e) {
      e.preventDefault();
      insertAtCursor(lastField || text, button.dataset.insert);
    });
  }
  document.querySelectorAll("button[data-insert]").forEach(bindInsert);

  var newSnippet = document.getElementById("fb-new-snippet");
  var snippetBody = document.getElementById("snippet-body");
  var snippetTitle = document.getElementById("snippet-title");
  var fromSelection = document.querySelector("[data-from-selection]");
  var snippetStatus = document.querySelector(".fb-snippet-status");

  if (fromSelection && newSnippet) {
    fromSelection.hidden = false;
    // Clicking the button moves focus away; remember the selection while it exists.
    var selected = "";
    document.addEventListener("selectionchange", function () {
      var f = document.activeElement;
      if (f && f.tagName === "TEXTAREA" && (f === text || f.dataset.part)) {
        selected = f.value.slice(f.selectionStart, f.selectionEnd).trim();
      }
    });
    fromSelection.addEventListener("click", function () {
      if (!selected) {
        if (snippetStatus) { snippetStatus.textContent = fromSelection.dataset.nothingSelected; }
        newSnippet.open = true;
        return;
      }
      newSnippet.open = true;
      snippetBody.value = selected;
      if (snippetStatus) { snippetStatus.textContent = ""; }
      snippetTitle.focus();
    });
  }

  var saveSnippet = document.querySelector("[data-snippet-save]");
  var snippets = document.getElementById("fb-snippets");
  if (saveSnippet && snippets) {
    saveSnippet.addEventListener("click", function (e) {
      e.preventDefault();
      var shared = document.querySelector('input[name="snippet_shared"]');
      postJSON(saveSnippet.dataset.bankUrl, {
        title: snippetTitle.value, body: snippetBody.value, shared: !!(shared && shared.checked),
        student_id: form.dataset.studentId
      }).then(function (resp) {
        return resp.json().catch(function () { return { ok: false, errors: {} }; });
      }).then(function (data) {
        if (!data.ok) {
          snippetStatus.textContent = (data.errors && data.errors.body) || form.dataset.saveFailed;
          return;
        }
        var s = data.snippet;
        var empty = snippets.querySelector(".fb-snippets-empty");
        if (empty) { empty.remove(); }
        var li = document.createElement("li");
        li.className = "fb-snippet";
        var title = document.createElement("p");
        title.className = "fb-snippet-title";
        title.textContent = s.title;
        if (s.shared) {
          var badge = document.createElement("span");
          badge.className = "badge badge-muted";
          badge.textContent = snippets.dataset.sharedLabel;
          title.appendChild(document.createTextNode(" "));
          title.appendChild(badge);
        }
        var body = document.createElement("p");
        body.className = "fb-snippet-body";
        body.textContent = s.filled;
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button-small button-secondary";
        button.dataset.insert = s.filled;
        button.textContent = snippets.dataset.insertLabel;
        bindInsert(button);
        li.appendChild(title);
        li.appendChild(body);
        li.appendChild(button);
        snippets.appendChild(li);
        snippetTitle.value = "";
        snippetBody.value = "";
        if (shared) { shared.checked = false; }
        snippetStatus.textContent = data.message;
      }).catch(function () { snippetStatus.textContent = form.dataset.saveFailed; });
    });
  }

  // ---------------------------------------------------------------- autosave
  var url = form.dataset.autosaveUrl;
  if (!url) { return; }
  var revision = form.querySelector("[data-revision]");
  var score = document.getElementById("fb-score");
  var scoreError = document.getElementById("fb-score-error");
  var status = document.getElementById("fb-save-status");
  var conflict = document.getElementById("fb-conflict");
  var timer = null, inflight = null, dirty = false, submitting = false;

  function payload() {
    var question = document.getElementById("fb-question");
    return { parts: partValues(), question: question ? question.value : "", text: text.value, score: score ? score.value : "", revision: revision.value };
  }

  function showStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("is-error", !!isError);
  }

  function showConflict(c) {
    document.getElementById("fb-conflict-message").textContent = c.message;
    document.getElementById("fb-conflict-text").value = c.text;
    var sc = document.getElementById("fb-conflict-score");
    if (sc) { sc.textContent = c.score; }
    conflict.hidden = false;
  }

  function save() {
    clearTimeout(timer);
    if (inflight) { dirty = true; return inflight; }
    dirty = false;
    showStatus(form.dataset.saving, false);
    inflight = postJSON(url, payload()).then(function (resp) {
      if (!resp.ok) { throw new Error("autosave " + resp.status); }
      return resp.json();
    }).then(function (data) {
      revision.value = data.revision;
      if (data.message) { showStatus(data.message, false); }
      if (scoreError) {
        scoreError.textContent = (data.errors && data.errors.score) || "";
        scoreError.hidden = !(data.errors && data.errors.score);
        score.setAttribute("aria-invalid", data.errors && data.errors.score ? "true" : "false");
      }
      if (data.conflict) { showConflict(data.conflict); }
    }).catch(function () {
      dirty = true;
      showStatus(form.dataset.saveFailed, true);
      timer = setTimeout(save, 5000);
    }).then(function () {
      inflight = null;
      if (dirty && !submitting) { schedule(); }
    });
    return inflight;
  }

  function schedule() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, 1200);
  }

  form.querySelectorAll("[data-part], #fb-question, #fb-text, #fb-score").forEach(function (field) {
    field.addEventListener("input", schedule);
  });

  // A submit must not race an autosave: it would carry the old revision and look like
  // another tab. Wait for the save in flight, then submit with the new revision.
  form.addEventListener("submit", function (e) {
    clearTimeout(timer);
    if (inflight) {
      e.preventDefault();
      var submitter = e.submitter;
      inflight.then(function () {
        submitting = true;
        if (form.requestSubmit) { form.requestSubmit(submitter || undefined); } else { form.submit(); }
      });
      return;
    }
    submitting = true;
  });

  // Leaving with unsaved typing (closing the tab, following a link): one last save.
  window.addEventListener("pagehide", function () {
    if (!dirty || submitting) { return; }
    try {
      fetch(url, {
        method: "POST", keepalive: true, credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(payload())
      });
    } catch (e) { /* best effort */ }
  });
})();
