"""The shared cache (Redis in production, in-process otherwise), read and written so that
a cache that is down never fails a request.

Everything Erbij caches can be had again from the database or the platform: when the cache
is down or an entry cannot be read, a read answers "not cached" (None), a write is dropped,
and `cache_add` answers None ("could not tell"), never False ("it was there"). `SafeCache`
(extensions.py) already keeps the cache object itself from raising and logs each failure as
a warning with the error's type only; these wrappers catch and log whatever still gets
through, and give the answers above their fixed shapes. `digest` is a short key part for
values of any length.
"""

from __future__ import annotations

import hashlib
import logging

from .extensions import cache

log = logging.getLogger(__name__)


def cache_get_many(*keys: str) -> list:
    try:
        return list(cache.get_many(*keys))
    except Exception as exc:  # Redis down or unreadable entry: the database answers
        log.warning("cache read failed, using the database: %s", type(exc).__name__)
        return [None] * len(keys)


def cache_get(key: str):
    return cache_get_many(key)[0]


def cache_set(key: str, value, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as exc:
        log.warning("cache write failed: %s", type(exc).__name__)


def cache_add(key: str, value, timeout: int) -> bool | None:
    """Set only if absent. True: we set it; False: it was there; None: the cache failed."""
    try:
        taken = cache.add(key, value, timeout=timeout)
    except Exception as exc:
        log.warning("cache write failed: %s", type(exc).__name__)
        return None
    # The shared cache answers None when it could not tell (SafeCache: Redis down).
    return None if taken is None else bool(taken)


def digest(*parts) -> str:
    """A short key part for values of any length (a key id, a URL)."""
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:32]
