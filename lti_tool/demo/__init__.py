"""The built-in demo LMS: a small but real LTI 1.3 platform for trying and testing Erbij.

A separate Flask app (never part of Erbij's production app): `create_demo_app()` here,
`python -m lti_tool.demo` to run it next to Erbij. It keeps its own SQLite state and RSA
key in DEMO_DATA_DIR.

Config keys (defaults in DEFAULTS): DEMO_LMS_URL (also the issuer), DEMO_TOOL_URL,
DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID, DEMO_DATA_DIR, DEMO_TOOL_JWKS_FETCH (callable
url -> JWKS dict; tests pass one to avoid HTTP), DEMO_TIMEOUT_SLEEP (seconds an injected
"timeout" fault sleeps), SECRET_KEY (generated and kept in the data dir when not given).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from . import ags, deep_linking, faults, grader, nrps, oauth, oidc, registration, views
from .context import EXTENSION_KEY, DemoLms, PlatformConfig
from .errors import DemoError
from .platform_keys import load_or_create_platform_key, load_or_create_secret
from .seed import seed_if_empty
from .store import Store
from .tool_keys import ToolKeys, fetch_jwks_over_http

REPO_ROOT = Path(__file__).resolve().parents[2]

DEFAULTS: dict[str, Any] = {
    "DEMO_LMS_URL": "http://localhost:5001",
    "DEMO_TOOL_URL": "http://127.0.0.1:5000",
    "DEMO_CLIENT_ID": "erbij-demo",
    "DEMO_DEPLOYMENT_ID": "demo-deployment-1",
    "DEMO_DATA_DIR": REPO_ROOT / "instance" / "demo_lms",
    "DEMO_TOOL_JWKS_FETCH": None,
    "DEMO_TIMEOUT_SLEEP": 12.0,
}

# Paths answered as JSON (services and test API); everything else is a page.
_JSON_PREFIXES = ("/api/", "/demo/api/", "/oauth2/")


def create_demo_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the demo LMS app; seeds the demo school and key on first start."""
    settings = {**DEFAULTS, **(config or {})}
    data_dir = Path(settings["DEMO_DATA_DIR"])
    data_dir.mkdir(parents=True, exist_ok=True)

    app = Flask(__name__, template_folder="../../templates")
    app.config.update(settings)
    app.config["SECRET_KEY"] = settings.get("SECRET_KEY") or load_or_create_secret(data_dir)
    # Its own cookie name: cookies ignore ports, so on one host name the LMS and Erbij
    # would otherwise overwrite each other's "session". Lax: first-party use only.
    app.config.update(
        SESSION_COOKIE_NAME="demo_lms_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
    )

    store = Store(data_dir / "demo_lms.sqlite3")
    seed_if_empty(store)
    platform = PlatformConfig(
        lms_url=str(settings["DEMO_LMS_URL"]).rstrip("/"),
        tool_url=str(settings["DEMO_TOOL_URL"]).rstrip("/"),
        client_id=str(settings["DEMO_CLIENT_ID"]),
        deployment_id=str(settings["DEMO_DEPLOYMENT_ID"]),
    )
    app.extensions[EXTENSION_KEY] = DemoLms(
        platform=platform,
        store=store,
        platform_key=load_or_create_platform_key(data_dir),
        tool_keys=ToolKeys(
            platform.tool_jwks_url,
            settings["DEMO_TOOL_JWKS_FETCH"] or fetch_jwks_over_http,
        ),
        secret_key=app.config["SECRET_KEY"],
        platform_guid=store.set_setting_if_absent("platform_guid", str(uuid.uuid4())),
        timeout_sleep=float(settings["DEMO_TIMEOUT_SLEEP"]),
    )

    assert grader.bp is views.bp  # "grade in the LMS" adds its pages to the pages blueprint
    for module in (views, oidc, deep_linking, oauth, nrps, ags, faults, registration):
        app.register_blueprint(module.bp)
    _register_error_pages(app)
    app.after_request(_security_headers)
    return app


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(DemoError)
    def _demo_error(exc: DemoError) -> tuple[str, int]:
        return render_template("demo/error.html", title=exc.title, message=exc.message), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | tuple[str, int]:
        status = exc.code or 500
        if request.path.startswith(_JSON_PREFIXES):
            response = jsonify({"error": {"code": status, "message": exc.description}})
            response.status_code = status
            return response
        return render_template("demo/error.html", title=exc.name, message=exc.description), status


def _security_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        # Scripts only from files the demo serves itself: no inline JS, no CDN.
        response.headers.setdefault(
            "Content-Security-Policy",
            "script-src 'self'; object-src 'none'; base-uri 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response
