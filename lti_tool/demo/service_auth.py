"""What every LTI service endpoint shares: Bearer-token checks, JSON errors, request log."""

from __future__ import annotations

import time

from flask import Blueprint, Response, g, jsonify, request

from .context import get_lms


class ServiceError(Exception):
    """A refusal of a service request, answered as JSON with this HTTP status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = jsonify({"error": {"code": status, "message": message}})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def require_scopes(*any_of: str) -> list[str]:
    """Check the Bearer token: 401 if missing, unknown or expired; 403 without the scope.

    Returns the token's scopes.
    """
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="demo-lms"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise ServiceError(401, "A Bearer access token is required.", challenge)
    entry = get_lms().store.get_access_token(token.strip())
    if entry is None:
        raise ServiceError(401, "Unknown access token.", challenge)
    scopes, expires_at = entry
    if expires_at < time.time():
        raise ServiceError(401, "The access token has expired.", challenge)
    if not set(scopes) & set(any_of):
        raise ServiceError(403, f"The access token lacks the scope: one of {', '.join(any_of)}.")
    return scopes


def install_service_hooks(bp: Blueprint, kind: str) -> None:
    """JSON errors and one log line per request (method, path, status) for this blueprint.

    A view may set `g.service_log_kind` / `g.service_log_user` to refine the log line
    (score posts are counted per student for /demo/api/stats).
    """

    @bp.errorhandler(ServiceError)
    def _service_error(exc: ServiceError) -> Response:
        return json_error(exc.status, exc.message, exc.headers)

    @bp.after_request
    def _log(response: Response) -> Response:
        get_lms().store.log_service_request(
            request.method,
            request.full_path.rstrip("?"),
            response.status_code,
            g.get("service_log_kind", kind),
            g.get("service_log_user"),
        )
        return response
