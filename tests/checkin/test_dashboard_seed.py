"""`flask checkin seed-demo`: realistic demo data for the dashboard."""

from __future__ import annotations

from collections import Counter

from lti_tool.checkin import items
from lti_tool.checkin.signals import student_signals
from lti_tool.extensions import db
from lti_tool.models import Course, Membership, User
from lti_tool.models.checkin import CheckinResponse


def _seeded(app, context_id="course-nl2"):
    with app.app_context():
        course = db.session.execute(db.select(Course).where(Course.context_id == context_id)).scalar_one()
        rows = db.session.execute(db.select(CheckinResponse).where(CheckinResponse.course_id == course.id)).scalars().all()
        members = db.session.execute(
            db.select(Membership, User).join(User, User.id == Membership.user_id).where(Membership.course_id == course.id)
        ).all()
        return course, rows, members


def test_seed_demo_creates_thirty_students_times_twelve_realistic_weeks(app, platform):
    result = app.test_cli_runner().invoke(args=["checkin", "seed-demo"])
    assert result.exit_code == 0, result.output
    assert "30 students x 12 weeks" in result.output
    course, rows, members = _seeded(app)
    assert course.title == "Nederlands 2 (demo)"

    assert len(members) == 30 and all(m.role == "learner" and m.active for m, _u in members)
    names = [u.display_name() for _m, u in members]
    assert len(set(names)) == 30
    assert "Sanne Bakker" in names and "Yasmin Öztürk" in names  # the demo school's students come first
    assert {u.sub for _m, u in members} >= {"sanne.bakker", "mohammed.elamrani", "yasmin.ozturk"}

    weeks = sorted({r.week_start for r in rows})
    assert len(weeks) == 12
    assert all((b - a).days == 7 for a, b in zip(weeks, weeks[1:], strict=False))
    # Realistic: most weeks answered, some missing (never 30 x 12, never close to empty).
    assert 0.7 * 360 < len(rows) < 360
    per_week = Counter(r.week_start for r in rows)
    assert per_week[weeks[-1]] < max(per_week.values())  # this week is still running
    # Answers vary, stay on the scale, and use the current wording.
    for r in rows:
        assert set(r.answers) == set(items.SCALE_ITEMS)
        assert all(1 <= v <= 5 for v in r.answers.values())
        assert r.item_versions == {k: items.CURRENT_VERSIONS[k] for k in items.SCALE_ITEMS}
        assert r.index_score is not None and r.privacy_mode == "anonymous"
    assert len({tuple(sorted(r.answers.items())) for r in rows}) > 150
    assert {v for r in rows for v in r.answers.values()} == {1, 2, 3, 4, 5}
    assert 3.0 < sum(r.index_score for r in rows) / len(rows) < 4.3
    assert 3 <= sum(r.contact_opt_in for r in rows) <= 40
    assert 20 <= sum(bool(r.open_answer) for r in rows) <= 150

    # Some students carry the patterns the dashboard is for.
    by_user = {}
    for r in rows:
        by_user.setdefault(r.user_id, {})[r.week_start] = r.answers
    codes = Counter()
    for history in by_user.values():
        codes.update(student_signals([history.get(w) for w in weeks]))
    for _ in range(30 - len(by_user)):  # never answered at all
        codes.update(student_signals([None] * len(weeks)))
    assert codes["pattern_dont_dare"] >= 1 and codes["pattern_no_start"] >= 1
    assert codes["no_response"] >= 1
    assert codes["drop"] + codes["persistent_low"] >= 1


def test_seed_demo_again_replaces_its_own_answers(app, platform):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["checkin", "seed-demo", "--students", "8", "--weeks", "4"]).exit_code == 0
    first = len(_seeded(app)[1])
    result = runner.invoke(args=["checkin", "seed-demo", "--students", "8", "--weeks", "4"])
    assert result.exit_code == 0, result.output
    _course, rows, members = _seeded(app)
    assert len(rows) == first and len(members) == 8


def test_seed_demo_into_an_existing_course_in_identified_mode(app, platform, launch):
    launch("instructor", course="course-1", follow=False)
    result = app.test_cli_runner().invoke(
        args=["checkin", "seed-demo", "--course-context", "course-1", "--students", "5", "--weeks", "3", "--mode", "identified"]
    )
    assert result.exit_code == 0, result.output
    assert "ERBIJ_ALLOW_IDENTIFIED is off" in result.output
    course, rows, members = _seeded(app, "course-1")
    assert course.title == "Nederlands 2"  # the LMS's title is kept
    assert {r.privacy_mode for r in rows} == {"identified"}
    assert sum(1 for m, _u in members if m.role == "learner") == 5


def test_seed_demo_needs_a_platform_to_create_a_course_under(app):
    result = app.test_cli_runner().invoke(args=["checkin", "seed-demo"])
    assert result.exit_code != 0
    assert "register the platform first" in result.output
