"""Who reaches /admin: an institution administrator's launch sees its own registration only;
teachers and students never get in; every console POST needs its CSRF token."""

from __future__ import annotations

import pytest

from lti_tool.extensions import db
from lti_tool.models import Deployment, OutboxEntry, Registration
from lti_tool.models.admin import InstitutionPolicy

from ..platform import ROLE_INST_ADMIN, ROLE_INSTRUCTOR
from .conftest import SYS_ADMIN, csrf_of, seed_person


def _admin_page(client, lid, path="registrations"):
    return client.get(f"/l/{lid}/admin/{path}")


def test_an_admin_launch_lands_on_the_console_of_its_own_registration(client, admin_launch, platform, platform_b):
    launched = admin_launch()
    assert launched.response.status_code == 200
    assert launched.path == f"/l/{launched.lid}/admin/registrations"
    html = launched.response.get_data(as_text=True)
    assert platform.issuer in html and platform_b.issuer not in html


@pytest.mark.parametrize("how", ["system-role", "custom-param"])
def test_system_admin_and_the_custom_parameter_also_open_the_console(client, admin_launch, platform, how):
    if how == "system-role":
        launched = admin_launch(roles=(SYS_ADMIN, ROLE_INSTRUCTOR))
    else:
        launched = admin_launch(target="/lti/launch", custom={"erbij_view": "admin"})
    assert launched.path.endswith("/admin/registrations")


@pytest.mark.parametrize("role", ["instructor", "learner"])
def test_teachers_and_students_never_reach_the_console_even_with_its_link(client, launch, role, app):
    from ..platform import BASE_URL, LTI

    launched = launch(role=role, claims={LTI + "target_link_uri": BASE_URL + "/admin", LTI + "custom": {"erbij_view": "admin", "erbij_activity": "checkin"}})
    assert "/admin" not in launched.path
    for path in ("", "registrations", "outbox", "policy", "people", "audit", "keys"):
        resp = client.get(f"/l/{launched.lid}/admin/{path}")
        assert resp.status_code in (403, 404), path
    page = client.get(f"/l/{launched.lid}/checkin/", follow_redirects=True)  # a page with a CSRF token in this browser
    token = csrf_of(page.get_data(as_text=True))
    resp = client.post(f"/l/{launched.lid}/admin/policy", data={"csrf_token": token, "allow_identified": "yes", "raw_retention_weeks": "4", "inactive_course_weeks": "12", "aggregate_retention_weeks": "52"})
    assert resp.status_code == 403
    with app.app_context():
        assert db.session.query(InstitutionPolicy).count() == 0


def test_an_institution_admin_role_alone_is_not_enough_without_asking_for_the_console(client, launch):
    launched = launch(role=ROLE_INST_ADMIN, activity="checkin")
    assert client.get(f"/l/{launched.lid}/admin/registrations").status_code == 403


def test_admin_of_a_cannot_see_or_change_registration_b(app, client, admin_launch, platform, platform_b):
    b = seed_person(app, platform_b.registration_id, sub="student-b")
    with app.app_context():
        dep_b = db.session.execute(db.select(Deployment).where(Deployment.registration_id == platform_b.registration_id)).scalar_one().id
    lid = admin_launch().lid
    reg_b = platform_b.registration_id
    token = csrf_of(_admin_page(client, lid).get_data(as_text=True))

    # Pages: B never shows, naming it is a 404.
    for path in ("registrations", "outbox", "policy", "people", "audit"):
        resp = client.get(f"/l/{lid}/admin/{path}")
        assert resp.status_code == 200, path
        assert platform_b.issuer not in resp.get_data(as_text=True), path
    for path in (f"outbox?registration={reg_b}", f"policy?registration={reg_b}", f"people?registration={reg_b}&user=student-b"):
        assert client.get(f"/l/{lid}/admin/{path}").status_code == 404, path
    assert client.get(f"/l/{lid}/admin/keys").status_code == 404  # the operator's only

    # Changes: every POST about B is refused, and B is unchanged.
    posts = [
        (f"registrations/{reg_b}/enabled", {"enabled": "0"}),
        (f"deployments/{dep_b}/enabled", {"enabled": "0"}),
        (f"outbox/{b['entry_id']}/retry", {}),
        (f"outbox/{b['entry_id']}/drop", {}),
        ("outbox/retry-all", {"registration": reg_b}),
        (f"policy?registration={reg_b}", {"allow_identified": "yes", "raw_retention_weeks": "1", "inactive_course_weeks": "1", "aggregate_retention_weeks": "1"}),
        ("people/export", {"registration": reg_b, "user": "student-b"}),
        ("people/delete", {"registration": reg_b, "user": "student-b", "confirm": "student-b"}),
        ("keys/rotate", {}),
    ]
    for path, data in posts:
        resp = client.post(f"/l/{lid}/admin/{path}", data={"csrf_token": token, **data})
        assert resp.status_code in (403, 404), (path, resp.status_code)
    with app.app_context():
        reg = db.session.get(Registration, reg_b)
        assert reg.enabled and all(d.enabled for d in reg.deployments)
        assert db.session.get(OutboxEntry, b["entry_id"]).status == "failed"
        assert db.session.get(InstitutionPolicy, reg_b) is None
        from lti_tool.people import find_person

        assert find_person(reg_b, "student-b") is not None


def test_the_operator_sees_every_registration(operator_client, platform, platform_b):
    html = operator_client.get("/admin/registrations").get_data(as_text=True)
    assert platform.issuer in html and platform_b.issuer in html


def test_without_a_login_the_console_sends_you_to_the_login(client):
    for path in ("/admin/", "/admin/registrations", "/admin/keys", "/admin/audit"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/admin/login" in resp.headers["Location"]
    resp = client.post("/admin/keys/rotate")
    assert resp.status_code == 400  # no CSRF token: refused before anything else


def test_every_console_post_needs_its_csrf_token(app, operator_client, admin_launch, platform, client):
    seeded = seed_person(app, platform.registration_id)
    with app.app_context():
        dep = db.session.execute(db.select(Deployment)).scalars().first().id
    posts = [
        ("/admin/logout", {}),
        ("/admin/language", {"lang": "en"}),
        (f"/admin/registrations/{platform.registration_id}/enabled", {"enabled": "0"}),
        (f"/admin/deployments/{dep}/enabled", {"enabled": "0"}),
        ("/admin/keys/rotate", {}),
        (f"/admin/outbox/{seeded['entry_id']}/retry", {}),
        (f"/admin/outbox/{seeded['entry_id']}/drop", {}),
        ("/admin/outbox/retry-all", {"registration": platform.registration_id}),
        ("/admin/policy", {"raw_retention_weeks": "1", "inactive_course_weeks": "1", "aggregate_retention_weeks": "1"}),
        ("/admin/people/export", {"registration": platform.registration_id, "user": "student-9"}),
        ("/admin/people/delete", {"registration": platform.registration_id, "user": "student-9", "confirm": "student-9"}),
    ]
    for path, data in posts:
        for token in (None, "forged"):
            payload = dict(data, **({"csrf_token": token} if token else {}))
            resp = operator_client.post(path, data=payload)
            assert resp.status_code == 400, path
    # The LTI form of the same routes too.
    lid = admin_launch().lid
    resp = client.post(f"/l/{lid}/admin/deployments/{dep}/enabled", data={"enabled": "0"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.get(Deployment, dep).enabled
        assert db.session.get(OutboxEntry, seeded["entry_id"]).status == "failed"
    assert operator_client.get("/admin/registrations").status_code == 200  # still logged in


def test_an_admin_launch_changes_its_own_deployment_and_it_is_audited(app, client, admin_launch, platform):
    lid = admin_launch().lid
    token = csrf_of(_admin_page(client, lid).get_data(as_text=True))
    with app.app_context():
        dep = db.session.execute(db.select(Deployment).where(Deployment.registration_id == platform.registration_id)).scalars().first().id
    resp = client.post(f"/l/{lid}/admin/deployments/{dep}/enabled", data={"csrf_token": token, "enabled": "0"})
    assert resp.status_code == 302 and resp.headers["Location"] == f"/l/{lid}/admin/registrations"
    # Registration on/off is the operator's (an institution would lock itself out).
    assert client.post(f"/l/{lid}/admin/registrations/{platform.registration_id}/enabled", data={"csrf_token": token, "enabled": "0"}).status_code == 403
    audit = client.get(f"/l/{lid}/admin/audit").get_data(as_text=True)
    assert "deployment.disable" in audit and f"lti-admin:{platform.registration_id}:" in audit
    with app.app_context():
        assert not db.session.get(Deployment, dep).enabled


def _pending_registration(app, client_id="client-pending"):
    from lti_tool.lti.registrations import add_dynamic_registration
    from lti_tool.models.platform import STATUS_PENDING

    with app.app_context():
        reg = add_dynamic_registration(
            issuer="https://new-lms.example.org",
            client_id=client_id,
            auth_login_url="https://new-lms.example.org/auth",
            auth_token_url="https://new-lms.example.org/token",
            key_set_url="https://new-lms.example.org/jwks",
            deployment_id="1",
            status=STATUS_PENDING,
            product_family="moodle",
            name="New LMS",
            token_hash=None,
        )
        return reg.id


def test_the_operator_approves_a_waiting_registration_and_it_is_audited(app, operator_client):
    from lti_tool.models.admin import AuditEntry

    reg_id = _pending_registration(app)
    page = operator_client.get("/admin/registrations").get_data(as_text=True)
    assert "client-pending" in page and "/decision" in page
    resp = operator_client.post(
        f"/admin/registrations/{reg_id}/decision", data={"csrf_token": csrf_of(page), "decision": "approve"}
    )
    assert resp.status_code == 302
    with app.app_context():
        reg = db.session.get(Registration, reg_id)
        assert (reg.status, reg.enabled) == ("active", True)
        actions = [(e.action, e.actor) for e in db.session.execute(db.select(AuditEntry)).scalars()]
        assert ("registration.approve", "operator:alice") in actions
    assert "/decision" not in operator_client.get("/admin/registrations").get_data(as_text=True)


def test_an_institution_admin_cannot_decide_on_registrations(app, client, admin_launch, platform):
    reg_id = _pending_registration(app)
    lid = admin_launch().lid
    token = csrf_of(_admin_page(client, lid).get_data(as_text=True))
    assert "/decision" not in client.get(f"/l/{lid}/admin/registrations").get_data(as_text=True)
    # Not under the launch (operator-only pages have no launch form), nor as operator without a login.
    assert client.post(f"/l/{lid}/admin/registrations/{reg_id}/decision", data={"csrf_token": token, "decision": "approve"}).status_code == 404
    resp = client.post(f"/admin/registrations/{reg_id}/decision", data={"csrf_token": token, "decision": "approve"})
    assert resp.status_code in (302, 403) and "/admin/registrations" not in resp.headers.get("Location", "")
    with app.app_context():
        assert db.session.get(Registration, reg_id).status == "pending"
