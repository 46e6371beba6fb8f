"""Outgoing HTTP to platforms, and the one policy for where it may go.

Every call Erbij makes (token, NRPS, AGS, rel="next" pages, the platform's key set,
dynamic registration) goes through a `guarded_session`:

- the URL must pass the caller's rule — for a registration, `is_platform_url`: a host
  of the registration (issuer, login, token or key set URL) or, over https, a host under
  the issuer's parent domain (hosted Canvas schools);
- https only; http and loopback only when ERBIJ_ALLOW_LOOPBACK=1 (the demo and tests);
- the name must resolve to public addresses only: private, link-local, loopback and
  reserved addresses are refused (unless ERBIJ_ALLOW_LOOPBACK=1);
- redirects are followed by hand, at most three, and each hop passes the same rule;
- the body is read up to ERBIJ_MAX_RESPONSE_BYTES, then refused;
- every request has a timeout and our User-Agent (Canvas refuses requests without one).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app

USER_AGENT = "Erbij-LTI/1.0"
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
MAX_REDIRECTS = 3


class OutboundRefused(requests.RequestException):
    """Erbij will not send this request: the URL or its answer breaks the outbound policy."""


class ResponseTooLarge(OutboundRefused):
    """The answer is over ERBIJ_MAX_RESPONSE_BYTES (the request itself was allowed)."""


def loopback_allowed() -> bool:
    """http and loopback platforms: only for the demo and the tests (ERBIJ_ALLOW_LOOPBACK=1)."""
    configured = current_app.config.get("ERBIJ_ALLOW_LOOPBACK")
    if configured is None:
        configured = os.environ.get("ERBIJ_ALLOW_LOOPBACK") == "1"
    return bool(configured)


def _url_shape_ok(url) -> bool:
    return isinstance(url, str) and len(url) <= 2000 and not any(ch in url for ch in "\r\n\t ")


def is_platform_url(url, registration) -> bool:
    """True for an http(s) URL on the platform's host: a host of the registration (issuer,
    login, token or key set URL, same scheme and port), or, over https, a host under the
    issuer's parent domain (every hosted Canvas school under canvas.instructure.com's
    instructure.com). http only for a loopback platform when ERBIJ_ALLOW_LOOPBACK=1 or in
    tests (TESTING)."""
    if not _url_shape_ok(url):
        return False
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return False
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        return False
    if parts.scheme == "http" and not (host in LOOPBACK_HOSTS and (loopback_allowed() or current_app.config.get("TESTING"))):
        return False
    known = []
    for value in (registration.issuer, registration.auth_login_url, registration.auth_token_url, registration.key_set_url):
        try:
            p = urlsplit(value or "")
            known.append((p.scheme, (p.hostname or "").lower(), p.port))
        except ValueError:
            continue
    if (parts.scheme, host, port) in known:
        return True
    issuer_host = urlsplit(registration.issuer or "").hostname or ""
    labels = issuer_host.lower().split(".")
    if parts.scheme == "https" and port in (None, 443) and len(labels) >= 3:
        parent = ".".join(labels[1:])
        return host.endswith("." + parent)
    return False


def same_origin_as(origin_url: str) -> Callable[[str], bool]:
    """A rule for a session that may only talk to one origin (scheme, host and port)."""

    def key(url: str):
        p = urlsplit(url)
        return p.scheme, (p.hostname or "").lower(), p.port

    try:
        expected = key(origin_url)
    except ValueError:
        expected = None

    def allowed(url: str) -> bool:
        if not _url_shape_ok(url):
            return False
        try:
            parts = urlsplit(url)
            got = key(url)
        except ValueError:
            return False
        if parts.scheme not in ("https", "http") or parts.username or parts.password or got != expected:
            return False
        return parts.scheme == "https" or (got[1] in LOOPBACK_HOSTS and loopback_allowed())

    return allowed


def _public_host(host: str, port: int) -> bool:
    """Every address the name resolves to is a public one."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return False
    return bool(infos)


class _GuardedSession(requests.Session):
    def __init__(self, timeout: float, allowed: Callable[[str], bool], max_bytes: int, check_addresses: bool):
        super().__init__()
        self._timeout = timeout
        self._allowed = allowed
        self._max_bytes = max_bytes
        self._check_addresses = check_addresses
        self.headers["User-Agent"] = USER_AGENT
        self.trust_env = False  # no proxy settings or .netrc credentials from the environment

    def _check(self, url: str) -> None:
        if not self._allowed(url):
            raise OutboundRefused(f"not an allowed platform URL: {url[:200]}")
        if self._check_addresses:
            parts = urlsplit(url)
            if not _public_host(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)):
                raise OutboundRefused(f"host does not resolve to public addresses only: {parts.hostname}")

    def request(self, method, url, **kwargs):  # noqa: D102 - requests' own signature
        kwargs.setdefault("timeout", self._timeout)
        kwargs["allow_redirects"] = False
        kwargs["stream"] = True
        for hop in range(MAX_REDIRECTS + 1):
            self._check(url)
            resp = super().request(method, url, **kwargs)
            location = resp.headers.get("Location")
            if not (resp.is_redirect and location) or hop == MAX_REDIRECTS:
                break
            resp.close()
            url = urljoin(url, location)
            if resp.status_code in (301, 302, 303) and method.upper() not in ("GET", "HEAD"):
                method = "GET"
                kwargs.pop("data", None)
                kwargs.pop("json", None)
        self._read_capped(resp)
        return resp

    def _read_capped(self, resp: requests.Response) -> None:
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self._max_bytes:
            resp.close()
            raise ResponseTooLarge(f"response of {declared} bytes is over the limit")
        chunks, size = [], 0
        for chunk in resp.iter_content(64 * 1024):
            size += len(chunk)
            if size > self._max_bytes:
                resp.close()
                raise ResponseTooLarge(f"response over {self._max_bytes} bytes")
            chunks.append(chunk)
        resp._content = b"".join(chunks)
        resp._content_consumed = True


def guarded_session(allowed: Callable[[str], bool]) -> requests.Session:
    """A session that sends only to URLs `allowed` accepts, under the policy above."""
    cfg = current_app.config
    return _GuardedSession(
        cfg["ERBIJ_HTTP_TIMEOUT"],
        allowed,
        int(cfg.get("ERBIJ_MAX_RESPONSE_BYTES") or 2 * 1024 * 1024),
        check_addresses=not loopback_allowed(),
    )


def platform_session(registration) -> requests.Session:
    """A session for one registration's services and keys: only to that platform's hosts."""
    return guarded_session(lambda url: is_platform_url(url, registration))
