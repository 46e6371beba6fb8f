// LTI Platform Storage (LTI Client Side postMessage), the tool side.
// Login: put a browser-bound secret into the platform's storage, then go to the LMS.
// Launch: read it back and post it with the id_token. Any failure falls back to the
// cookie path, which offers a new window when cookies are blocked too.
(function () {
  "use strict";
  var el = document.getElementById("lti-storage");
  if (!el) { return; }
  var d = el.dataset;
  var TIMEOUT = 2500;

  function targetWindow(name) {
    if (!window.parent || window.parent === window) { return null; }
    if (!name || name === "_parent") { return window.parent; }
    try { return window.parent.frames[name] || window.parent; } catch (e) { return window.parent; }
  }

  function send(subject, payload) {
    return new Promise(function (resolve, reject) {
      var target = targetWindow(d.target);
      if (!target) { reject(new Error("no parent window")); return; }
      var id = subject + "-" + Math.random().toString(36).slice(2);
      var timer = setTimeout(function () { cleanup(); reject(new Error("timeout")); }, TIMEOUT);
      function onMessage(event) {
        if (event.origin !== d.origin) { return; }
        var m = event.data || {};
        if (m.message_id !== id || m.subject !== subject + ".response") { return; }
        cleanup();
        if (m.error) { reject(new Error(m.error.code || "error")); } else { resolve(m); }
      }
      function cleanup() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      window.addEventListener("message", onMessage);
      var msg = Object.assign({ subject: subject, message_id: id }, payload || {});
      target.postMessage(msg, d.origin);
    });
  }

  function supports(subject) {
    return send("lti.capabilities").then(function (m) {
      var list = m.supported_messages || [];
      if (!list.some(function (s) { return s.subject === subject; })) { throw new Error("unsupported"); }
    });
  }

  if (d.mode === "put") {
    supports("lti.put_data")
      .then(function () { return send("lti.put_data", { key: d.key, value: d.value }); })
      .then(function () { window.location.replace(d.next); })
      .catch(function () { window.location.replace(d.fallback); });
  } else if (d.mode === "get") {
    var form = document.getElementById("lti-storage-form");
    supports("lti.get_data")
      .then(function () { return send("lti.get_data", { key: d.key }); })
      .then(function (m) { form.elements.storage_secret.value = m.value || ""; })
      .catch(function () { form.elements.storage_secret.value = ""; })
      .then(function () { form.submit(); });
  }
})();
