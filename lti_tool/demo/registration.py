"""The demo LMS installs Erbij the way a real LMS does: LTI Dynamic Registration.

The admin page (`/admin/tools`) hands out a one-time registration token and opens the
tool's registration URL in a frame with `openid_configuration` and `registration_token`.
Erbij then reads this LMS's OpenID configuration and POSTs its client registration (both
with the token as Bearer, like Canvas); the LMS keeps the registration, answers with its
client id and deployment id, and spends the token. When Erbij's page posts
`org.imsglobal.lti.close`, the admin page closes the frame and shows the installed tool.

The demo's client id and deployment id stay the configured ones (DEMO_CLIENT_ID,
DEMO_DEPLOYMENT_ID): launches are built from them, and the registered URLs must be the
tool's own (DEMO_TOOL_URL), or the registration is refused.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from .context import get_lms

bp = Blueprint("demo_registration", __name__)

TOKEN_TTL = 3600  # seconds; Brightspace's tokens are valid for an hour too
SETTING_TOOL = "registered_tool"  # the tool's registration as the LMS keeps it (JSON)
SETTING_PENDING = "pending_registration"  # the outstanding registration token and its expiry (JSON)
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"


def registered_tool() -> dict[str, Any] | None:
    """The tool's registration as this LMS received it, or None before installation."""
    raw = get_lms().store.get_setting(SETTING_TOOL)
    return json.loads(raw) if raw else None


def openid_configuration_url() -> str:
    return f"{get_lms().platform.lms_url}/.well-known/openid-configuration"


def _new_token() -> str:
    token = secrets.token_urlsafe(24)
    get_lms().store.set_setting(SETTING_PENDING, json.dumps({"token": token, "expires_at": time.time() + TOKEN_TTL}))
    return token


def _bearer_ok() -> bool:
    """The request carries the outstanding, unexpired registration token."""
    raw = get_lms().store.get_setting(SETTING_PENDING)
    if not raw:
        return False
    stored = json.loads(raw)
    given = request.headers.get("Authorization", "")
    return stored["expires_at"] > time.time() and secrets.compare_digest(given, f"Bearer {stored['token']}")


def _spend_token() -> bool:
    """Use the token once (two registrations with one token: only the first wins)."""
    raw = get_lms().store.get_setting(SETTING_PENDING)
    return bool(raw) and get_lms().store.use_once("registration_token", json.loads(raw)["token"], time.time() + TOKEN_TTL)


def _error(status: int, code: str, description: str) -> tuple[Response, int]:
    return jsonify({"error": code, "error_description": description}), status


@bp.app_context_processor
def _tool_installed() -> dict[str, Any]:
    return {"demo_tool_installed": registered_tool() is not None}


# ---------------------------------------------------------------- the admin's page
@bp.get("/admin/tools")
def admin_tools() -> str:
    lms = get_lms()
    return render_template(
        "demo/admin_tools.html",
        tool=registered_tool(),
        register_url=request.args.get("register_url") or f"{lms.platform.tool_url}/lti/register",
        just_installed=request.args.get("installed") == "1",
    )


@bp.post("/admin/tools/register")
def start_registration() -> str:
    """Open the tool's registration URL in a frame, with a fresh one-time token."""
    lms = get_lms()
    register_url = (request.form.get("register_url") or "").strip()
    parts = urlsplit(register_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return render_template(
            "demo/admin_tools.html", tool=registered_tool(), register_url=register_url, just_installed=False,
            error="Enter the tool's registration URL, e.g. http://127.0.0.1:5000/lti/register.",
        ), 400  # fmt: skip
    query = urlencode({"openid_configuration": openid_configuration_url(), "registration_token": _new_token()})
    sep = "&" if parts.query else "?"
    return render_template(
        "demo/admin_tools.html",
        tool=registered_tool(),
        register_url=register_url,
        just_installed=False,
        frame_url=f"{register_url}{sep}{query}",
        tool_origin=f"{parts.scheme}://{parts.netloc}",
        done_url=url_for(".admin_tools", installed="1"),
        lms_url=lms.platform.lms_url,
    )


@bp.post("/admin/tools/remove")
def remove_tool() -> Response:
    get_lms().store.set_setting(SETTING_TOOL, "")
    return redirect(url_for(".admin_tools"))


# ---------------------------------------------------------------- what the tool calls
@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> tuple[Response, int] | Response:
    if not _bearer_ok():
        return _error(401, "invalid_token", "A valid registration token is required (Authorization: Bearer).")
    platform = get_lms().platform
    return jsonify(
        {
            "issuer": platform.issuer,
            "authorization_endpoint": platform.auth_url,
            "token_endpoint": platform.token_url,
            "jwks_uri": platform.jwks_url,
            "registration_endpoint": f"{platform.lms_url}/api/lti/registrations",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": [
                "openid",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            "claims_supported": ["iss", "sub", "aud", "name", "given_name", "family_name", "email", "locale"],
            PLATFORM_CONFIGURATION: {
                "product_family_code": "erbij-demo-lms",
                "version": "1.0",
                "messages_supported": [
                    {"type": "LtiResourceLinkRequest"},
                    {"type": "LtiDeepLinkingRequest", "placements": ["ContentItemSelectionRequest", "editor_button"]},
                    {"type": "LtiSubmissionReviewRequest"},
                ],
            },
        }
    )


@bp.post("/api/lti/registrations")
def receive_registration() -> tuple[Response, int] | Response:
    if not _bearer_ok():
        return _error(401, "invalid_token", "A valid registration token is required (Authorization: Bearer).")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "invalid_client_metadata", "The registration must be a JSON object.")
    platform = get_lms().platform
    if body.get("initiate_login_uri") != platform.tool_login_url or platform.tool_launch_url not in (body.get("redirect_uris") or []):
        return _error(
            400,
            "invalid_redirect_uri",
            f"This demo LMS launches {platform.tool_url}: login {platform.tool_login_url}, redirect {platform.tool_launch_url}.",
        )
    if body.get("jwks_uri") != platform.tool_jwks_url or not isinstance(body.get(TOOL_CONFIGURATION), dict):
        return _error(400, "invalid_client_metadata", "jwks_uri or the LTI tool configuration is missing or wrong.")
    if not _spend_token():
        return _error(401, "invalid_token", "This registration token was used already.")
    answer = {
        **body,
        "client_id": platform.client_id,
        TOOL_CONFIGURATION: {**body[TOOL_CONFIGURATION], "deployment_id": platform.deployment_id},
    }
    get_lms().store.set_setting(SETTING_TOOL, json.dumps({**answer, "registered_at": time.time()}))
    return jsonify(answer), 201
