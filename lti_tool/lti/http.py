"""Outgoing HTTP to platforms: one requests session with our User-Agent and timeouts.

Canvas refuses requests without a User-Agent; a platform that hangs must not hang us.
"""

from __future__ import annotations

import requests
from flask import current_app

USER_AGENT = "Erbij-LTI/1.0"


class _TimeoutSession(requests.Session):
    def __init__(self, timeout: float):
        super().__init__()
        self._timeout = timeout
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):  # noqa: D102 - requests' own signature
        kwargs.setdefault("timeout", self._timeout)
        return super().request(method, url, **kwargs)


def http_session() -> requests.Session:
    """A session whose every request has a timeout and our User-Agent."""
    return _TimeoutSession(current_app.config["ERBIJ_HTTP_TIMEOUT"])
