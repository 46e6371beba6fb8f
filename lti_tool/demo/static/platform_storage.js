// LTI Platform Storage, platform side (1EdTech LTI Client Side postMessages).
//
// The course page that hosts the tool's iframe answers lti.capabilities, lti.put_data and
// lti.get_data. Values live in memory for the life of this page, keyed by the sender's
// origin and the key, so one tool can never read another's values. The server includes
// this file only when "LTI Platform Storage" is on; when it is off nothing listens, and
// the launch does not send lti_storage_target (like Moodle).
(function () {
  "use strict";

  var frame = document.querySelector("iframe[data-lti-platform-storage]");
  if (!frame) {
    return;
  }

  var values = new Map();
  var SUPPORTED = [
    { subject: "lti.capabilities" },
    { subject: "lti.get_data" },
    { subject: "lti.put_data" }
  ];

  function storageKey(origin, key) {
    return origin + "\u0000" + key;
  }

  function reply(event, body) {
    var message = { subject: event.data.subject + ".response" };
    if (event.data.message_id !== undefined) {
      message.message_id = event.data.message_id;
    }
    Object.keys(body).forEach(function (name) {
      message[name] = body[name];
    });
    event.source.postMessage(message, event.origin);
  }

  function failure(code, text, extra) {
    var body = extra || {};
    body.error = { code: code, message: text };
    return body;
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.subject !== "string") {
      return;
    }
    // Only requests: our own answers (and other frameworks' messages) are not for us.
    if (data.subject.indexOf("lti.") !== 0 || /\.response$/.test(data.subject)) {
      return;
    }
    if (!event.source || event.source === window) {
      return;
    }
    var key = typeof data.key === "string" && data.key !== "" ? data.key : null;

    switch (data.subject) {
      case "lti.capabilities":
        reply(event, { supported_messages: SUPPORTED });
        break;
      case "lti.put_data":
        if (!key) {
          reply(event, failure("bad_request", "A key is required."));
        } else if (typeof data.value !== "string") {
          reply(event, failure("bad_request", "The value must be a string.", { key: key }));
        } else {
          values.set(storageKey(event.origin, key), data.value);
          reply(event, { key: key, value: data.value });
        }
        break;
      case "lti.get_data":
        if (!key) {
          reply(event, failure("bad_request", "A key is required."));
        } else if (!values.has(storageKey(event.origin, key))) {
          reply(event, failure("bad_request", "No value is stored for this key.", { key: key }));
        } else {
          reply(event, { key: key, value: values.get(storageKey(event.origin, key)) });
        }
        break;
      default:
        reply(event, failure("unsupported_subject", data.subject + " is not supported."));
    }
  });
})();
