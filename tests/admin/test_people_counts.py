"""The console's "what Erbij holds" counts are the export's lists, counted: the same kinds
and the same numbers, for a person who has data of every kind (and beside others who do)."""

from __future__ import annotations

from datetime import date, timedelta

from lti_tool import timeutil
from lti_tool.extensions import db
from lti_tool.models import Deployment, LaunchSession, Membership, ResourceLink
from lti_tool.models.checkin import CheckinResponse, TeacherReflection
from lti_tool.models.dialogue import FeedbackReply
from lti_tool.models.feedback import CommentSnippet, Feedback, FeedbackPublish
from lti_tool.people import count_person_data, export_person

from .conftest import seed_person

EXPECTED = {
    "memberships": 2,
    "checkins": 2,
    "reflections_written": 1,
    "feedback_received": 1,
    "feedback_published_to_them": 2,
    "feedback_written": 1,
    "feedback_replies": 1,
    "reply_answers_written": 1,
    "comment_bank": 2,
    "launches": 3,
    "gradebook_outbox": 1,
}


def _teach_and_learn(app, registration_id: int, sub: str) -> None:
    """`sub` learns in course-x (seed_person) and teaches course-y, where `sub`-pupil learns:
    every kind of row the export knows, some kinds more than once."""
    ids = seed_person(app, registration_id, sub=sub, course_ctx="course-x")
    pupil = seed_person(app, registration_id, sub=f"{sub}-pupil", course_ctx="course-y")
    with app.app_context():
        add = db.session.add
        person, learns = ids["user_id"], ids["course_id"]
        teaches = pupil["course_id"]
        dep = db.session.execute(db.select(Deployment).where(Deployment.registration_id == registration_id)).scalars().first()
        link_x, link_y = ResourceLink(course_id=learns, link_id=f"{sub}-x"), ResourceLink(course_id=teaches, link_id=f"{sub}-y")
        db.session.add_all([link_x, link_y])
        add(Membership(course_id=teaches, user_id=person, role="instructor"))
        second_week = dict(
            week_start=date(2026, 9, 14), answers={"B1": 3}, item_versions={"B1": 1}, privacy_mode="identified", index_score=3.0
        )
        add(CheckinResponse(course_id=learns, user_id=person, **second_week))
        add(TeacherReflection(course_id=teaches, user_id=person, week_start=date(2026, 9, 7), notes="rustige week"))
        db.session.flush()

        received = Feedback(course_id=learns, resource_link_id=link_x.id, student_id=person, text="goed")
        given = Feedback(course_id=teaches, resource_link_id=link_y.id, student_id=pupil["user_id"], text="sterk")
        db.session.add_all([received, given])
        db.session.flush()
        first = FeedbackPublish(feedback_id=received.id, course_id=learns, revision=1, text="goed")
        add(FeedbackPublish(feedback_id=received.id, course_id=learns, revision=2, text="beter"))
        to_pupil = FeedbackPublish(feedback_id=given.id, course_id=teaches, revision=1, text="sterk", published_by_id=person)
        db.session.add_all([first, to_pupil])
        db.session.flush()
        reply = {"next_step": "", "note": "", "perspective": "", "answer": ""}
        add(FeedbackReply(publish_id=first.id, feedback_id=received.id, course_id=learns, student_id=person, **reply))
        answered = dict(reply, answer="dank je", answered_at=timeutil.utcnow(), answered_by_id=person)
        add(FeedbackReply(publish_id=to_pupil.id, feedback_id=given.id, course_id=teaches, student_id=pupil["user_id"], **answered))

        for title in ("bron", "opbouw"):
            add(CommentSnippet(owner_id=person, course_id=teaches, title=title, body=f"Let op je {title}."))
        expires = timeutil.utcnow() + timedelta(hours=1)
        for n, (course, role) in enumerate([(learns, "learner"), (learns, "learner"), (teaches, "instructor")]):
            add(
                LaunchSession(
                    id=f"{registration_id}-{sub}-launch-{n}",
                    registration_id=registration_id,
                    deployment_id=dep.id,
                    user_id=person,
                    course_id=course,
                    role=role,
                    locale="nl",
                    message_type="LtiResourceLinkRequest",
                    expires_at=expires,
                )
            )
        db.session.commit()


def test_the_counts_are_the_exports_lists_counted(app, platform, platform_b):
    _teach_and_learn(app, platform.registration_id, "student-9")
    _teach_and_learn(app, platform.registration_id, "student-8")  # a neighbour with the same kinds of data
    _teach_and_learn(app, platform_b.registration_id, "student-9")  # the same LMS user id on another platform
    with app.app_context():
        exported = export_person(platform.registration_id, "student-9")
        lists = {kind: len(rows) for kind, rows in exported.items() if isinstance(rows, list)}
        counts = count_person_data(platform.registration_id, "student-9")
        assert list(counts) == list(lists)  # the same kinds, in the export's order (the page lists them so)
        assert counts == lists == EXPECTED


def test_nothing_to_count_for_an_unknown_person(app, platform):
    with app.app_context():
        assert count_person_data(platform.registration_id, "nobody") is None
