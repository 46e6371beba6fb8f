"""The platforms' public keys: fetched from their JWKS URL, cached as their headers say.

pylti1p3 caches a key set forever; platforms (Brightspace hourly) rotate keys. On an
unknown kid we refetch, which also covers a stale cache — but a token with a made-up kid
must not make us fetch on every request (amplification):
- a key set is kept at least MIN_TTL seconds, also when the platform says no-cache;
- a refetch for an unknown kid happens at most once per registration per REFETCH_EVERY;
- a kid found unknown is remembered for UNKNOWN_KID_TTL seconds and refused without a fetch.
The shared cache may be down: then a small per-process memory keeps the same limits.
"""

from __future__ import annotations

import re
import threading
import time

import requests

from ..shared_cache import cache_add, cache_get, cache_set, digest
from .errors import LaunchRefused
from .http import platform_session

DEFAULT_TTL = 300
MIN_TTL = 60
MAX_TTL = 24 * 3600
REFETCH_EVERY = 60
UNKNOWN_KID_TTL = 60


class _LocalMemo:
    """Per-process TTL store: the first level for key sets, the fallback when the cache fails."""

    def __init__(self, size: int = 512):
        self._data: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self._size = size

    def get(self, key: str):
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] < time.monotonic():
                self._data.pop(key, None)
                return None
            return item[1]

    def set(self, key: str, value, ttl: float) -> None:
        with self._lock:
            if len(self._data) >= self._size:
                now = time.monotonic()
                for k in [k for k, (exp, _) in self._data.items() if exp < now] or list(self._data)[: self._size // 2]:
                    self._data.pop(k, None)
            self._data[key] = (time.monotonic() + ttl, value)

    def add(self, key: str, value, ttl: float) -> bool:
        with self._lock:
            item = self._data.get(key)
            if item is not None and item[0] >= time.monotonic():
                return False
        self.set(key, value, ttl)
        return True

    def clear(self) -> None:
        with self._lock:
            self._data.clear()


_local = _LocalMemo()
# The first level keeps a key set this long at most, so that a key the platform withdrew
# is dropped everywhere soon after the shared cache drops it.
LOCAL_TTL = 30


def _ttl_from_headers(headers) -> int:
    """Seconds the key set may be cached: Cache-Control max-age, MIN_TTL for no-cache/no-store."""
    cc = (headers.get("Cache-Control") or "").lower()
    if "no-store" in cc or "no-cache" in cc:
        return MIN_TTL
    match = re.search(r"max-age=(\d+)", cc)
    if match:
        return max(MIN_TTL, min(int(match.group(1)), MAX_TTL))
    return DEFAULT_TTL


def _cache_key(url: str) -> str:
    return f"platform-jwks:{url}"


def _cached_keyset(url: str) -> dict | None:
    keyset = _local.get(_cache_key(url))
    if keyset is None:
        keyset = cache_get(_cache_key(url))
        if keyset is not None:
            _local.set(_cache_key(url), keyset, LOCAL_TTL)
    return keyset


def _fetch(url: str, registration) -> dict:
    try:
        resp = platform_session(registration).get(url)
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise LaunchRefused("platform_keys_unavailable", detail=f"{url}: {type(exc).__name__}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise LaunchRefused("platform_keys_unavailable", detail=f"{url}: not a JWKS")
    ttl = _ttl_from_headers(resp.headers)
    cache_set(_cache_key(url), data, timeout=ttl)
    _local.set(_cache_key(url), data, min(ttl, LOCAL_TTL))
    return data


def _match(keyset: dict, kid: str) -> dict | None:
    for key in keyset.get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


def _limited(key: str, ttl: int) -> bool:
    """True when `key` was taken within ttl seconds (in the shared cache, else in this process)."""
    taken = cache_add(key, 1, timeout=ttl)
    if taken is None:
        taken = _local.add(key, 1, ttl)
    return not taken


def _unknown_key(registration_id: int, kid: str) -> str:
    return f"jwks-unknown:{registration_id}:{digest(kid)}"


def _remember_unknown(registration_id: int, kid: str) -> None:
    cache_set(_unknown_key(registration_id, kid), 1, timeout=UNKNOWN_KID_TTL)
    _local.set(_unknown_key(registration_id, kid), 1, UNKNOWN_KID_TTL)


def find_platform_key(registration, kid: str) -> dict:
    """The JWK with this kid from the registration's key set, refetching within the limits above."""
    url = registration.key_set_url
    keyset = _cached_keyset(url)
    if keyset is not None:
        key = _match(keyset, kid)
        if key is not None:
            return key
        unknown = _unknown_key(registration.id, kid)
        if _local.get(unknown) or cache_get(unknown):
            raise LaunchRefused("unknown_key", detail=f"kid {kid[:80]!r} recently unknown")
        if _limited(f"jwks-refetch:{registration.id}", REFETCH_EVERY):
            _remember_unknown(registration.id, kid)
            raise LaunchRefused("unknown_key", detail=f"kid {kid[:80]!r} unknown; refetched less than a minute ago")
    key = _match(_fetch(url, registration), kid)
    if key is None:
        _remember_unknown(registration.id, kid)
        raise LaunchRefused("unknown_key", detail=f"kid {kid[:80]!r} not in {url}")
    return key
