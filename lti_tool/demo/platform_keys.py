"""The demo LMS's own RSA key: created on first start, kept in the data dir, served as JWKS."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_FILE = "platform_key.pem"


@dataclass(frozen=True)
class PlatformKey:
    """The platform's signing key and its key id (the RFC 7638 thumbprint)."""

    private_key: rsa.RSAPrivateKey
    kid: str

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        # A list under "keys": some libraries' examples nest it twice, which breaks tools.
        return {"keys": [self.public_jwk()]}

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        """Sign claims as an RS256 JWT whose header names this key's kid."""
        return jwt.encode(
            claims,
            self.private_key,
            algorithm="RS256",
            headers={"kid": self.kid, **(headers or {})},
        )


def load_or_create_platform_key(data_dir: Path) -> PlatformKey:
    """Read the key from the data dir, creating a 2048-bit key there on first start."""
    path = data_dir / KEY_FILE
    if path.exists():
        private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(private_key, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA private key")
    else:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _write_private(path, pem)
    return PlatformKey(private_key=private_key, kid=jwk_thumbprint(private_key.public_key()))


def jwk_thumbprint(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 thumbprint: stable for the key, so the kid survives restarts."""
    jwk = RSAAlgorithm.to_jwk(public_key, as_dict=True)
    canonical = json.dumps(
        {"e": jwk["e"], "kty": "RSA", "n": jwk["n"]},
        separators=(",", ":"),
        sort_keys=True,
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _write_private(path: Path, data: bytes) -> None:
    """Write a secret file readable by the owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def load_or_create_secret(data_dir: Path, name: str = "secret_key") -> str:
    """A random secret kept in the data dir (the Flask SECRET_KEY and hint signing key)."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    secret = os.urandom(32).hex()
    _write_private(path, secret.encode())
    return secret
