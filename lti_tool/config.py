"""Settings from environment variables, with embedded defaults.

A newcomer needs nothing: SQLite in the instance folder, an in-process cache and a
secret key generated once into the instance folder. Production sets DATABASE_URL
(PostgreSQL), REDIS_URL, SECRET_KEY and ERBIJ_BASE_URL.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .translations_build import translation_directories


def _instance_secret(instance_path: Path) -> str:
    """Return the secret kept in the instance folder, creating it on first use."""
    path = instance_path / "secret_key"
    if not path.exists():
        _private_instance(instance_path)
        # O_EXCL: two workers starting at once must agree on one key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
        except FileExistsError:
            pass
    return path.read_text().strip()


def _private_instance(instance_path: Path) -> None:
    """The instance folder holds the SQLite database and the secret key: owner only."""
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _private_file(path: Path) -> None:
    """Create `path` readable by its owner only (SQLite would create it 0644)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        _private_instance(instance_path)
        _private_file(instance_path / "erbij.sqlite")
        return f"sqlite:///{instance_path / 'erbij.sqlite'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    ipath = Path(instance_path)
    base_url = os.environ.get("ERBIJ_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    db_url = _database_url(ipath)
    redis_url = os.environ.get("REDIS_URL") or None
    cfg: dict = {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(ipath),
        "ERBIJ_BASE_URL": base_url,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(db_url),
        "REDIS_URL": redis_url,
        "CACHE_TYPE": "RedisCache" if redis_url else "SimpleCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DEFAULT_TIMEOUT": 300,
        "CACHE_KEY_PREFIX": "erbij:",
        # Erbij lives in a cross-site iframe: the session cookie must be
        # SameSite=None; Secure; Partitioned or the browser drops it (lms-notes.md).
        "SESSION_COOKIE_NAME": "erbij_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        # The cookie is signed again only when it changes (a launch binds a new id): a page
        # view costs no re-signing. Its lifetime then counts from the last launch, which
        # outlives every launch in it (ERBIJ_LAUNCH_TTL).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        # The CSRF check compares Referer with our host on https; inside an LMS
        # iframe the referrer policy may strip it, the token is what protects us.
        "WTF_CSRF_SSL_STRICT": False,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_TRANSLATION_DIRECTORIES": translation_directories(),
        "ERBIJ_LAUNCH_TTL": int(os.environ.get("ERBIJ_LAUNCH_TTL", 8 * 3600)),
        "ERBIJ_HTTP_TIMEOUT": float(os.environ.get("ERBIJ_HTTP_TIMEOUT", 10)),
        # Extra time a retired key stays published; 0: until its last token expired (lti/keys.py).
        "ERBIJ_KEY_OVERLAP": int(os.environ.get("ERBIJ_KEY_OVERLAP", 0)),
        # Institution policy default until the admin console exposes it.
        "ERBIJ_ALLOW_IDENTIFIED": os.environ.get("ERBIJ_ALLOW_IDENTIFIED", "0") == "1",
        "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": os.environ.get("ERBIJ_DRAIN_OUTBOX_IN_PROCESS", "1") == "1",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # http and loopback/private platforms: the demo and the tests only, never production.
        "ERBIJ_ALLOW_LOOPBACK": os.environ.get("ERBIJ_ALLOW_LOOPBACK") == "1",
        # Production serving (lti_tool/serving.py): TLS proxies in front, log format.
        "ERBIJ_PROXIES": int(os.environ.get("ERBIJ_PROXIES", 0)),
        "ERBIJ_LOG_FORMAT": os.environ.get("ERBIJ_LOG_FORMAT", "text"),
        # Encrypts the tool's private keys at rest; SECRET_KEY when unset.
        "ERBIJ_KEY_ENCRYPTION_KEY": os.environ.get("ERBIJ_KEY_ENCRYPTION_KEY") or None,
        "ERBIJ_MAX_RESPONSE_BYTES": int(os.environ.get("ERBIJ_MAX_RESPONSE_BYTES", 2 * 1024 * 1024)),
        # LTI Dynamic Registration: approval (default; a new LMS waits for the operator),
        # allowlist (issuers matching ERBIJ_REGISTRATION_ALLOWLIST, fnmatch patterns, comma
        # separated, are active at once; others are refused) or open (every LMS, at once).
        "ERBIJ_REGISTRATION_POLICY": os.environ.get("ERBIJ_REGISTRATION_POLICY", "approval").strip().lower(),
        "ERBIJ_REGISTRATION_ALLOWLIST": os.environ.get("ERBIJ_REGISTRATION_ALLOWLIST", ""),
        # At most this many registrations wait for approval; more are refused (429) until the
        # operator decides. Registration attempts are also limited per address and hour.
        "ERBIJ_MAX_PENDING_REGISTRATIONS": int(os.environ.get("ERBIJ_MAX_PENDING_REGISTRATIONS", 50)),
    }
    return cfg


def _engine_options(db_url: str) -> dict:
    if db_url.startswith("sqlite"):
        # Several threads (and gunicorn workers) share one file: wait for locks
        # instead of failing at once.
        return {"connect_args": {"timeout": 15}}
    # Idle connections are tested before use (db_liveness.py), not every checkout.
    return {"pool_size": 5, "max_overflow": 5}
