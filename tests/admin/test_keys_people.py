"""Key rotation from the console (fixed clock) and one person's export and delete."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import jwt
from jwt.algorithms import RSAAlgorithm

from lti_tool.extensions import cache, db
from lti_tool.lti import PlatformServices, keys
from lti_tool.models import Membership, OutboxEntry, User
from lti_tool.models.admin import AuditEntry
from lti_tool.models.checkin import CheckinResponse

from .conftest import csrf_of, seed_person

MEMBERS = "https://lms.example.org/api/course-1/memberships"


def _platform_checks_assertions(rsps, platform, client, seen):
    """The LMS's token endpoint: verifies our client assertion against our JWKS as it is now."""

    def callback(request):
        assertion = parse_qs(request.body)["client_assertion"][0]
        kid = jwt.get_unverified_header(assertion)["kid"]
        published = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
        if kid not in published:
            return 401, {}, json.dumps({"error": "invalid_client"})
        jwt.decode(assertion, RSAAlgorithm.from_jwk(published[kid]), algorithms=["RS256"], audience=platform.token_url)
        seen.append(kid)
        return 200, {}, json.dumps({"access_token": "tok", "token_type": "Bearer", "expires_in": 3600})

    rsps.add_callback("POST", platform.token_url, callback=callback)
    rsps.get(MEMBERS, json={"members": []})


def test_launches_and_service_calls_keep_working_across_a_rotation(app, client, operator_client, platform, rsps, launch, monkeypatch):
    seen: list[str] = []
    _platform_checks_assertions(rsps, platform, client, seen)
    with app.app_context():
        PlatformServices(platform.registration_id).roster(MEMBERS)
        old_kid = keys.active_key().kid
        in_flight = keys.sign({"iss": "erbij", "aud": platform.token_url})  # signed just before the rotation

    page = operator_client.get("/admin/keys").get_data(as_text=True)
    assert old_kid in page
    resp = operator_client.post("/admin/keys/rotate", data={"csrf_token": csrf_of(page)})
    assert resp.status_code == 302
    with app.app_context():
        new_kid = keys.active_key().kid
        retired_at = db.session.execute(db.select(keys.ToolKey.retired_at).where(keys.ToolKey.kid == old_kid)).scalar_one()
        overlap = keys.retired_key_overlap()
        assert overlap >= timedelta(seconds=keys.DEEP_LINKING_RESPONSE_LIFETIME)
    assert new_kid != old_kid

    # The token signed before the rotation still verifies; new requests sign with the new key.
    published = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
    assert set(published) == {old_kid, new_kid}
    jwt.decode(in_flight, RSAAlgorithm.from_jwk(published[old_kid]), algorithms=["RS256"], audience=platform.token_url)
    with app.app_context():
        cache.clear()  # no cached access token: a new token request
        PlatformServices(platform.registration_id).roster(MEMBERS)
    assert seen == [old_kid, new_kid]
    assert launch("instructor").response.status_code == 200

    # Fixed clock: the old key is published until its overlap ends, then gone.
    monkeypatch.setattr("lti_tool.lti.keys.utcnow", lambda: retired_at + overlap - timedelta(seconds=1))
    assert old_kid in {k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]}
    monkeypatch.setattr("lti_tool.lti.keys.utcnow", lambda: retired_at + overlap + timedelta(seconds=1))
    assert {k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]} == {new_kid}
    assert "retired, no longer published" in operator_client.get("/admin/keys", headers={"Accept-Language": "en"}).get_data(as_text=True)
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "key.rotate")).scalar_one()
        assert entry.actor == "operator:alice" and entry.detail == {"retired": [old_kid]}


def test_deep_linking_responses_live_no_longer_than_the_overlap_assumes(app, launch, client):
    from ..platform import LTI  # noqa: F401

    launched = launch("instructor", message_type="LtiDeepLinkingRequest", activity=None)
    page = client.post(f"/l/{launched.lid}/deep-link", data={"csrf_token": csrf_of(launched.response.get_data(as_text=True)), "activity": "checkin", "title": "x"})
    token = page.get_data(as_text=True).split('name="JWT" value="')[1].split('"')[0]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= keys.DEEP_LINKING_RESPONSE_LIFETIME


def test_person_export_and_delete_from_the_console(app, client, admin_launch, platform):
    seeded = seed_person(app, platform.registration_id, sub="student-9", mode="anonymous", text="heel persoonlijk")
    lid = admin_launch().lid
    page = client.get(f"/l/{lid}/admin/people?user=student-9").get_data(as_text=True)
    assert "check-in" in page or "incheck" in page
    token = csrf_of(page)
    resp = client.post(f"/l/{lid}/admin/people/export", data={"csrf_token": token, "registration": platform.registration_id, "user": "student-9"})
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    data = json.loads(resp.get_data(as_text=True))
    assert data["person"]["sub"] == "student-9" and data["checkins"][0]["given_as"] == "anonymous"
    assert data["checkins"][0]["open_answer"] == "heel persoonlijk" and data["gradebook_outbox"][0]["status"] == "failed"

    # Delete: a confirmation step first, the id typed again; a wrong one deletes nothing.
    confirm = client.post(f"/l/{lid}/admin/people/delete", data={"csrf_token": token, "registration": platform.registration_id, "user": "student-9"})
    assert confirm.status_code == 200 and 'name="confirm"' in confirm.get_data(as_text=True)
    wrong = client.post(f"/l/{lid}/admin/people/delete", data={"csrf_token": token, "registration": platform.registration_id, "user": "student-9", "confirm": "student-8"})
    assert wrong.status_code == 400
    with app.app_context():
        assert db.session.get(User, seeded["user_id"]) is not None
    done = client.post(f"/l/{lid}/admin/people/delete", data={"csrf_token": token, "registration": platform.registration_id, "user": "student-9", "confirm": "student-9"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, seeded["user_id"]) is None
        assert db.session.query(CheckinResponse).count() == 0 and db.session.query(Membership).count() <= 1  # the admin's own
        assert db.session.query(OutboxEntry).count() == 0
        entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.action.in_(["person.export", "person.delete"]))).scalars().all()
        assert [e.action for e in entries] == ["person.export", "person.delete"]
        dump = json.dumps([[e.actor, e.target, e.detail] for e in entries])
        assert "student-9" not in dump and "heel persoonlijk" not in dump and "Sam" not in dump
    from lti_tool.people import export_person

    with app.app_context():
        assert export_person(platform.registration_id, "student-9") is None


def test_people_cli_export_and_delete(app, platform):
    seed_person(app, platform.registration_id, sub="student-7")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["people", "export", "--registration", str(platform.registration_id), "--user", "student-7"])
    assert result.exit_code == 0 and json.loads(result.output)["person"]["sub"] == "student-7"
    result = runner.invoke(args=["people", "delete", "--registration", str(platform.registration_id), "--user", "student-7", "--yes"])
    assert result.exit_code == 0 and "checkins 1" in result.output
    result = runner.invoke(args=["people", "export", "--registration", str(platform.registration_id), "--user", "student-7"])
    assert result.exit_code != 0
    with app.app_context():
        assert [e.actor for e in db.session.query(AuditEntry).filter(AuditEntry.action.like("person.%"))] == ["cli", "cli"]


def test_the_policy_forbids_identified_mode_in_the_course_settings(app, client, operator_client, launch, platform):
    page = operator_client.get("/admin/policy").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "raw_retention_weeks": "4", "inactive_course_weeks": "12", "aggregate_retention_weeks": "52"}
    assert operator_client.post("/admin/policy", data={**form, "raw_retention_weeks": "0"}).status_code == 400
    assert operator_client.post("/admin/policy", data=form).status_code == 302  # identified not allowed
    launched = launch("instructor", locale="en")
    settings = client.get(f"/l/{launched.lid}/checkin/settings").get_data(as_text=True)
    import re

    assert re.search(r'value="identified"[^>]*disabled', settings)
    resp = client.post(f"/l/{launched.lid}/checkin/settings", data={"csrf_token": csrf_of(settings), "timezone": "Europe/Amsterdam", "privacy_mode": "identified"})
    assert resp.status_code == 400 and "does not allow identified check-ins" in resp.get_data(as_text=True)
    assert operator_client.post("/admin/policy", data={**form, "allow_identified": "yes"}).status_code == 302
    settings = client.get(f"/l/{launched.lid}/checkin/settings").get_data(as_text=True)
    resp = client.post(f"/l/{launched.lid}/checkin/settings", data={"csrf_token": csrf_of(settings), "timezone": "Europe/Amsterdam", "privacy_mode": "identified"})
    assert resp.status_code == 302
    with app.app_context():
        change = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "policy.change")).scalars().all()
        assert change[-1].detail == {"allow_identified": {"from": False, "to": True}}
