"""Login initiation → /auth → id_token: the launch contract between the demo LMS and Erbij."""

from __future__ import annotations

import time

import jwt
import pytest

from lti_tool.demo.hints import MessageHint, encode_message_hint
from lti_tool.demo.launch import (
    CLAIM_AGS,
    CLAIM_CONTEXT,
    CLAIM_CUSTOM,
    CLAIM_DEPLOYMENT_ID,
    CLAIM_DL_SETTINGS,
    CLAIM_LAUNCH_PRESENTATION,
    CLAIM_MESSAGE_TYPE,
    CLAIM_NRPS,
    CLAIM_RESOURCE_LINK,
    CLAIM_ROLES,
    CLAIM_TARGET_LINK_URI,
    CLAIM_TOOL_PLATFORM,
    CLAIM_VERSION,
    LaunchContext,
    build_id_token,
    id_token_claims,
)

from .conftest import (
    CHECKIN,
    CLIENT_ID,
    COURSE,
    DEPLOYMENT_ID,
    FEEDBACK,
    LMS_URL,
    STUDENT,
    TEACHER,
    TOOL_URL,
    parse_page,
)

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


def test_login_form_posts_to_the_tool_into_the_iframe(lms):
    page = lms.client.get(f"/courses/{COURSE}/activities/{CHECKIN}").text
    parsed = parse_page(page)
    form = next(f for f in parsed.forms if f.get("action") == f"{TOOL_URL}/lti/login")
    iframe = parsed.iframes[0]

    assert form["method"] == "post"
    assert form["target"] == iframe["name"]
    assert "data-autosubmit" in form
    assert iframe["title"] == "Erbij: Wekelijkse check-in"
    assert iframe["allow"] == "clipboard-write"
    assert set(form["fields"]) == {
        "iss",
        "login_hint",
        "target_link_uri",
        "lti_message_hint",
        "client_id",
        "lti_deployment_id",
        "lti_storage_target",
    }
    assert form["fields"]["iss"] == LMS_URL
    assert form["fields"]["login_hint"] == TEACHER
    assert form["fields"]["target_link_uri"] == f"{TOOL_URL}/lti/launch"
    assert form["fields"]["client_id"] == CLIENT_ID
    assert form["fields"]["lti_deployment_id"] == DEPLOYMENT_ID
    # No JavaScript: a visible button submits the same form.
    assert ">Start Erbij</button>" in page


def test_teacher_resource_link_launch_has_every_claim(lms):
    claims = lms.launch(f"/courses/{COURSE}/activities/{FEEDBACK}")

    assert claims["iss"] == LMS_URL
    assert claims["aud"] == CLIENT_ID
    assert claims["azp"] == CLIENT_ID
    assert claims["sub"] == TEACHER
    assert claims["exp"] - claims["iat"] == 300
    assert abs(claims["iat"] - time.time()) < 5
    assert claims[CLAIM_DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert claims[CLAIM_MESSAGE_TYPE] == "LtiResourceLinkRequest"
    assert claims[CLAIM_VERSION] == "1.3.0"
    assert claims[CLAIM_ROLES] == [
        LIS + "membership#Instructor",
        LIS + "institution/person#Faculty",
    ]
    assert claims[CLAIM_CONTEXT] == {
        "id": COURSE,
        "label": "NL2",
        "title": "Nederlands 2 (demo)",
        "type": [LIS + "course#CourseOffering"],
    }
    assert claims[CLAIM_RESOURCE_LINK]["id"] == FEEDBACK
    assert claims[CLAIM_RESOURCE_LINK]["title"] == "Feedback: betoog"
    assert claims[CLAIM_TARGET_LINK_URI] == f"{TOOL_URL}/lti/launch"
    assert claims[CLAIM_LAUNCH_PRESENTATION] == {
        "locale": "nl",
        "document_target": "iframe",
        "return_url": f"{LMS_URL}/courses/{COURSE}",
    }
    assert claims[CLAIM_CUSTOM] == {"erbij_activity": "feedback"}
    assert claims["name"] == "Anouk de Vries"
    assert claims["given_name"] == "Anouk"
    assert claims["family_name"] == "de Vries"
    assert claims["email"] == "anouk.devries@roc-demo.example"
    platform = claims[CLAIM_TOOL_PLATFORM]
    assert platform["name"] == "Demo LMS"
    assert platform["product_family_code"] == "erbij-demo"
    assert platform["guid"] and platform["version"]
    ags = claims[CLAIM_AGS]
    assert ags["scope"] == AGS_SCOPES
    assert ags["lineitems"] == f"{LMS_URL}/api/lti/courses/{COURSE}/lineitems"
    assert ags["lineitem"].startswith(ags["lineitems"] + "/")
    assert claims[CLAIM_NRPS] == {
        "context_memberships_url": f"{LMS_URL}/api/lti/courses/{COURSE}/memberships",
        "service_versions": ["2.0"],
    }
    assert CLAIM_DL_SETTINGS not in claims


def test_id_token_header_names_the_published_key(lms):
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{CHECKIN}")
    form = parse_page(lms.auth(fields).text).forms[0]
    header = jwt.get_unverified_header(form["fields"]["id_token"])
    published = lms.client.get("/.well-known/jwks.json").get_json()["keys"][0]

    assert header["alg"] == "RS256"
    assert header["kid"] == published["kid"]


def test_student_launch_has_learner_roles_own_locale_and_no_lineitem(lms):
    # The teacher keeps Dutch while the student switches to English.
    lms.switch_user(STUDENT)
    lms.set_settings(locale="en")

    claims = lms.launch(f"/courses/{COURSE}/activities/{CHECKIN}")
    teacher_claims = lms.launch(f"/courses/{COURSE}/activities/{CHECKIN}", user=TEACHER)

    assert claims["sub"] == STUDENT
    assert claims[CLAIM_ROLES] == [
        LIS + "membership#Learner",
        LIS + "institution/person#Student",
    ]
    assert claims[CLAIM_LAUNCH_PRESENTATION]["locale"] == "en"
    assert teacher_claims[CLAIM_LAUNCH_PRESENTATION]["locale"] == "nl"
    assert claims[CLAIM_CUSTOM] == {"erbij_activity": "checkin"}
    assert "lineitem" not in claims[CLAIM_AGS]
    assert claims[CLAIM_AGS]["lineitems"].endswith(f"/courses/{COURSE}/lineitems")
    assert claims["name"] == "Sanne Bakker"


def test_window_setting_opens_a_named_window_and_says_so_in_the_token(lms):
    lms.set_settings(document_target="window")
    page = lms.client.get(f"/courses/{COURSE}/activities/{CHECKIN}").text
    parsed = parse_page(page)
    form = next(f for f in parsed.forms if f.get("action") == f"{TOOL_URL}/lti/login")

    assert parsed.iframes == []
    assert form["target"] == "erbij-tool-window"
    # Popup blockers stop auto-submitted new windows: the person clicks the button.
    assert "data-autosubmit" not in form
    assert "lti_storage_target" not in form["fields"]
    claims = lms.launch(f"/courses/{COURSE}/activities/{CHECKIN}")
    assert claims[CLAIM_LAUNCH_PRESENTATION]["document_target"] == "window"


def test_add_activity_is_a_deep_linking_request_for_resource_links(lms):
    claims = lms.launch(f"/courses/{COURSE}/add-activity")

    assert claims[CLAIM_MESSAGE_TYPE] == "LtiDeepLinkingRequest"
    assert CLAIM_RESOURCE_LINK not in claims
    assert CLAIM_CUSTOM not in claims
    settings = claims[CLAIM_DL_SETTINGS]
    assert settings["deep_link_return_url"] == f"{LMS_URL}/deep-link/return"
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_presentation_document_targets"] == ["iframe", "window"]
    assert settings["accept_multiple"] is True
    assert settings["auto_create"] is True
    assert isinstance(settings["data"], str) and settings["data"]
    assert claims[CLAIM_ROLES][0] == LIS + "membership#Instructor"
    assert claims[CLAIM_TARGET_LINK_URI] == f"{TOOL_URL}/lti/launch"


def test_editor_is_a_deep_linking_request_for_html(lms):
    claims = lms.launch(f"/courses/{COURSE}/editor?insert=1")

    settings = claims[CLAIM_DL_SETTINGS]
    assert settings["accept_types"] == ["html"]
    assert claims[CLAIM_LAUNCH_PRESENTATION]["return_url"].endswith(f"/courses/{COURSE}/editor")


def test_students_cannot_open_deep_linking(lms):
    lms.switch_user(STUDENT)
    assert lms.client.get(f"/courses/{COURSE}/add-activity").status_code == 403
    assert lms.client.get(f"/courses/{COURSE}/editor?insert=1").status_code == 403


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"redirect_uri": f"{TOOL_URL}/lti/other"}, "redirect_uri"),
        ({"redirect_uri": f"{TOOL_URL}/lti/launch/"}, "redirect_uri"),
        ({"login_hint": STUDENT}, "login_hint"),
        ({"nonce": None}, "nonce"),
        ({"state": None}, "state"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"scope": "openid profile"}, "scope"),
        ({"response_type": "code"}, "response_type"),
        ({"response_mode": "query"}, "response_mode"),
        ({"prompt": "login"}, "prompt"),
        ({"lti_message_hint": None}, "lti_message_hint"),
        ({"lti_message_hint": "tampered"}, "lti_message_hint"),
    ],
)
def test_auth_refuses_bad_requests_with_a_400_page(lms, override, reason):
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{CHECKIN}")

    response = lms.auth(fields, **override)

    assert response.status_code == 400
    assert reason in response.text
    assert 'name="id_token"' not in response.text


def test_auth_refuses_an_expired_message_hint(lms):
    secret = lms.app.config["SECRET_KEY"]
    hint = MessageHint(
        user_id=TEACHER,
        course_id=COURSE,
        kind="resource_link",
        locale="nl",
        document_target="iframe",
        resource_link_id=CHECKIN,
    )
    old = encode_message_hint(secret, hint, now=time.time() - 3600)
    fields = {"client_id": CLIENT_ID, "login_hint": TEACHER, "lti_message_hint": old}

    response = lms.auth(fields)

    assert response.status_code == 400
    assert "expired" in response.text


def test_auth_works_without_the_lms_cookie(lms):
    """Inside the tool's cross-site iframe the browser may not send the LMS cookie."""
    lms.switch_user(STUDENT)
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{CHECKIN}")
    lms.client.delete_cookie("demo_lms_session")

    response = lms.auth(fields)

    assert response.status_code == 200
    token = parse_page(response.text).forms[0]["fields"]["id_token"]
    assert lms.decode_id_token(token)["sub"] == STUDENT


def test_auth_refuses_when_the_lms_cookie_names_someone_else(lms):
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{CHECKIN}")
    lms.switch_user(STUDENT)

    response = lms.auth(fields)

    assert response.status_code == 400
    assert "switched" in response.text


def test_auth_also_accepts_post(lms):
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{CHECKIN}")
    response = lms.client.post("/auth", data=lms.auth_params(fields))
    assert response.status_code == 200
    assert "id_token" in response.text


def test_platform_storage_on_sends_storage_target_and_serves_the_listener(lms):
    lms.set_settings(platform_storage="on")
    page = lms.client.get(f"/courses/{COURSE}/activities/{CHECKIN}").text
    parsed = parse_page(page)
    fields = next(f for f in parsed.forms if f.get("action") == f"{TOOL_URL}/lti/login")["fields"]

    assert fields["lti_storage_target"] == "_parent"
    assert "data-lti-platform-storage" in parsed.iframes[0]
    assert any("platform_storage.js" in (s.get("src") or "") for s in parsed.scripts)
    script = lms.client.get("/static/platform_storage.js")
    assert script.status_code == 200
    for subject in ("lti.capabilities", "lti.put_data", "lti.get_data"):
        assert subject in script.text


def test_platform_storage_off_sends_no_storage_target_and_no_listener(lms):
    lms.set_settings(platform_storage="off")
    page = lms.client.get(f"/courses/{COURSE}/activities/{CHECKIN}").text
    parsed = parse_page(page)
    fields = next(f for f in parsed.forms if f.get("action") == f"{TOOL_URL}/lti/login")["fields"]

    assert "lti_storage_target" not in fields
    assert "data-lti-platform-storage" not in parsed.iframes[0]
    assert not any("platform_storage.js" in (s.get("src") or "") for s in parsed.scripts)


def test_settings_persist_across_a_restart(lms, make_demo_app):
    lms.set_settings(platform_storage="off", document_target="window")
    restarted = make_demo_app().test_client()
    page = restarted.get(f"/courses/{COURSE}/activities/{CHECKIN}").text
    assert 'value="off" checked' in page
    assert 'value="window" checked' in page


def test_build_id_token_overrides_replace_and_remove_claims(lms):
    demo = lms.app.extensions["erbij_demo_lms"]
    store = demo.store
    ctx = LaunchContext(
        platform=demo.platform,
        platform_guid=demo.platform_guid,
        user=store.get_user(STUDENT),
        course=store.get_course(COURSE),
        role="Learner",
        nonce="n-1",
        locale="en",
        document_target="iframe",
        return_url=f"{LMS_URL}/courses/{COURSE}",
        resource_link=store.get_resource_link(CHECKIN),
    )

    token = build_id_token(ctx, demo.platform_key, overrides={"email": None, "exp": 1})
    claims = jwt.decode(token, options={"verify_signature": False})

    assert "email" not in claims
    assert claims["exp"] == 1
    assert claims["name"] == id_token_claims(ctx)["name"]
