"""Deep Linking: the teacher adds a check-in or a feedback column; the LMS gets a signed item."""

import re

import jwt
from jwt.algorithms import RSAAlgorithm

from ..platform import LTI


def _dl_launch(launch):
    return launch("instructor", message_type="LtiDeepLinkingRequest", activity=None)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _verify(client, token: str, platform) -> dict:
    header = jwt.get_unverified_header(token)
    keys = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
    key = RSAAlgorithm.from_jwk(keys[header["kid"]])
    return jwt.decode(token, key, algorithms=["RS256"], audience=platform.issuer)


def test_deep_linking_round_trip_feedback_with_line_item(client, launch, platform):
    result = _dl_launch(launch)
    page = result.response.get_data(as_text=True)
    assert result.response.status_code == 200 and 'name="activity"' in page
    resp = client.post(f"/l/{result.lid}/deep-link", data={"activity": "feedback", "title": "Betoog", "maximum": "8,5", "csrf_token": _csrf(page)})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'action="{platform.issuer}/deep-link/return"' in html
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    claims = _verify(client, token, platform)
    assert claims["iss"] == platform.client_id
    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[LTI + "deployment_id"] == platform.deployment_id
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "dl-data-123"  # echoed back
    (item,) = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Betoog"
    assert item["custom"] == {"erbij_activity": "feedback"}
    assert item["url"].endswith("/lti/launch")
    assert item["lineItem"]["scoreMaximum"] == 8.5 and item["lineItem"]["label"] == "Betoog"


def test_deep_linking_checkin_has_no_line_item(client, launch, platform):
    result = _dl_launch(launch)
    page = result.response.get_data(as_text=True)
    resp = client.post(f"/l/{result.lid}/deep-link", data={"activity": "checkin", "title": "", "csrf_token": _csrf(page)})
    token = re.search(r'name="JWT" value="([^"]+)"', resp.get_data(as_text=True)).group(1)
    (item,) = _verify(client, token, platform)["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["custom"] == {"erbij_activity": "checkin"} and "lineItem" not in item
    assert item["title"] in ("Wekelijkse check-in", "Weekly check-in")


def test_deep_linking_form_errors_keep_input(client, launch):
    result = _dl_launch(launch)
    page = result.response.get_data(as_text=True)
    resp = client.post(f"/l/{result.lid}/deep-link", data={"activity": "feedback", "title": "Mijn titel", "maximum": "veel", "csrf_token": _csrf(page)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'value="Mijn titel"' in html and 'value="veel"' in html and 'aria-invalid="true"' in html


def test_learner_cannot_deep_link(launch):
    result = launch("learner", message_type="LtiDeepLinkingRequest", activity=None)
    assert result.response.status_code == 403


def test_launch_of_the_returned_link_routes_by_custom_parameter(app, launch):
    from lti_tool.extensions import db
    from lti_tool.models import ResourceLink

    launch("instructor", activity="feedback", link="new-link")
    with app.app_context():
        assert db.session.execute(db.select(ResourceLink)).scalar_one().activity == "feedback"


DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def _settings(url: str) -> dict:
    return {DL: {"deep_link_return_url": url, "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe"]}}


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)//https://lms.example.org/",
        "data:text/html,<script>alert(1)</script>",
        "https://attacker.example/collect",
        "https://lms.example.org.attacker.example/return",
        "https://attacker.example\\@lms.example.org/return",
        "https://user@lms.example.org/return",
        "http://lms.example.org/deep-link/return",  # http on a real host: the signed items would travel in clear
        "https://lms.example.org:8443/return",  # another port is another origin
        "ftp://lms.example.org/return",
        "//lms.example.org/return",
        "https://lms.example.org/re turn",
        "",
    ],
)
def test_deep_linking_return_url_must_be_on_the_platform(client, launch, platform, url):
    """The signed response is posted only to the platform: never to another site or a script URL."""
    from ..platform import start_login

    step = start_login(client, platform)
    claims = platform.claims(nonce=step.nonce, message_type="LtiDeepLinkingRequest", activity=None)
    claims.update(_settings(url))
    resp = client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": step.state})
    assert resp.status_code == 400 and 'data-error-code="invalid_message"' in resp.get_data(as_text=True)


def test_deep_linking_return_url_checks(app):
    from lti_tool.lti.http import is_platform_url
    from lti_tool.lti.launch_cache import RegistrationInfo

    canvas = RegistrationInfo(1, "https://canvas.instructure.com", "c", "https://sso.canvaslms.com/api/lti/authorize_redirect", "https://sso.canvaslms.com/login/oauth2/token", None, "https://sso.canvaslms.com/api/lti/security/jwks", True)
    demo = RegistrationInfo(2, "http://localhost:5001", "c", "http://localhost:5001/auth", "http://localhost:5001/token", None, "http://localhost:5001/jwks", True)
    with app.app_context():
        assert is_platform_url("https://school.instructure.com/courses/1/deep_linking_response", canvas)
        assert not is_platform_url("https://instructure.com.evil.example/x", canvas)
        assert not is_platform_url("https://evilinstructure.com/x", canvas)
        assert is_platform_url("http://localhost:5001/deep-link/return", demo)  # loopback, in tests
        assert not is_platform_url("http://localhost:5002/deep-link/return", demo)
        app.config["TESTING"] = False
        before = app.config.pop("ERBIJ_ALLOW_LOOPBACK", None)
        try:
            assert not is_platform_url("http://localhost:5001/deep-link/return", demo)  # not without ERBIJ_ALLOW_LOOPBACK=1
            app.config["ERBIJ_ALLOW_LOOPBACK"] = True
            assert is_platform_url("http://localhost:5001/deep-link/return", demo)
        finally:
            app.config["TESTING"] = True
            app.config["ERBIJ_ALLOW_LOOPBACK"] = before
