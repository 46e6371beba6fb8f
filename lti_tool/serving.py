"""How Erbij meets the outside world in production: proxy headers, request ids, logs,
security headers.

- Behind a TLS proxy (ERBIJ_PROXIES = how many), ProxyFix makes request.is_secure and
  the client address right; HSTS is sent only over TLS.
- Every request has an id: the proxy's X-Request-ID when it is a plain token, else a new
  one; it is echoed in the response and stamped on every log line of that request.
- ERBIJ_LOG_FORMAT=json writes one JSON object per line (time, level, logger, message,
  request id): no personal data is logged in the first place, and values are escaped
  (input_safety).
- Content-Security-Policy allows nothing from other hosts, and `frame-ancestors` only the
  registered platforms' origins (hosted platforms under the issuer's parent domain, e.g.
  every *.instructure.com school): no other site may frame Erbij.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
BASE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; connect-src 'self'"
)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(app: Flask) -> None:
    """Root logging for a served app (not for tests or the debugger)."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config.get("ERBIJ_LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    app.logger.handlers[:] = []  # propagate to the root handler only: one line per message


def _origin(url: str | None) -> str | None:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def frame_ancestors(registrations) -> str:
    """The CSP frame-ancestors sources for these registrations (self first)."""
    sources = ["'self'"]
    for reg in registrations:
        for url in (reg.issuer, reg.auth_login_url):
            origin = _origin(url)
            if origin and origin not in sources:
                sources.append(origin)
        host = (urlsplit(reg.issuer or "").hostname or "").lower()
        labels = host.split(".")
        if len(labels) >= 3 and (reg.issuer or "").startswith("https://"):
            wildcard = "https://*." + ".".join(labels[1:])
            if wildcard not in sources:
                sources.append(wildcard)
    return " ".join(sources)


_ids = {"pid": 0, "prefix": "", "count": itertools.count(1)}


def _new_request_id() -> str:
    """A request id unique across processes and restarts, without a system call for
    randomness on every request: a random prefix per process, then a counter."""
    pid = os.getpid()
    if _ids["pid"] != pid:  # a new (forked) worker: a prefix of its own
        _ids.update(pid=pid, prefix=secrets.token_hex(6), count=itertools.count(1))
    return f"{_ids['prefix']}{next(_ids['count']):08x}"


def _shown_in() -> int | None:
    """The registration of the platform this response is shown in, when known: the launch's,
    or the one a login or a launch names (lti/login.py)."""
    launch = g.get("launch")
    return launch.registration_id if launch is not None else g.get("login_registration_id")


_STATIC_URLS_MAX = 1024


def _template_url_for(app: Flask):
    """Templates' `url_for`, which builds a static file's address once per script root (a
    page names three or four; each costs as much as a translated message)."""
    static_urls: dict[tuple[str, str], str] = {}
    build = app.url_for

    def url_for(endpoint: str, **values) -> str:
        if endpoint == "static" and len(values) == 1 and "filename" in values and has_request_context():
            key = (request.script_root, values["filename"])
            url = static_urls.get(key)
            if url is None:
                url = build(endpoint, **values)
                if len(static_urls) < _STATIC_URLS_MAX:
                    static_urls[key] = url
            return url
        return build(endpoint, **values)

    return url_for


def init_app(app: Flask) -> None:
    app.jinja_env.globals["url_for"] = _template_url_for(app)
    proxies = int(app.config.get("ERBIJ_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)

    @app.before_request
    def _request_id():
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _REQUEST_ID.match(given) else _new_request_id()

    @app.after_request
    def _headers(resp):
        from .lti.launch_cache import platform_origins

        headers = resp.headers
        headers["X-Request-ID"] = g.get("request_id", "")
        # What a view set itself stands; the rest is added in one go (one look at the
        # headers instead of one per header).
        present = {key.lower() for key in headers.keys()}
        missing = []
        if "content-security-policy" not in present:
            missing.append(("Content-Security-Policy", f"{BASE_CSP}; frame-ancestors {platform_origins(_shown_in())}"))
        if "x-content-type-options" not in present:
            missing.append(("X-Content-Type-Options", "nosniff"))
        if "referrer-policy" not in present:
            missing.append(("Referrer-Policy", "same-origin"))
        if request.is_secure and "strict-transport-security" not in present:
            missing.append(("Strict-Transport-Security", "max-age=31536000"))
        # Pages and data show a student's answers or a launch's content: never kept by a
        # browser or proxy. Static files and the public keys say their own caching.
        if request.endpoint != "static" and "cache-control" not in present:
            missing.append(("Cache-Control", "no-store"))
        for key, value in missing:
            headers.add(key, value)
        return resp
