"""How an LMS installs Erbij: /lti/register (Dynamic Registration) and /lti/canvas.json.

Both are public addresses meant to be pasted into an LMS. /lti/register runs in the LMS's
own frame (Canvas, Moodle) or tab (Brightspace) before Erbij knows that LMS, so its pages
— the result and every refusal — may be framed by the site that sent the admin here.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, render_template, request

from ..serving import BASE_CSP
from . import dynamic_registration
from .tool_configuration import canvas_json, tool_urls

bp = Blueprint("lti_registration", __name__)


def _framing_origin(url: str) -> str | None:
    """The origin of the configuration URL, when it may be named in a CSP."""
    if not dynamic_registration.acceptable_url(url):
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.after_request
def _let_the_lms_frame_us(resp):
    origin = g.get("registration_frame_origin")
    if origin:
        resp.headers["Content-Security-Policy"] = f"{BASE_CSP}; frame-ancestors 'self' {origin}"
    return resp


@bp.route("/lti/register")
def register():
    config_url = request.args.get("openid_configuration", "")
    g.registration_frame_origin = _framing_origin(config_url.strip())
    outcome = dynamic_registration.register(config_url, request.args.get("registration_token"), request.remote_addr)
    return render_template(
        "lti/registered.html",
        outcome=outcome,
        family=_family_key(outcome.product_family),
        urls=tool_urls(current_app.config["ERBIJ_BASE_URL"]),
    )


def _family_key(product_family: str | None) -> str:
    """Which LMS's next steps to show: moodle, canvas, brightspace or other."""
    family = (product_family or "").lower()
    if "moodle" in family:
        return "moodle"
    if "canvas" in family:
        return "canvas"
    if "desire2learn" in family or "d2l" in family or "brightspace" in family:
        return "brightspace"
    return "other"


@bp.route("/lti/canvas.json")
def canvas_configuration():
    resp = jsonify(canvas_json(current_app.config["ERBIJ_BASE_URL"]))
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
