"""OIDC login initiation and the browser binding of its state.

The state is bound to the browser that started the login, by one of:
- a cookie `erbij_st_<state>` (SameSite=None; Secure; Partitioned — survives a
  cross-site iframe in browsers that block ordinary third-party cookies), or
- a secret put into LTI Platform Storage (`lti_storage_target`) through postMessage,
  read back on launch — for browsers that keep no cookie at all.
When neither is available, the user is offered a new window (first-party).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import current_app

from ..extensions import db
from ..models import LoginState, UsedNonce
from ..timeutil import utcnow
from .errors import LaunchRefused
from .registrations import find_registration
from .validation import is_our_url

STATE_TTL = timedelta(minutes=10)
STATE_COOKIE_PREFIX = "erbij_st_"
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "lti_storage_target",
)


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def launch_url() -> str:
    """The one redirect URI registered in every LMS."""
    return current_app.config["ERBIJ_BASE_URL"] + "/lti/launch"


def start_login(params: dict) -> tuple[LoginState, str, str | None]:
    """Check the initiation, store a login state; return (state, auth URL, storage secret)."""
    iss = params.get("iss")
    if not iss or not params.get("login_hint") or not params.get("target_link_uri"):
        raise LaunchRefused("missing_params", detail="iss, login_hint or target_link_uri missing")
    reg = find_registration(iss, params.get("client_id"))
    if reg is None:
        raise LaunchRefused("unknown_platform", detail=f"login for {iss} {params.get('client_id')}")
    if not is_our_url(params["target_link_uri"]):
        raise LaunchRefused("target_link_not_ours", detail=params["target_link_uri"][:200])

    _purge_expired()
    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    storage_target = (params.get("lti_storage_target") or "").strip() or None
    storage_secret = secrets.token_urlsafe(32) if storage_target else None
    login = LoginState(
        state=state,
        nonce=nonce,
        registration_id=reg.id,
        storage_target=storage_target[:200] if storage_target else None,
        storage_secret_hash=secret_hash(storage_secret) if storage_secret else None,
        expires_at=utcnow() + STATE_TTL,
    )
    db.session.add(login)
    db.session.commit()

    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": reg.client_id,
        "redirect_uri": launch_url(),
        "login_hint": params["login_hint"],
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    sep = "&" if "?" in reg.auth_login_url else "?"
    return login, f"{reg.auth_login_url}{sep}{urlencode(query)}", storage_secret


def platform_origin(login: LoginState) -> str:
    """The origin we talk to with postMessage: the platform's OIDC auth URL's origin."""
    from ..models import Registration

    reg = db.session.get(Registration, login.registration_id)
    parts = urlsplit(reg.auth_login_url)
    return f"{parts.scheme}://{parts.netloc}"


def find_login_state(state: str | None) -> LoginState:
    if not state:
        raise LaunchRefused("missing_params", detail="no state")
    login = db.session.get(LoginState, state[:128])
    if login is None or login.expires_at < utcnow():
        raise LaunchRefused("state_not_found")
    return login


def _purge_expired() -> None:
    """Expired states and nonces are useless; clear them as logins come in."""
    now = utcnow()
    db.session.execute(db.delete(LoginState).where(LoginState.expires_at < now))
    db.session.execute(db.delete(UsedNonce).where(UsedNonce.expires_at < now))
