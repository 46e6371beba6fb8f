"""Retention with a fixed clock: raw answers go after the course end + the policy's weeks
(also from the teacher's export and the person export); released figures stay until their
own period ends; running it again changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from lti_tool import retention
from lti_tool.extensions import db
from lti_tool.models import Course
from lti_tool.models.admin import AuditEntry, InstitutionPolicy
from lti_tool.models.checkin import CheckinRelease, CheckinResponse
from lti_tool.people import export_person
from lti_tool.timeutil import utcnow

from ..checkin.test_dashboard_support import add_students, answer, set_mode, teacher_klas
from ..platform import LTI


def _run(app, now=None):
    with app.app_context():
        return retention.run_retention(now)


def _age_answers(app, course_id, when: datetime):
    with app.app_context():
        db.session.execute(db.update(CheckinResponse).where(CheckinResponse.course_id == course_id).values(created_at=when, updated_at=when))
        db.session.commit()


def _count(app, model, course_id):
    with app.app_context():
        return db.session.query(model).filter_by(course_id=course_id).count()


def test_raw_answers_go_four_weeks_after_the_lms_course_end_and_releases_stay(app, client, launch):
    klas = teacher_klas(app, launch)
    with app.app_context():
        db.session.add(InstitutionPolicy(registration_id=klas.registration_id, allow_identified=True))
        db.session.commit()
    students = add_students(klas, 6)
    anon_week = klas.week(8)
    named_week = klas.week(7)
    for uid in students:
        answer(klas, uid, anon_week, text="anoniem antwoord over de klas")
    set_mode(klas, "identified")
    answer(klas, students[0], named_week, mode="identified", text="mijn eigen verhaal")
    assert client.get(f"/l/{klas.lid}/checkin/dashboard").status_code == 200  # releases the closed anonymous week
    assert _count(app, CheckinRelease, klas.course_id) == 1
    end = datetime.combine(named_week, datetime.min.time()) + timedelta(days=6)
    _age_answers(app, klas.course_id, end - timedelta(days=2))
    with app.app_context():
        db.session.get(Course, klas.course_id).ends_at = end
        db.session.execute(db.update(CheckinRelease).values(released_at=end - timedelta(days=1)))
        db.session.commit()
    before = client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True)
    assert "Student 01" in before and "mijn eigen verhaal" in before

    report = _run(app, now=end + timedelta(weeks=4) - timedelta(hours=1))
    assert report.responses_deleted == 0 and _count(app, CheckinResponse, klas.course_id) == 7

    report = _run(app, now=end + timedelta(weeks=4) + timedelta(hours=1))
    assert report.responses_deleted == 7 and _count(app, CheckinResponse, klas.course_id) == 0
    assert _count(app, CheckinRelease, klas.course_id) == 1  # the class figures stay
    after = client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True)
    assert "mijn eigen verhaal" not in after and "Student 01" not in json.dumps(json.loads(after).get("signals", ""))
    with app.app_context():
        sub = klas.students[0][1]
        assert export_person(klas.registration_id, sub)["checkins"] == []
        audit = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == "retention.run")).scalars().all()
        assert len(audit) == 1 and audit[0].detail["responses_deleted"] == 7
        assert "verhaal" not in json.dumps(audit[0].detail) and "antwoord" not in json.dumps(audit[0].detail)

    # Idempotent: the same run again deletes nothing and writes no audit entry.
    again = _run(app, now=end + timedelta(weeks=4) + timedelta(hours=2))
    assert not again.deleted_anything
    with app.app_context():
        assert db.session.query(AuditEntry).filter_by(action="retention.run").count() == 1

    # The released figures go after their own period (52 weeks from the release).
    released = end - timedelta(days=1)
    _run(app, now=released + timedelta(weeks=52) - timedelta(hours=1))
    assert _count(app, CheckinRelease, klas.course_id) == 1
    _run(app, now=released + timedelta(weeks=52) + timedelta(hours=1))
    assert _count(app, CheckinRelease, klas.course_id) == 0


def test_without_an_end_date_the_course_ends_after_its_last_check_in_plus_the_policy(app, launch):
    klas = teacher_klas(app, launch)
    students = add_students(klas, 1)
    answer(klas, students[0], klas.week(1))
    last = datetime(2026, 3, 2, 12, 0)
    _age_answers(app, klas.course_id, last)
    deadline = last + timedelta(weeks=12 + 4)
    assert _run(app, now=deadline - timedelta(minutes=1)).responses_deleted == 0
    with app.app_context():  # a stricter institution: 2 + 1 weeks
        db.session.add(InstitutionPolicy(registration_id=klas.registration_id, inactive_course_weeks=2, raw_retention_weeks=1))
        db.session.commit()
    assert _run(app, now=last + timedelta(weeks=3) - timedelta(minutes=1)).responses_deleted == 0
    assert _run(app, now=last + timedelta(weeks=3) + timedelta(minutes=1)).responses_deleted == 1


def test_released_figures_never_outlive_by_raw_answers_of_their_week(app, client, launch):
    """A long course: the release expires first; its week's raw answers go with it, so the
    week is not released again from them."""
    klas = teacher_klas(app, launch)
    students = add_students(klas, 5)
    week = klas.week(2)
    for uid in students:
        answer(klas, uid, week)
    client.get(f"/l/{klas.lid}/checkin/dashboard")
    assert _count(app, CheckinRelease, klas.course_id) == 1
    with app.app_context():
        released_at = db.session.execute(db.select(CheckinRelease.released_at)).scalar_one()
    _run(app, now=released_at + timedelta(weeks=53))
    assert _count(app, CheckinRelease, klas.course_id) == 0 and _count(app, CheckinResponse, klas.course_id) == 0


def test_the_lms_end_date_comes_from_the_custom_parameter(app, launch):
    launched = launch("instructor", claims={LTI + "custom": {"erbij_activity": "checkin", "erbij_course_end": "2027-01-31T23:00:00Z"}})
    assert launched.response.status_code == 200
    with app.app_context():
        assert db.session.execute(db.select(Course.ends_at)).scalar_one() == datetime(2027, 1, 31, 23, 0)


def test_expired_launches_become_weekly_counts(app, client, launch, admin_launch):
    from lti_tool.models import LaunchSession
    from lti_tool.models.admin import LaunchCount

    launch("instructor")
    launch("learner")
    with app.app_context():
        db.session.execute(db.update(LaunchSession).values(expires_at=datetime(2000, 1, 1)))
        db.session.commit()
    # Expired, but made minutes ago: a session also holds its launch's spent nonce, kept
    # while that launch's login state could be replayed (ten minutes).
    assert _run(app).sessions_counted == 0
    report = _run(app, now=utcnow() + timedelta(minutes=11))
    assert report.sessions_counted == 2
    with app.app_context():
        assert db.session.query(LaunchSession).count() == 0
        assert sum(c.launches for c in db.session.query(LaunchCount)) == 2
    lid = admin_launch().lid
    page = client.get(f"/l/{lid}/admin/registrations").get_data(as_text=True)
    assert '<td class="num">3</td>' in page  # two counted plus this live launch, in this week
