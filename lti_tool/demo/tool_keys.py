"""The tool's public keys, as the LMS sees them: fetched from the tool's JWKS URL.

Used to verify what the tool signs: the Deep Linking response and the client assertion
of the token endpoint. Like a real platform, keys are cached and the JWKS is fetched again
once when a token names a kid we have not seen (the tool may have rotated its key).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import jwt
import requests

JwksFetch = Callable[[str], dict[str, Any]]

# Tokens from the tool are checked with a little leeway for clock skew between processes.
CLOCK_LEEWAY_SECONDS = 10


class ToolJwtError(Exception):
    """The tool's JWT could not be verified; the message says why, for the error page."""


def fetch_jwks_over_http(url: str) -> dict[str, Any]:
    """Default JWKS fetch: a plain GET with a timeout (a hung tool must not hang the LMS)."""
    response = requests.get(
        url,
        timeout=5,
        headers={"Accept": "application/json", "User-Agent": "ErbijDemoLMS/1.0"},
    )
    response.raise_for_status()
    return response.json()


class ToolKeys:
    """A kid → public key cache over one tool JWKS URL."""

    def __init__(self, jwks_url: str, fetch: JwksFetch) -> None:
        self.jwks_url = jwks_url
        self._fetch = fetch
        self._keys: dict[str | None, Any] = {}
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        try:
            jwks = self._fetch(self.jwks_url)
        except Exception as exc:  # any transport or parse failure: report, don't crash
            raise ToolJwtError(f"Could not fetch the tool's keys from {self.jwks_url}: {exc}") from exc
        keys = jwks.get("keys") if isinstance(jwks, dict) else None
        if not isinstance(keys, list):
            raise ToolJwtError(f'The tool\'s JWKS at {self.jwks_url} has no "keys" list')
        parsed: dict[str | None, Any] = {}
        for jwk in keys:
            try:
                parsed[jwk.get("kid")] = jwt.PyJWK(jwk).key
            except (jwt.PyJWKError, AttributeError, TypeError):
                continue  # a key we cannot use (e.g. another key type); skip it
        with self._lock:
            self._keys = parsed

    def key_for(self, kid: str | None) -> Any:
        """The public key for this kid, refetching the JWKS once if it is unknown."""
        for attempt in range(2):
            with self._lock:
                keys = dict(self._keys)
            if kid in keys:
                return keys[kid]
            if kid is None and len(keys) == 1:
                return next(iter(keys.values()))
            if attempt == 0:
                self._refresh()
        raise ToolJwtError(f"The tool's JWKS has no key with kid {kid!r}")

    def verify(
        self,
        token: str,
        *,
        audience: str,
        issuer: str | None = None,
        required: tuple[str, ...] = ("exp", "iat"),
    ) -> dict[str, Any]:
        """Verify an RS256 JWT signed by the tool; return its claims or raise ToolJwtError."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise ToolJwtError(f"Not a JWT: {exc}") from exc
        if header.get("alg") != "RS256":
            raise ToolJwtError(f"Unexpected JWT alg {header.get('alg')!r}; RS256 is required")
        key = self.key_for(header.get("kid"))
        try:
            return jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": list(required)},
            )
        except jwt.InvalidTokenError as exc:
            raise ToolJwtError(f"The tool's JWT was refused: {exc}") from exc
