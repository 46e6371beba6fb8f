"""The token endpoint: client_credentials with a JWT client assertion (LTI Security 1.0)."""

from __future__ import annotations

import secrets
import time

from flask import Blueprint, Response, jsonify, request

from .context import get_lms
from .launch import ALL_SERVICE_SCOPES
from .service_auth import ServiceError, install_service_hooks
from .tool_keys import ToolJwtError

bp = Blueprint("demo_oauth", __name__)
install_service_hooks(bp, "token")

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_LIFETIME_SECONDS = 3600


class OAuthError(ServiceError):
    """An OAuth 2 error response: {"error": code, "error_description": ...}."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(status, description)
        self.code = code


@bp.errorhandler(OAuthError)
def _oauth_error(exc: OAuthError) -> tuple[Response, int]:
    return jsonify({"error": exc.code, "error_description": exc.message}), exc.status


@bp.post("/oauth2/token")
def token() -> Response:
    """Exchange a signed client assertion for a Bearer token with the granted scopes."""
    lms = get_lms()
    platform = lms.platform
    # Canvas refuses service requests without a User-Agent; so do we, to catch it early.
    if not request.headers.get("User-Agent", "").strip():
        raise OAuthError("invalid_request", "A User-Agent header is required.")
    form = request.form
    if form.get("grant_type") != "client_credentials":
        raise OAuthError("unsupported_grant_type", "grant_type must be client_credentials.")
    if form.get("client_assertion_type") != JWT_BEARER:
        raise OAuthError("invalid_request", f"client_assertion_type must be {JWT_BEARER}.")
    assertion = form.get("client_assertion", "")
    if not assertion:
        raise OAuthError("invalid_request", "client_assertion is missing.")

    try:
        claims = lms.tool_keys.verify(
            assertion,
            audience=platform.token_url,
            issuer=platform.client_id,
            required=("exp", "iat", "jti", "sub"),
        )
    except ToolJwtError as exc:
        raise OAuthError("invalid_client", str(exc), 401) from exc
    if claims.get("sub") != platform.client_id:
        raise OAuthError("invalid_client", "sub must equal the client_id.", 401)
    if not lms.store.use_once("client-assertion-jti", str(claims["jti"]), float(claims["exp"]) + 60):
        raise OAuthError("invalid_client", "This client assertion was already used (jti).", 401)

    requested = form.get("scope", "").split()
    granted = [scope for scope in requested if scope in ALL_SERVICE_SCOPES]
    if not granted:
        raise OAuthError("invalid_scope", f"None of the requested scopes is offered: {requested}.")

    access_token = secrets.token_urlsafe(32)
    lms.store.save_access_token(access_token, granted, time.time() + TOKEN_LIFETIME_SECONDS)
    lms.store.increment("tokens_issued")
    response = jsonify(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "scope": " ".join(granted),
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response
