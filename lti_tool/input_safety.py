"""Hostile input handled once, for every endpoint: JSON, form text and log lines.

- JSON bodies nested deeper than MAX_JSON_DEPTH, or that Python's parser cannot
  handle (recursion), are a 400 — never a 500.
- NUL characters are removed from every form value and JSON string before a view
  sees them: PostgreSQL refuses them in text columns, which used to lose a save.
- Values put into log lines (claims, paths, reasons) cannot start a new line and are
  length-capped, so nobody can forge log entries through a launch.
"""

from __future__ import annotations

import json
import logging

from flask import Request
from flask.json.provider import DefaultJSONProvider
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

MAX_JSON_DEPTH = 64
LOG_VALUE_MAX = 300


def _strip_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) and "\x00" in value else value


def _json_depth_ok(text: str, limit: int) -> bool:
    """Cheap pre-scan: bracket depth outside strings never exceeds `limit`."""
    if text.count("[") + text.count("{") <= limit:
        return True  # fewer brackets than the limit (every session cookie): nothing to walk
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def _clean(obj):
    if isinstance(obj, str):
        return _strip_nul(obj)
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, dict):
        return {_strip_nul(k): _clean(v) for k, v in obj.items()}
    return obj


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing absurd nesting (ValueError → Flask answers 400) and NULs."""

    def loads(self, s, **kwargs):
        text = s.decode("utf-8", "replace") if isinstance(s, bytes | bytearray) else s
        if not _json_depth_ok(text, MAX_JSON_DEPTH):
            raise ValueError("JSON nested too deeply")
        try:
            return _clean(json.loads(text, **kwargs))
        except RecursionError as exc:  # belt and braces: the pre-scan should catch it
            raise ValueError("JSON nested too deeply") from exc


class SafeRequest(Request):
    """Form values arrive without NUL characters, whatever the view does next."""

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any("\x00" in v for vs in form.listvalues() for v in vs):
            cleaned = MultiDict()
            for key, values in form.lists():
                for v in values:
                    cleaned.add(_strip_nul(key), _strip_nul(v))
            self.__dict__["form"] = ImmutableMultiDict(cleaned)


def log_safe(value, limit: int = LOG_VALUE_MAX) -> str:
    """A value for a log line: one line, printable, at most `limit` characters."""
    text = value if isinstance(value, str) else str(value)
    text = text.encode("unicode_escape", "backslashreplace").decode("ascii", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


class SafeLogArgs(logging.Filter):
    """Escapes CR/LF and control characters in a record's arguments; caps their length."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(log_safe(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: log_safe(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def init_app(app) -> None:
    app.request_class = SafeRequest
    app.json = SafeJSONProvider(app)
    # app.logger is one logger per process ("lti_tool"), shared by every app made in it:
    # one filter, or values would be escaped twice.
    if not any(isinstance(f, SafeLogArgs) for f in app.logger.filters):
        app.logger.addFilter(SafeLogArgs())
