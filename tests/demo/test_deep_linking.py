"""Deep Linking return: what the tool sends back becomes course content (or editor text)."""

from __future__ import annotations

import re

import jwt
import pytest

from lti_tool.demo.launch import CLAIM_AGS, CLAIM_CUSTOM

from .conftest import COURSE, LMS_URL, TOOL_URL, ToolKey, parse_page, rsa_key

CHECKIN_ITEM = {
    "type": "ltiResourceLink",
    "title": "Check-in klas 3B",
    "text": "Elke maandag",
    "url": f"{TOOL_URL}/lti/launch",
    "custom": {"erbij_activity": "checkin", "erbij_week_start": 1, "anonymous": True},
}
FEEDBACK_ITEM = {
    "type": "ltiResourceLink",
    "title": "Feedback: verslag",
    "custom": {"erbij_activity": "feedback"},
    "lineItem": {
        "scoreMaximum": 20,
        "label": "Verslag",
        "resourceId": "verslag-1",
        "tag": "erbij-feedback",
    },
}


def breakout_target(html: str) -> str:
    match = re.search(r'href="([^"]+)"[^>]*data-breakout', html)
    assert match, "the return page should send the browser back to the LMS"
    return match.group(1).replace("&amp;", "&")


def test_return_creates_links_with_custom_params_and_a_line_item(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    token = lms.deep_link_jwt(request, [CHECKIN_ITEM, FEEDBACK_ITEM])

    response = lms.client.post("/deep-link/return", data={"JWT": token})

    assert response.status_code == 200
    target = breakout_target(response.text)
    assert target.startswith(f"/courses/{COURSE}?added=")
    links = {link.title: link for link in lms.store.resource_links(COURSE)}
    checkin = links["Check-in klas 3B"]
    assert checkin.text == "Elke maandag"
    # Platforms keep custom parameters as strings.
    assert checkin.custom == {
        "erbij_activity": "checkin",
        "erbij_week_start": "1",
        "anonymous": "true",
    }
    assert lms.store.line_items(COURSE, resource_link_id=checkin.id) == []
    feedback = links["Feedback: verslag"]
    (item,) = lms.store.line_items(COURSE, resource_link_id=feedback.id)
    assert (item.label, item.score_maximum, item.resource_id, item.tag) == (
        "Verslag",
        20.0,
        "verslag-1",
        "erbij-feedback",
    )

    course_page = lms.client.get(target).text
    assert "Added to the course" in course_page
    assert "Feedback: verslag" in course_page

    launch = lms.launch(f"/courses/{COURSE}/activities/{feedback.id}")
    assert launch[CLAIM_CUSTOM] == {"erbij_activity": "feedback"}
    assert launch[CLAIM_AGS]["lineitem"] == (f"{LMS_URL}/api/lti/courses/{COURSE}/lineitems/{item.id}")


def test_return_works_without_the_lms_cookie(lms):
    """The return POST comes from the tool's page: the LMS cookie may not be sent."""
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    lms.client.delete_cookie("demo_lms_session")

    response = lms.client.post("/deep-link/return", data={"JWT": lms.deep_link_jwt(request, [CHECKIN_ITEM])})

    assert response.status_code == 200
    assert "Check-in klas 3B" in [link.title for link in lms.store.resource_links(COURSE)]


def test_return_with_no_items_adds_nothing_and_passes_the_tool_message(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    token = lms.deep_link_jwt(request, [], **{"https://purl.imsglobal.org/spec/lti-dl/claim/msg": "Niets gekozen"})
    before = len(lms.store.resource_links(COURSE))

    response = lms.client.post("/deep-link/return", data={"JWT": token})

    assert response.status_code == 200
    assert len(lms.store.resource_links(COURSE)) == before
    page = lms.client.get(breakout_target(response.text)).text
    assert "Niets gekozen" in page


def test_html_items_from_the_editor_are_shown_sandboxed(lms):
    request = lms.launch(f"/courses/{COURSE}/editor?insert=1")
    html = "<p>Het lijkt erop dat je <strong>goed op weg</strong> bent.</p><script>alert(1)</script>"
    token = lms.deep_link_jwt(request, [{"type": "html", "html": html, "title": "Feedback"}])

    response = lms.client.post("/deep-link/return", data={"JWT": token})

    assert response.status_code == 200
    target = breakout_target(response.text)
    assert target.startswith(f"/courses/{COURSE}/editor?inserted=")
    page = lms.client.get(target).text
    preview = next(f for f in parse_page(page).iframes if f.get("srcdoc"))
    assert preview["sandbox"] == ""
    assert preview["srcdoc"] == html  # escaped in the attribute, intact in the frame
    assert "<script>alert(1)</script>" not in page  # never live in the LMS page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the raw text, shown


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"aud": ["https://other-lms.example"]}, "audience"),
        ({"iss": "other-client"}, "issuer"),
        ({"nonce": None}, "nonce"),
        ({"exp": 1000}, "expired"),
        (
            {"https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest"},
            "message_type",
        ),
        (
            {"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "other-deployment"},
            "deployment_id",
        ),
        ({"https://purl.imsglobal.org/spec/lti-dl/claim/data": "forged"}, "data"),
        ({"https://purl.imsglobal.org/spec/lti-dl/claim/data": None}, "data"),
    ],
)
def test_return_refuses_invalid_responses_with_a_400_page(lms, change, reason):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    before = len(lms.store.resource_links(COURSE))

    response = lms.client.post("/deep-link/return", data={"JWT": lms.deep_link_jwt(request, [CHECKIN_ITEM], **change)})

    assert response.status_code == 400
    assert reason in response.text.lower()
    assert len(lms.store.resource_links(COURSE)) == before


def test_return_refuses_a_bad_signature(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    # Same kid as the real tool key, signed by a different key.
    impostor = ToolKey(rsa_key("impostor"), kid=lms.tool.kid)
    claims_token = lms.deep_link_jwt(request, [CHECKIN_ITEM])
    forged = impostor.sign(jwt.decode(claims_token, options={"verify_signature": False}))

    response = lms.client.post("/deep-link/return", data={"JWT": forged})

    assert response.status_code == 400
    assert "Signature verification failed" in response.text


def test_return_refuses_a_replayed_response(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    token = lms.deep_link_jwt(request, [CHECKIN_ITEM])

    assert lms.client.post("/deep-link/return", data={"JWT": token}).status_code == 200
    again = lms.client.post("/deep-link/return", data={"JWT": token})

    assert again.status_code == 400
    assert "already used" in again.text


def test_return_refuses_item_types_that_were_not_asked_for(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    token = lms.deep_link_jwt(request, [{"type": "html", "html": "<p>hoi</p>"}])

    response = lms.client.post("/deep-link/return", data={"JWT": token})

    assert response.status_code == 400
    assert "html" in response.text


@pytest.mark.parametrize(
    "item",
    [
        {"type": "ltiResourceLink", "custom": {"nested": {"a": 1}}},
        {"type": "ltiResourceLink", "lineItem": {"scoreMaximum": 0}},
        {"type": "ltiResourceLink", "lineItem": {"label": "no maximum"}},
        {"type": "ltiResourceLink", "url": "https://elsewhere.example/launch"},
        {"title": "no type"},
        "not an object",
    ],
)
def test_return_refuses_malformed_items_without_a_500(lms, item):
    request = lms.launch(f"/courses/{COURSE}/add-activity")

    response = lms.client.post("/deep-link/return", data={"JWT": lms.deep_link_jwt(request, [item])})

    assert response.status_code == 400


def test_return_without_jwt_or_with_garbage_is_a_400(lms):
    assert lms.client.post("/deep-link/return", data={}).status_code == 400
    assert lms.client.post("/deep-link/return", data={"JWT": "abc"}).status_code == 400


def test_return_from_a_tool_whose_jwks_cannot_be_fetched_is_a_400(lms):
    request = lms.launch(f"/courses/{COURSE}/add-activity")
    token = lms.deep_link_jwt(request, [CHECKIN_ITEM])
    lms.jwks.keys.clear()  # the tool publishes no keys (e.g. misconfigured)

    response = lms.client.post("/deep-link/return", data={"JWT": token})

    assert response.status_code == 400
    assert "no key with kid" in response.text
