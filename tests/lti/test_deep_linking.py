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
