"""The platforms' public keys: fetched from their JWKS URL, cached as their headers say.

pylti1p3 caches a key set forever; platforms (Brightspace hourly) rotate keys. On an
unknown kid we refetch once, which also covers a stale cache.
"""

from __future__ import annotations

import re

import requests

from ..extensions import cache
from .errors import LaunchRefused
from .http import http_session

DEFAULT_TTL = 300
MAX_TTL = 24 * 3600


def _ttl_from_headers(headers) -> int:
    """Seconds the key set may be cached: Cache-Control max-age, none for no-cache/no-store."""
    cc = (headers.get("Cache-Control") or "").lower()
    if "no-store" in cc or "no-cache" in cc:
        return 0
    match = re.search(r"max-age=(\d+)", cc)
    if match:
        return min(int(match.group(1)), MAX_TTL)
    return DEFAULT_TTL


def _fetch(url: str) -> dict:
    try:
        resp = http_session().get(url)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise LaunchRefused("platform_keys_unavailable", detail=f"{url}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise LaunchRefused("platform_keys_unavailable", detail=f"{url}: not a JWKS")
    ttl = _ttl_from_headers(resp.headers)
    if ttl:
        cache.set(_cache_key(url), data, timeout=ttl)
    else:
        cache.delete(_cache_key(url))
    return data


def _cache_key(url: str) -> str:
    return f"platform-jwks:{url}"


def _match(keyset: dict, kid: str) -> dict | None:
    for key in keyset.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


def find_platform_key(key_set_url: str, kid: str) -> dict:
    """The JWK with this kid, refetching the key set once when the cached one lacks it."""
    cached = cache.get(_cache_key(key_set_url))
    if cached is not None:
        key = _match(cached, kid)
        if key is not None:
            return key
    key = _match(_fetch(key_set_url), kid)
    if key is None:
        raise LaunchRefused("unknown_key", detail=f"kid {kid!r} not in {key_set_url}")
    return key
