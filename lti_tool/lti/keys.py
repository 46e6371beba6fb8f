"""Erbij's own signing keys: created when first needed, rotated with overlap.

A retired key stays in the JWKS until the longest-lived token signed with it has expired
(`retired_key_overlap`: our longest token lifetime plus the clock difference a platform
allows), or longer when ERBIJ_KEY_OVERLAP says so; then it leaves the JWKS.

Private keys are stored encrypted (PKCS#8 with the best available encryption) under
ERBIJ_KEY_ENCRYPTION_KEY, or SECRET_KEY when that is not set: a copy of the database
alone cannot sign as Erbij. Decrypted keys are kept in memory per kid. A key that can
no longer be decrypted (the encryption key changed) is retired and a new one made:
platforms fetch our key set by URL, so they pick the new key up by themselves.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import current_app
from jwt.algorithms import RSAAlgorithm

from ..extensions import db
from ..models import ToolKey
from ..timeutil import utcnow

_decrypted: dict[str, object] = {}  # kid -> private key object (this process)

# What Erbij signs, and how long each lives (exp - iat):
CLIENT_ASSERTION_LIFETIME = 65  # services.py: the token request's JWT assertion (iat now-5, exp now+60)
DEEP_LINKING_RESPONSE_LIFETIME = 600  # pylti1p3 DeepLink.get_message_jwt: exp = iat + 600
# Platforms accept a token a little past its exp to allow for clock differences.
PLATFORM_CLOCK_LEEWAY = 300


def retired_key_overlap() -> timedelta:
    """How long a retired key stays published: until every token it signed has expired."""
    longest = max(CLIENT_ASSERTION_LIFETIME, DEEP_LINKING_RESPONSE_LIFETIME) + PLATFORM_CLOCK_LEEWAY
    return timedelta(seconds=max(longest, int(current_app.config.get("ERBIJ_KEY_OVERLAP") or 0)))


def _passphrase() -> bytes:
    cfg = current_app.config
    return (cfg.get("ERBIJ_KEY_ENCRYPTION_KEY") or cfg["SECRET_KEY"]).encode()


def _encrypt(private) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    ).decode()


def private_key(key: ToolKey):
    """The key's private half, decrypted once per process."""
    cached = _decrypted.get(key.kid)
    if cached is None:
        pem = key.private_pem.encode()
        password = _passphrase() if b"ENCRYPTED" in pem.split(b"\n", 1)[0] else None
        cached = serialization.load_pem_private_key(pem, password=password)
        _decrypted[key.kid] = cached
    return cached


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = _encrypt(private)
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk), status="active")


def active_key() -> ToolKey:
    """The key we sign with now; the first one is created on first need.

    Two workers may race to create the first key; both keys are then valid and
    published, and the newest signs — harmless, so no lock is needed.
    """
    key = (
        db.session.execute(
            db.select(ToolKey).where(ToolKey.status == "active").order_by(ToolKey.id.desc())
        )
        .scalars()
        .first()
    )
    if key is None:
        key = _new_key()
        db.session.add(key)
        db.session.commit()
        return key
    try:
        private = private_key(key)
    except (ValueError, TypeError):
        current_app.logger.error("signing key %s cannot be decrypted (encryption key changed?): retiring it", key.kid)
        return rotate()
    if b"ENCRYPTED" not in key.private_pem.encode().split(b"\n", 1)[0]:
        key.private_pem = _encrypt(private)  # a key stored before encryption at rest
        db.session.commit()
    return key


def rotate() -> ToolKey:
    """Make a new active key and retire the others (they stay published for the overlap).
    Commits; callers that audit record their entry first so it is committed with it."""
    now = utcnow()
    for old in db.session.execute(db.select(ToolKey).where(ToolKey.status == "active")).scalars():
        old.status = "retired"
        old.retired_at = now
    key = _new_key()
    db.session.add(key)
    db.session.commit()
    return key


def published_keys() -> list[ToolKey]:
    """Active keys plus retired keys still inside the overlap window."""
    active_key()
    cutoff = utcnow() - retired_key_overlap()
    rows = db.session.execute(db.select(ToolKey).order_by(ToolKey.id)).scalars()
    return [k for k in rows if k.status == "active" or (k.retired_at and k.retired_at > cutoff)]


def jwks() -> dict:
    """The public key set, as platforms expect it: {"keys": [...]}."""
    return {"keys": [json.loads(k.public_jwk) for k in published_keys()]}


def sign(payload: dict, headers: dict | None = None) -> str:
    """Sign a JWT with the active key, naming it by kid."""
    key = active_key()
    return jwt.encode(payload, private_key(key), algorithm="RS256", headers={**(headers or {}), "kid": key.kid})
