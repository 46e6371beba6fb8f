"""Erbij's own signing keys: created when first needed, rotated with overlap.

A retired key stays in the JWKS for ERBIJ_KEY_OVERLAP seconds so that tokens
signed just before a rotation still verify at the platform.
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


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
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


def rotate() -> ToolKey:
    """Make a new active key and retire the others (they stay published for the overlap)."""
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
    cutoff = utcnow() - timedelta(seconds=current_app.config["ERBIJ_KEY_OVERLAP"])
    rows = db.session.execute(db.select(ToolKey).order_by(ToolKey.id)).scalars()
    return [k for k in rows if k.status == "active" or (k.retired_at and k.retired_at > cutoff)]


def jwks() -> dict:
    """The public key set, as platforms expect it: {"keys": [...]}."""
    return {"keys": [json.loads(k.public_jwk) for k in published_keys()]}


def sign(payload: dict, headers: dict | None = None) -> str:
    """Sign a JWT with the active key, naming it by kid."""
    key = active_key()
    return jwt.encode(payload, key.private_pem, algorithm="RS256", headers={**(headers or {}), "kid": key.kid})
