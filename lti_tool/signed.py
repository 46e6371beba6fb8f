"""Signed tokens and random ids, made without letting go of the GIL.

A gunicorn worker's threads take turns on the GIL. A thread that lets go of it for a moment
— zlib compressing a payload, a system call for random bytes — gets it back only when the
thread that took it over lets go in turn: under load, up to the interpreter's switch
interval (5 ms) later. Measured on this machine with one other busy thread: zlib compressing
a 900-byte payload 18 µs alone, 1.5 ms with the other thread; `os.urandom(24)` 0.5 µs alone,
156 µs with it. A launch made three such pauses (its nonce and id, the CSRF token, the
session cookie) and a login three more (its state id and nonce, the signed state).

- `serializer()`: itsdangerous serializers that never compress. itsdangerous compresses
  every payload it signs, then keeps the smaller of the two; Erbij's payloads are short and
  mostly random (ids, nonces), so the cookie or URL grows by a few bytes at most. Reading
  still accepts a compressed token (made before this change, or by Flask-WTF itself). One
  serializer per secret, salt and settings, per process, whose signer derives each key
  from its secret once (itsdangerous derives it again for every signature). The session
  cookie (session_cookie.py), the OIDC state, the login hand-off, submission links and the
  CSRF token all sign with it.
- `token_urlsafe()` / `token_hex()`: random tokens from a generator in this process: BLAKE2b
  keyed with 32 bytes from the operating system over a counter, a keyed pseudo-random
  function of distinct inputs — as unpredictable as its key, which is drawn again in every
  forked process. Keys and secrets that last (signing keys, passwords) still come from
  `secrets`.
- `csrf_token()`: Flask-WTF's token, made with the serializer above; Flask-WTF checks it
  as its own.
"""

from __future__ import annotations

import hashlib
import itertools
import os

from flask import current_app, g, session
from itsdangerous import Signer, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, want_bytes
from itsdangerous.serializer import Serializer

_KEY_BYTES = 32


class _Uncompressed:
    """itsdangerous's URL-safe payload, never compressed (reading is unchanged)."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


_derived: dict[tuple, bytes] = {}


class _KeyKeeping:
    """A signer that derives each key from its secret once per process."""

    def derive_key(self, secret_key=None) -> bytes:
        secret = self.secret_keys[-1] if secret_key is None else want_bytes(secret_key)
        memo = (secret, self.salt, self.key_derivation, self.digest_method)
        key = _derived.get(memo)
        if key is None:
            if len(_derived) > 64:
                _derived.clear()
            key = _derived[memo] = super().derive_key(secret_key)
        return key


class KeyKeepingSigner(_KeyKeeping, Signer):
    pass


class KeyKeepingTimestampSigner(_KeyKeeping, TimestampSigner):
    pass


class UncompressedTimedSerializer(_Uncompressed, URLSafeTimedSerializer):
    pass


class UncompressedSerializer(_Uncompressed, URLSafeSerializer):
    pass


_serializers: dict[tuple, Serializer] = {}


def serializer(secret_key, salt: str, *, timed: bool = True, json=None, signer_kwargs: dict | None = None) -> Serializer:
    """A URL-safe itsdangerous serializer (timed: with a timestamp) that never compresses.
    `secret_key` may be a list, oldest first (the last signs, all are tried when reading);
    `json` the payload serializer (itsdangerous's default when None). One per arguments, per
    process, with a signer that derives each key once."""
    keys = tuple(secret_key) if isinstance(secret_key, list | tuple) else (secret_key,)
    options = tuple(sorted((signer_kwargs or {}).items()))
    memo = (keys, salt, timed, id(json), options)
    found = _serializers.get(memo)
    if found is None:
        if len(_serializers) > 64:
            _serializers.clear()
        cls, signer = (UncompressedTimedSerializer, KeyKeepingTimestampSigner) if timed else (UncompressedSerializer, KeyKeepingSigner)
        found = _serializers[memo] = cls(list(keys), salt=salt, serializer=json, signer=signer, signer_kwargs=dict(options))
    return found


# ---------------------------------------------------------------- random tokens
class _Generator:
    def __init__(self) -> None:
        self.reseed()

    def reseed(self) -> None:
        self.key = os.urandom(_KEY_BYTES)
        self.counter = itertools.count()

    def take(self, nbytes: int) -> bytes:
        if not 1 <= nbytes <= 64:
            raise ValueError("1 to 64 bytes")
        block = next(self.counter).to_bytes(16, "little")  # next() of a count is atomic
        return hashlib.blake2b(block, key=self.key, digest_size=nbytes).digest()


_generator = _Generator()
os.register_at_fork(after_in_child=_generator.reseed)


def token_bytes(nbytes: int) -> bytes:
    return _generator.take(nbytes)


def token_urlsafe(nbytes: int) -> str:
    """As `secrets.token_urlsafe(nbytes)`: nbytes random bytes, URL-safe base64."""
    return base64_encode(_generator.take(nbytes)).decode("ascii")


def token_hex(nbytes: int) -> str:
    return _generator.take(nbytes).hex()


# ---------------------------------------------------------------- CSRF
def csrf_token() -> str:
    """Flask-WTF's `generate_csrf()` — the same raw token in the session, the same signed
    form (salt and key) — without compressing or asking the system for randomness."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    token = g.get(field)
    if token is None:
        raw = session.get(field)
        if not isinstance(raw, str) or not raw:
            raw = session[field] = token_hex(20)
        secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
        token = serializer(secret, "wtf-csrf-token").dumps(raw)
        setattr(g, field, token)
    return token


def init_app(app) -> None:
    """Templates' `csrf_token()` is `csrf_token` above. Flask-WTF (initialised first) puts
    its own in the Jinja globals and in a context processor; a later processor wins."""
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(_csrf_context)


def _csrf_context() -> dict:
    return {"csrf_token": csrf_token}
