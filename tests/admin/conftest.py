"""Admin console fixtures: an administrator's launch, a second registration, the operator."""

from __future__ import annotations

import re

import pytest

from lti_tool.extensions import db
from lti_tool.models import Course, Membership, OutboxEntry, User
from lti_tool.models.checkin import CheckinResponse

from ..platform import BASE_URL, LTI, ROLE_INST_ADMIN, FakePlatform

SYS_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"
PASSWORD = "correct horse battery staple"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def platform_b(app, rsps):
    p = FakePlatform(issuer="https://other-lms.example.org", client_id="client-b", deployment_id="dep-b", key_name="platform-b", kid="kb")
    p.registration_id = p.register(app)
    p.serve_jwks(rsps)
    return p


@pytest.fixture
def admin_launch(launch):
    """An institution administrator's launch into the console (target link /admin)."""

    def _go(*, roles=(ROLE_INST_ADMIN,), target="/admin", custom=None, **kw):
        claims = {LTI + "roles": list(roles), LTI + "target_link_uri": BASE_URL + target}
        if custom is not None:
            claims[LTI + "custom"] = custom
        return launch(role="instructor", user=kw.pop("user", "admin-1"), claims=claims, activity=None, **kw)

    return _go


@pytest.fixture
def operator(app):
    from lti_tool.admin.operations import create_operator

    with app.app_context():
        create_operator("alice", PASSWORD)
    return "alice"


def login(client, username="alice", password=PASSWORD, *, address=None):
    kw = {"environ_base": {"REMOTE_ADDR": address, "wsgi.url_scheme": "https"}} if address else {}
    page = client.get("/admin/login", **kw)
    data = {"csrf_token": csrf_of(page.get_data(as_text=True)), "username": username, "password": password}
    return client.post("/admin/login", data=data, **kw)


@pytest.fixture
def operator_client(client, operator):
    resp = login(client)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def seed_person(app, registration_id: int, *, sub="student-9", course_ctx="course-x", week=None, mode="identified", text="ik voel me hier thuis"):
    """A student with a course membership, a check-in and a queued gradebook score."""
    from datetime import date

    with app.app_context():
        from lti_tool.models import Deployment

        dep = db.session.execute(db.select(Deployment).where(Deployment.registration_id == registration_id)).scalars().first()
        course = db.session.execute(db.select(Course).where(Course.registration_id == registration_id, Course.context_id == course_ctx)).scalar_one_or_none()
        if course is None:
            course = Course(registration_id=registration_id, deployment_id=dep.id, context_id=course_ctx, title="Course " + course_ctx)
            db.session.add(course)
            db.session.flush()
        user = User(registration_id=registration_id, sub=sub, name="Sam Student")
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(course_id=course.id, user_id=user.id, role="learner"))
        db.session.add(
            CheckinResponse(
                course_id=course.id, user_id=user.id, week_start=week or date(2026, 9, 7), answers={"B1": 4}, item_versions={"B1": 1},
                open_answer=text, privacy_mode=mode, index_score=4.0,
            )
        )
        entry = OutboxEntry(
            registration_id=registration_id, course_id=course.id, kind="score", target_url="https://lms.example/li/1", user_sub=sub,
            payload={"scoreGiven": 1}, dedupe_key=f"seed-{registration_id}-{sub}", source="checkin", status="failed", last_status=422,
            last_error="user not gradable",
        )
        db.session.add(entry)
        db.session.commit()
        return {"course_id": course.id, "user_id": user.id, "entry_id": entry.id}
