"""OIDC login initiation and the browser binding of its state.

The state is not stored anywhere: it is a signed, time-limited token (a random id, the
nonce, the registration, and for Platform Storage the hash of a browser-bound secret),
so an unauthenticated /lti/login writes nothing and can be asked for as often as anyone
likes. Single use comes from the nonce, consumed once at the launch (validation.py).

The state is bound to the browser that started the login, by one of:
- a cookie `erbij_st_<id>` (SameSite=None; Secure; Partitioned — survives a cross-site
  iframe in browsers that block ordinary third-party cookies), or
- a secret put into LTI Platform Storage (`lti_storage_target`) through postMessage, read
  back on launch by Erbij's own page — for browsers that keep no cookie at all.
When neither is available, the user is offered a new window (first-party).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from flask import current_app, g
from itsdangerous import BadSignature, SignatureExpired
from itsdangerous.serializer import Serializer

from ..extensions import db
from ..models import HandoffToken
from ..shared_cache import cache_add
from ..signed import serializer, token_urlsafe
from ..timeutil import utcnow
from .errors import LaunchRefused, refuse_unless_usable
from .launch_cache import RegistrationInfo, registration, registration_by_id
from .validation import is_our_url

STATE_TTL = timedelta(minutes=10)
STATE_COOKIE_PREFIX = "erbij_st_"
# "Cookies work in this browser, inside this LMS": set once a cookie came back, sent with
# the next login so that it can skip the cookie round trip (no personal data: the value is 1).
COOKIES_OK_COOKIE = "erbij_ck"
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
    "lti_storage_target",
)


@dataclass(frozen=True)
class LoginState:
    """A login in progress, as carried by the signed `state` parameter."""

    state: str  # the signed token itself
    id: str  # random; names the state cookie and the Platform Storage key
    nonce: str
    registration_id: int
    storage_target: str | None
    storage_secret_hash: str | None

    @property
    def cookie_name(self) -> str:
        return STATE_COOKIE_PREFIX + self.id

    @property
    def storage_key(self) -> str:
        return f"erbij_state_{self.id}"


def _serializer() -> Serializer:
    return serializer(current_app.secret_key, "erbij-oidc-state")


def secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def launch_url() -> str:
    """The one redirect URI registered in every LMS."""
    return current_app.config["ERBIJ_BASE_URL"] + "/lti/launch"


def start_login(params: dict) -> tuple[LoginState, str, str | None]:
    """Check the initiation and make a login state; return (state, auth URL, storage secret)."""
    iss = params.get("iss")
    if not iss or not params.get("login_hint") or not params.get("target_link_uri"):
        raise LaunchRefused("missing_params", detail="iss, login_hint or target_link_uri missing")
    reg = registration(iss, params.get("client_id"))
    if reg is None:
        raise LaunchRefused("unknown_platform", detail=f"login for {iss} {params.get('client_id')}")
    g.login_registration_id = reg.id  # its platform frames the answer (serving.py)
    refuse_unless_usable(reg)
    if not is_our_url(params["target_link_uri"]):
        raise LaunchRefused("target_link_not_ours", detail=params["target_link_uri"][:200])

    sid = token_urlsafe(16)
    nonce = token_urlsafe(24)
    storage_target = (params.get("lti_storage_target") or "").strip()[:200] or None
    storage_secret = token_urlsafe(32) if storage_target else None
    payload = {
        "i": sid,
        "n": nonce,
        "r": reg.id,
        "t": storage_target,
        "h": secret_hash(storage_secret) if storage_secret else None,
    }
    state = _serializer().dumps(payload)
    login = LoginState(state, sid, nonce, reg.id, storage_target, payload["h"])

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
    reg = login_registration(login)
    parts = urlsplit(reg.auth_login_url)
    return f"{parts.scheme}://{parts.netloc}"


def login_registration(login: LoginState) -> RegistrationInfo:
    reg = registration_by_id(login.registration_id)
    if reg is None:
        raise LaunchRefused("unknown_platform", detail="registration removed since the login")
    refuse_unless_usable(reg)
    return reg


def find_login_state(state: str | None) -> LoginState:
    """The login this signed state names; refused when forged, altered or older than STATE_TTL."""
    if not state:
        raise LaunchRefused("missing_params", detail="no state")
    try:
        data = _serializer().loads(state[:2000], max_age=int(STATE_TTL.total_seconds()))
    except SignatureExpired as exc:
        raise LaunchRefused("state_not_found", detail="state expired") from exc
    except BadSignature as exc:
        raise LaunchRefused("state_not_found", detail="state not ours") from exc
    g.login_registration_id = int(data["r"])  # its platform frames the answer (serving.py)
    return LoginState(state, str(data["i"]), str(data["n"]), int(data["r"]), data.get("t"), data.get("h"))


PURGE_EVERY = 300
# Each process asks the shared cache whether a purge is due at most this often: a login
# costs no round trip to the cache for it.
PURGE_ASK_EVERY = 30.0
_next_purge_ask = [0.0]


def purge_expired() -> None:
    """Hand-off tokens past their time are useless; clear them now and then
    (once per PURGE_EVERY seconds across all workers, not on every login)."""
    now_mono = time.monotonic()
    if now_mono < _next_purge_ask[0]:
        return
    _next_purge_ask[0] = now_mono + PURGE_ASK_EVERY
    if not cache_add("lti-purge", 1, timeout=PURGE_EVERY):
        return
    now = utcnow()
    db.session.execute(db.delete(HandoffToken).where(HandoffToken.expires_at < now))
    db.session.commit()
