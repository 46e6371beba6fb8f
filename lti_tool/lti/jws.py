"""An id_token's RSA signature and times, checked with `cryptography` directly.

What PyJWT's `jwt.decode(token, key, algorithms=[alg], leeway=…, options={"require":
["exp", "iat"], "verify_aud": False})` checks, without its per-call overhead (a key
re-prepared each time, each segment checked character by character in Python):

- every segment strictly base64url: the alphabet only, at most the right padding, and the
  canonical encoding (no spare bits set), so one signed token has one spelling;
- the header: `kid` a string, `crit` only what we understand, no detached payload (`b64`);
- the signature (RSASSA-PKCS1-v1_5 with the alg's hash) over the segments as sent;
- `exp` and `iat` present, `iat`/`nbf` not in the future and `exp` not past (with leeway),
  each an integer; `sub` and `jti` strings when present.

The public key object is made once per JWK (`public_key`). Failures raise TokenRefused with
the code the launch refuses with (`bad_signature`, `token_expired`, `token_time_invalid`).
"""

from __future__ import annotations

import base64
import functools
import json
import re
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey
from jwt.algorithms import RSAAlgorithm

HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")
_VALUE = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}
_SUPPORTED_CRIT = {"b64"}
_PKCS1 = padding.PKCS1v15()


class TokenRefused(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code


@functools.lru_cache(maxsize=64)
def _key_of(jwk_json: str) -> RSAPublicKey:
    key = RSAAlgorithm.from_jwk(jwk_json)
    if isinstance(key, RSAPrivateKey):  # a JWK with its private part: verify with the public one
        key = key.public_key()
    if not isinstance(key, RSAPublicKey):
        raise ValueError("not an RSA key")
    return key


def public_key(jwk: dict) -> RSAPublicKey:
    """The key object of a JWK (keyed by its exact content: a rotated key is another entry)."""
    return _key_of(json.dumps(jwk, sort_keys=True))


def _segment(seg: bytes, name: str) -> None:
    """Refuse a segment that is not strictly base64url (as PyJWT does)."""
    stripped = seg.rstrip(b"=")
    padded = len(seg) - len(stripped)
    rest = len(stripped) % 4
    if padded > 2 or (padded and len(seg) % 4) or rest == 1 or not _ALPHABET.fullmatch(stripped):
        raise TokenRefused("bad_signature", f"Invalid {name} padding")
    # Canonical: the last character carries no bits beyond the data's (2 or 3 bytes left).
    if rest and _VALUE[stripped[-1]] & (0x0F if rest == 2 else 0x03):
        raise TokenRefused("bad_signature", f"Invalid {name} padding")


def _decode(seg: bytes) -> bytes:
    stripped = seg.rstrip(b"=")
    return base64.urlsafe_b64decode(stripped + b"=" * (-len(stripped) % 4))


def _check_header(header: dict) -> None:
    if "kid" in header and not isinstance(header["kid"], str):
        raise TokenRefused("bad_signature", "Key ID header parameter must be a string")
    if "crit" in header:
        crit = header["crit"]
        if (
            not isinstance(crit, list)
            or not crit
            or any(not isinstance(e, str) or e not in _SUPPORTED_CRIT or e not in header for e in crit)
        ):
            raise TokenRefused("bad_signature", "Invalid 'crit' header")
    if header.get("b64", True) is False:
        raise TokenRefused("bad_signature", "detached payloads are not accepted")


def _int_claim(payload: dict, name: str, code: str) -> int:
    try:
        return int(payload[name])
    except (ValueError, TypeError, OverflowError):
        raise TokenRefused(code, f"{name} must be an integer") from None


def _check_times(payload: dict, leeway: float) -> None:
    if payload.get("exp") is None:
        raise TokenRefused("token_expired", 'Token is missing the "exp" claim')
    if payload.get("iat") is None:
        raise TokenRefused("token_time_invalid", 'Token is missing the "iat" claim')
    now = time.time()
    if _int_claim(payload, "iat", "token_time_invalid") > now + leeway:
        raise TokenRefused("token_time_invalid", "The token is not yet valid (iat)")
    if "nbf" in payload and _int_claim(payload, "nbf", "bad_signature") > now + leeway:
        raise TokenRefused("token_time_invalid", "The token is not yet valid (nbf)")
    if _int_claim(payload, "exp", "bad_signature") <= now - leeway:
        raise TokenRefused("token_expired", "Signature has expired")
    if "sub" in payload and not isinstance(payload["sub"], str):
        raise TokenRefused("bad_signature", "Subject must be a string")
    if "jti" in payload and not isinstance(payload.get("jti"), str):
        raise TokenRefused("bad_signature", "JWT ID must be a string")


def verify(token: str, header: dict, payload: dict, key: RSAPublicKey, alg: str, leeway: float) -> None:
    """Check `token` (whose header and payload the caller decoded from it) was signed with
    `key` using `alg` (already checked against the allow-list), and its times and claims."""
    raw = token.encode("utf-8") if isinstance(token, str) else token
    parts = raw.split(b".")
    if len(parts) != 3:
        raise TokenRefused("bad_signature", "Not enough segments")
    head, body, signature = parts
    signing_input = raw[: len(head) + 1 + len(body)]
    _segment(head, "header")
    _segment(body, "payload")
    _segment(signature, "crypto")
    _check_header(header)
    if not isinstance(payload, dict):
        raise TokenRefused("bad_signature", "Invalid payload string: must be a json object")
    try:
        key.verify(_decode(signature), signing_input, _PKCS1, HASHES[alg]())
    except InvalidSignature:
        raise TokenRefused("bad_signature", "Signature verification failed") from None
    _check_times(payload, leeway)
