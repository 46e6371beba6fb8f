"""The demo LMS installs Erbij by LTI Dynamic Registration: its admin page, its OpenID
configuration and registration endpoint (one-time Bearer token), and Erbij's real
/lti/register talking to it (requests forwarded in-process through `responses`)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool.demo.registration import TOOL_CONFIGURATION
from lti_tool.extensions import db
from lti_tool.models import Registration

from .conftest import CLIENT_ID, DEPLOYMENT_ID, LMS_URL

ERBIJ = "https://erbij.test"  # the Erbij test app's base URL (tests/platform.py)


@pytest.fixture
def demo(make_demo_app: Any) -> Any:
    return make_demo_app(DEMO_TOOL_URL=ERBIJ)


def start(demo: Any) -> tuple[Any, str, str]:
    """Click Register on Admin › Tools; the frame URL and the token it carries."""
    browser = demo.test_client()
    page = browser.post("/admin/tools/register", data={"register_url": f"{ERBIJ}/lti/register"}).get_data(as_text=True)
    frame = re.search(r'<iframe[^>]+src="([^"]+)"', page).group(1).replace("&amp;", "&")
    query = {k: v[0] for k, v in parse_qs(urlsplit(frame).query).items()}
    assert frame.startswith(f"{ERBIJ}/lti/register?")
    assert query["openid_configuration"] == f"{LMS_URL}/.well-known/openid-configuration"
    return browser, frame, query["registration_token"]


def forward_to(demo: Any, rsps: Any) -> None:
    """Erbij's outbound calls to the demo LMS reach the demo app's test client."""
    lms = demo.test_client()

    def handle(request):
        parts = urlsplit(request.url)
        resp = lms.open(
            parts.path + (f"?{parts.query}" if parts.query else ""),
            method=request.method,
            headers=dict(request.headers),
            data=request.body,
        )
        return resp.status_code, {"Content-Type": resp.content_type}, resp.get_data()

    for method in ("GET", "POST"):
        rsps.add_callback(method, re.compile(re.escape(LMS_URL) + r"/.*"), callback=handle)


def test_admin_page_before_installation(demo: Any) -> None:
    page = demo.test_client().get("/admin/tools").get_data(as_text=True)
    assert "data-no-tool" in page and f'value="{ERBIJ}/lti/register"' in page
    home = demo.test_client().get("/").get_data(as_text=True)
    assert "data-install-banner" in home


def test_configuration_and_registration_need_the_token_once(demo: Any) -> None:
    _, _, token = start(demo)
    api = demo.test_client()
    assert api.get("/.well-known/openid-configuration").status_code == 401
    assert api.get("/.well-known/openid-configuration", headers={"Authorization": "Bearer nope"}).status_code == 401
    bearer = {"Authorization": f"Bearer {token}"}
    config = api.get("/.well-known/openid-configuration", headers=bearer).get_json()
    assert config["issuer"] == LMS_URL and config["registration_endpoint"] == f"{LMS_URL}/api/lti/registrations"
    body = {
        "initiate_login_uri": f"{ERBIJ}/lti/login",
        "redirect_uris": [f"{ERBIJ}/lti/launch"],
        "jwks_uri": f"{ERBIJ}/lti/jwks",
        "client_name": "Erbij",
        "scope": "",
        TOOL_CONFIGURATION: {"domain": "erbij.test", "messages": []},
    }
    wrong = api.post("/api/lti/registrations", json={**body, "initiate_login_uri": "https://evil.example/login"}, headers=bearer)
    assert wrong.status_code == 400 and wrong.get_json()["error"] == "invalid_redirect_uri"
    ok = api.post("/api/lti/registrations", json=body, headers=bearer)
    assert ok.status_code == 201
    answer = ok.get_json()
    assert answer["client_id"] == CLIENT_ID and answer[TOOL_CONFIGURATION]["deployment_id"] == DEPLOYMENT_ID
    again = api.post("/api/lti/registrations", json=body, headers=bearer)
    assert again.status_code == 401  # single use


def test_erbij_registers_itself_with_the_demo_lms(app: Any, demo: Any, rsps: Any) -> None:
    app.config["ERBIJ_REGISTRATION_POLICY"] = "open"
    try:
        browser, frame, _ = start(demo)
        forward_to(demo, rsps)
        erbij = app.test_client()
        erbij.environ_base["wsgi.url_scheme"] = "https"
        resp = erbij.get(frame.removeprefix(ERBIJ), headers={"Accept-Language": "en"})
    finally:
        app.config["ERBIJ_REGISTRATION_POLICY"] = "approval"
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page[:2000]
    assert 'data-registration-status="active"' in page and "data-registration-close" in page
    assert f"frame-ancestors 'self' {LMS_URL}" in resp.headers["Content-Security-Policy"]
    with app.app_context():
        reg = db.session.execute(db.select(Registration)).scalar_one()
        assert (reg.issuer, reg.client_id, reg.registered_via) == (LMS_URL, CLIENT_ID, "dynamic")
        assert [d.deployment_id for d in reg.deployments] == [DEPLOYMENT_ID]
        assert reg.product_family == "erbij-demo-lms"
    admin = browser.get("/admin/tools?installed=1").get_data(as_text=True)
    assert "data-installed" in admin and "data-registered-tool" in admin and CLIENT_ID in admin
    assert "LtiDeepLinkingRequest (ContentItemSelectionRequest, editor_button)" in admin
    assert "data-install-banner" not in browser.get("/").get_data(as_text=True)
