"""LTI Dynamic Registration 1.0: an LMS admin pastes Erbij's /lti/register into their LMS.

The LMS opens that address with `openid_configuration` (where its configuration is) and,
usually, a single-use `registration_token`. Erbij:

1. refuses a token that registered Erbij before (only its hash is kept);
2. reads the configuration through the guarded outbound session (https only, public
   addresses only, size-capped, timeouts; http/loopback only with ERBIJ_ALLOW_LOOPBACK),
   with the token as Bearer — Canvas wants it on both requests;
3. checks that the configuration's `issuer` is the site it came from, and that every
   address Erbij needs is there;
4. applies the operator's registration policy (approval, allowlist or open);
5. POSTs its client registration (tool_configuration.py) to the `registration_endpoint`;
6. only then stores the registration, the token's hash and a deployment id when the LMS
   sent one — in one commit, so a refusal anywhere leaves nothing half-registered.

Every failure is a LaunchRefused with a registration_* code: a translated page for the
admin. Nothing here logs the token.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app

from ..models.platform import STATUS_ACTIVE, STATUS_PENDING
from .errors import LaunchRefused
from .http import LOOPBACK_HOSTS, OutboundRefused, ResponseTooLarge, guarded_session, loopback_allowed, same_origin_as
from .registrations import TokenAlreadyUsed, add_dynamic_registration, pending_registrations, token_used
from .tool_configuration import PLATFORM_CONFIGURATION, TOOL_CONFIGURATION, client_registration

log = logging.getLogger(__name__)

POLICIES = ("approval", "allowlist", "open")
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")


@dataclass(frozen=True)
class RegistrationOutcome:
    """What the admin is told: which client, whether it waits for approval, which LMS."""

    registration_id: int
    client_id: str
    status: str
    product_family: str | None
    deployment_id: str | None


# ---------------------------------------------------------------- policy (pure)
def registration_policy() -> str:
    """The operator's policy; an unknown value counts as the strictest (approval)."""
    policy = str(current_app.config.get("ERBIJ_REGISTRATION_POLICY") or "approval").strip().lower()
    if policy not in POLICIES:
        log.warning("unknown ERBIJ_REGISTRATION_POLICY %r: using approval", policy[:40])
        return "approval"
    return policy


def allowlist_patterns(raw: str | None) -> tuple[str, ...]:
    """'https://*.school.nl, https://moodle.example.org' → the patterns, without blanks."""
    return tuple(p.strip().rstrip("/").lower() for p in (raw or "").split(",") if p.strip())


def initial_status(policy: str, patterns: tuple[str, ...], issuer: str) -> str | None:
    """The status a new registration from `issuer` gets, or None: refused by the policy."""
    if policy == "open":
        return STATUS_ACTIVE
    if policy == "allowlist":
        iss = issuer.rstrip("/").lower()
        return STATUS_ACTIVE if any(fnmatch.fnmatchcase(iss, p) for p in patterns) else None
    return STATUS_PENDING


# ---------------------------------------------------------------- checks (pure)
def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, TypeError):
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or (443 if parts.scheme == "https" else 80)


def acceptable_url(url) -> bool:
    """An absolute https URL (http only on loopback, and only when loopback is allowed)."""
    if not isinstance(url, str) or len(url) > 1000 or any(ch in url for ch in "\r\n\t "):
        return False
    origin = _origin(url)
    if origin is None or "@" in urlsplit(url).netloc:
        return False
    return origin[0] == "https" or (origin[1] in LOOPBACK_HOSTS and loopback_allowed())


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_platform_configuration(config, config_url: str) -> None:
    """The configuration comes from its issuer's site and names every address Erbij needs."""
    if not isinstance(config, dict):
        raise LaunchRefused("registration_bad_config", detail="configuration is not a JSON object")
    issuer = config.get("issuer")
    if not isinstance(issuer, str) or _origin(issuer) is None:
        raise LaunchRefused("registration_bad_config", detail="no usable issuer")
    if _origin(issuer) != _origin(config_url):
        raise LaunchRefused("registration_issuer_mismatch", detail=f"issuer {issuer[:200]!r} is not the configuration's site")
    for key in REQUIRED_ENDPOINTS:
        if not acceptable_url(config.get(key)):
            raise LaunchRefused("registration_bad_config", detail=f"{key} missing or not an acceptable URL")
    if _origin(config["registration_endpoint"]) != _origin(config_url):
        raise LaunchRefused("registration_bad_config", detail="registration_endpoint is not on the issuer's site")


def product_family(config: dict) -> str | None:
    pc = config.get(PLATFORM_CONFIGURATION)
    family = pc.get("product_family_code") if isinstance(pc, dict) else None
    return family.strip().lower()[:64] if isinstance(family, str) and family.strip() else None


def registration_name(config: dict) -> str:
    """A name for the operator's lists: the LMS's own account name, else its host."""
    pc = config.get(PLATFORM_CONFIGURATION)
    account = pc.get("https://canvas.instructure.com/lti/account_name") if isinstance(pc, dict) else None
    host = urlsplit(config["issuer"]).netloc
    family = product_family(config)
    label = account if isinstance(account, str) and account.strip() else host
    return f"{label.strip()[:150]} ({family})" if family else label.strip()[:200]


# ---------------------------------------------------------------- the flow
def _headers(token: str | None) -> dict:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _call(session, method: str, url: str, *, what: str, **kwargs) -> requests.Response:
    try:
        resp = session.request(method, url, **kwargs)
    except ResponseTooLarge as exc:
        raise LaunchRefused("registration_bad_config", detail=f"{what}: {exc}") from exc
    except OutboundRefused as exc:
        raise LaunchRefused("registration_url_refused", detail=f"{what}: {exc}") from exc
    except requests.RequestException as exc:
        raise LaunchRefused("registration_unreachable", detail=f"{what}: {type(exc).__name__}") from exc
    if resp.status_code in (401, 403):
        raise LaunchRefused("registration_token_refused", detail=f"{what}: HTTP {resp.status_code}")
    return resp


def _json(resp: requests.Response, *, what: str, code: str):
    if not 200 <= resp.status_code < 300:
        raise LaunchRefused(code, detail=f"{what}: HTTP {resp.status_code}")
    try:
        return resp.json()
    except ValueError as exc:
        raise LaunchRefused(code, detail=f"{what}: not JSON") from exc


def fetch_platform_configuration(config_url: str, token: str | None) -> dict:
    """The LMS's OpenID configuration, read and checked."""
    if not acceptable_url(config_url):
        raise LaunchRefused("registration_url_refused", detail=f"configuration URL not allowed: {str(config_url)[:200]}")
    session = guarded_session(same_origin_as(config_url))
    resp = _call(session, "GET", config_url, what="configuration", headers=_headers(token))
    config = _json(resp, what="configuration", code="registration_bad_config")
    check_platform_configuration(config, config_url)
    return config


def register_with_platform(config: dict, config_url: str, token: str | None) -> dict:
    """POST Erbij's client registration; the LMS's answer (with our client_id)."""
    body = client_registration(current_app.config["ERBIJ_BASE_URL"], config)
    session = guarded_session(same_origin_as(config_url))
    headers = {**_headers(token), "Content-Type": "application/json"}
    resp = _call(session, "POST", config["registration_endpoint"], what="registration", json=body, headers=headers)
    answer = _json(resp, what="registration", code="registration_platform_refused")
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    if not isinstance(client_id, str | int) or not str(client_id).strip() or len(str(client_id)) > 255:
        raise LaunchRefused("registration_platform_refused", detail="no client_id in the answer")
    return answer


ATTEMPTS_PER_HOUR = 20  # per address: an LMS admin needs a few; a flood of fake LMSs needs many
ATTEMPT_WINDOW = 3600


def _limit_attempts(address: str | None) -> None:
    """Registration makes Erbij call out and may add a row: bounded per address and hour.

    Counted in the shared cache (Redis in production); when the cache is down the limit
    is not applied (the cap on waiting registrations still is)."""
    from ..extensions import cache

    key = f"dynreg-attempts:{hashlib.sha256((address or '-').encode()).hexdigest()[:24]}"
    cache.add(key, 0, timeout=ATTEMPT_WINDOW)
    count = cache.inc(key)
    if count is not None and count > ATTEMPTS_PER_HOUR:
        raise LaunchRefused("registration_too_many", detail="registration attempts from one address")


def _limit_pending(status: str) -> None:
    """A registration that would wait for approval is refused when too many wait already."""
    if status != STATUS_PENDING:
        return
    cap = int(current_app.config.get("ERBIJ_MAX_PENDING_REGISTRATIONS") or 50)
    if len(pending_registrations()) >= cap:
        raise LaunchRefused("registration_too_many", detail=f"{cap} registrations wait for approval")


def register(config_url: str | None, token: str | None, address: str | None = None) -> RegistrationOutcome:
    """Run the whole registration for the LMS whose configuration is at `config_url`."""
    config_url = (config_url or "").strip()
    token = (token or "").strip() or None
    if not config_url:
        raise LaunchRefused("registration_missing_params", detail="no openid_configuration")
    if token is not None and len(token) > 4096:
        raise LaunchRefused("registration_token_refused", detail="token too long")
    hashed = token_hash(token) if token else None
    if hashed and token_used(hashed):
        raise LaunchRefused("registration_replayed", detail="registration token used before")
    _limit_attempts(address)

    config = fetch_platform_configuration(config_url, token)
    issuer = config["issuer"]  # exactly as the LMS writes it: launches carry it as `iss`
    status = initial_status(
        registration_policy(), allowlist_patterns(current_app.config.get("ERBIJ_REGISTRATION_ALLOWLIST")), issuer
    )
    if status is None:
        raise LaunchRefused("registration_not_allowed", detail=f"issuer {issuer[:200]!r} not on the allowlist")
    _limit_pending(status)

    answer = register_with_platform(config, config_url, token)
    tool_config = answer.get(TOOL_CONFIGURATION) if isinstance(answer.get(TOOL_CONFIGURATION), dict) else {}
    deployment_id = tool_config.get("deployment_id")
    deployment_id = str(deployment_id)[:255] if isinstance(deployment_id, str | int) and str(deployment_id).strip() else None
    try:
        reg = add_dynamic_registration(
            issuer=issuer,
            client_id=str(answer["client_id"]).strip(),
            auth_login_url=config["authorization_endpoint"],
            auth_token_url=config["token_endpoint"],
            key_set_url=config["jwks_uri"],
            deployment_id=deployment_id,
            status=status,
            product_family=product_family(config),
            name=registration_name(config),
            token_hash=hashed,
        )
    except TokenAlreadyUsed as exc:
        raise LaunchRefused("registration_replayed", detail="registration token used at the same moment") from exc
    from . import keys

    keys.active_key()  # the LMS fetches our JWKS next: make sure a key exists
    return RegistrationOutcome(reg.id, reg.client_id, reg.status, reg.product_family, deployment_id)
