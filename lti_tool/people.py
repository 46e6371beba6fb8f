"""Data rights: everything Erbij holds about one person, and deleting it.

A person is an LMS user id (`sub`) within one platform registration. What is stored about
them, table by table (models/):

- users: the name the LMS sent; memberships: role per course; launch_sessions: when they
  opened Erbij (until `retention run` counts and removes them).
- checkin_responses: their own answers, each stored with them — also the ones given while
  the course was anonymous (the one-check-in-per-week rule and their own history need the
  link; teachers never see those with a name). They are the person's data, so the export
  holds them, marked with the mode they were given under; the export is for the person.
  Released class figures (checkin_releases) are about a class, never one person, and stay.
- teacher_reflections: a teacher's own notes; feedback_snippets: a teacher's comment bank.
- feedback / feedback_publishes: feedback received (drafts and published versions) — the
  student's data. Feedback a teacher wrote about students is the students' data: a teacher's
  export lists where they wrote feedback and when, not the text nor the student.
- outbox_entries: scores on their way to the gradebook for them (by LMS user id).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select

from . import timeutil
from .extensions import db
from .models import Course, HandoffToken, LaunchSession, Membership, OutboxEntry, Registration, User
from .models.checkin import CheckinResponse, TeacherReflection
from .models.dialogue import FeedbackReply
from .models.feedback import CommentSnippet, Feedback, FeedbackPublish

FORMAT = "erbij-person-export/1"


def find_person(registration_id: int, sub: str) -> User | None:
    return db.session.execute(db.select(User).where(User.registration_id == registration_id, User.sub == sub)).scalar_one_or_none()


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _course_ref(course: Course | None) -> dict:
    if course is None:
        return {}
    return {"context_id": course.context_id, "title": course.title, "label": course.label}


def _rows_by_kind(registration_id: int, sub: str, uid: int) -> dict[str, Select]:
    """Which rows each kind of the export holds, in the export's order: the one definition
    that both the export and the counts read, so the two cannot tell different stories."""
    return {
        "memberships": db.select(Membership).where(Membership.user_id == uid).order_by(Membership.id),
        "checkins": db.select(CheckinResponse).where(CheckinResponse.user_id == uid).order_by(CheckinResponse.week_start),
        "reflections_written": db.select(TeacherReflection).where(TeacherReflection.user_id == uid).order_by(TeacherReflection.week_start),
        "feedback_received": db.select(Feedback).where(Feedback.student_id == uid).order_by(Feedback.id),
        "feedback_published_to_them": db.select(FeedbackPublish)
        .join(Feedback, Feedback.id == FeedbackPublish.feedback_id)
        .where(Feedback.student_id == uid)
        .order_by(FeedbackPublish.id),
        "feedback_written": db.select(FeedbackPublish.course_id, FeedbackPublish.published_at)
        .where(FeedbackPublish.published_by_id == uid)
        .order_by(FeedbackPublish.id),
        "feedback_replies": db.select(FeedbackReply).where(FeedbackReply.student_id == uid).order_by(FeedbackReply.id),
        "reply_answers_written": db.select(FeedbackReply.course_id, FeedbackReply.answered_at)
        .where(FeedbackReply.answered_by_id == uid)
        .order_by(FeedbackReply.id),
        "comment_bank": db.select(CommentSnippet).where(CommentSnippet.owner_id == uid).order_by(CommentSnippet.id),
        "launches": db.select(LaunchSession).where(LaunchSession.user_id == uid).order_by(LaunchSession.created_at),
        "gradebook_outbox": db.select(OutboxEntry)
        .where(OutboxEntry.registration_id == registration_id, OutboxEntry.user_sub == sub)
        .order_by(OutboxEntry.id),
    }


def _fetch(query: Select) -> list:
    """Whole objects for a query of one model; rows (course_id, when) for a query of columns."""
    result = db.session.execute(query)
    return result.scalars().all() if len(query.column_descriptions) == 1 else result.all()


def export_person(registration_id: int, sub: str) -> dict | None:
    """Everything Erbij holds about one person as plain JSON-ready data; None if unknown."""
    user = find_person(registration_id, sub)
    if user is None:
        return None
    reg = db.session.get(Registration, registration_id)
    courses = {c.id: c for c in db.session.execute(db.select(Course).where(Course.registration_id == registration_id)).scalars()}
    found = {kind: _fetch(query) for kind, query in _rows_by_kind(registration_id, sub, user.id).items()}

    return {
        "format": FORMAT,
        "exported_at": _iso(timeutil.utcnow()),
        "platform": {"issuer": reg.issuer if reg else None, "client_id": reg.client_id if reg else None},
        "person": {
            "sub": user.sub,
            "name": user.name,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "first_seen": _iso(user.created_at),
        },
        "memberships": [
            {"course": _course_ref(courses.get(m.course_id)), "role": m.role, "active": m.active, "updated_at": _iso(m.updated_at)}
            for m in found["memberships"]
        ],
        "checkins": [
            {
                "course": _course_ref(courses.get(r.course_id)),
                "week_start": _iso(r.week_start),
                "given_as": r.privacy_mode,
                "answers": r.answers,
                "item_versions": r.item_versions,
                "open_answer": r.open_answer,
                "asked_for_a_chat": r.contact_opt_in,
                "answered_at": _iso(r.created_at),
                "changed_at": _iso(r.updated_at),
            }
            for r in found["checkins"]
        ],
        "reflections_written": [
            {"course": _course_ref(courses.get(r.course_id)), "week_start": _iso(r.week_start), "notes": r.notes}
            for r in found["reflections_written"]
        ],
        "feedback_received": [
            {
                "course": _course_ref(courses.get(f.course_id)),
                "draft_text": f.text,
                "draft_score": f.score,
                "updated_at": _iso(f.updated_at),
            }
            for f in found["feedback_received"]
        ],
        "feedback_published_to_them": [
            {
                "course": _course_ref(courses.get(p.course_id)),
                "text": p.text,
                "score": p.score,
                "score_maximum": p.score_maximum,
                "published_at": _iso(p.published_at),
            }
            for p in found["feedback_published_to_them"]
        ],
        "feedback_written": [{"course": _course_ref(courses.get(c)), "published_at": _iso(at)} for c, at in found["feedback_written"]],
        "feedback_replies": [
            {
                "course": _course_ref(courses.get(r.course_id)),
                "next_step": r.next_step,
                "note": r.note,
                "perspective": r.perspective,
                "sent_at": _iso(r.sent_at),
                "read_at": _iso(r.read_at),
                "teacher_answer": r.answer,
                "answered_at": _iso(r.answered_at),
            }
            for r in found["feedback_replies"]
        ],
        "reply_answers_written": [
            {"course": _course_ref(courses.get(c)), "answered_at": _iso(at)} for c, at in found["reply_answers_written"]
        ],
        "comment_bank": [
            {"course": _course_ref(courses.get(s.course_id)), "title": s.title, "body": s.body, "shared": s.shared}
            for s in found["comment_bank"]
        ],
        "launches": [
            {"course": _course_ref(courses.get(s.course_id)), "role": s.role, "at": _iso(s.created_at)} for s in found["launches"]
        ],
        "gradebook_outbox": [
            {
                "status": e.status,
                "kind": e.kind,
                "payload": e.payload,
                "created_at": _iso(e.created_at),
                "sent_at": _iso(e.sent_at),
                "last_error": e.last_error,
            }
            for e in found["gradebook_outbox"]
        ],
    }


def count_person_data(registration_id: int, sub: str) -> dict[str, int] | None:
    """How many rows of each kind the export holds (the delete's confirmation step shows
    them), counted in the database: one statement, a COUNT per kind. None if unknown."""
    user = find_person(registration_id, sub)
    if user is None:
        return None
    rows = _rows_by_kind(registration_id, sub, user.id)
    counts = [db.select(db.func.count()).select_from(q.order_by(None).subquery()).scalar_subquery().label(kind) for kind, q in rows.items()]
    return dict(db.session.execute(db.select(*counts)).one()._mapping)


def delete_person(registration_id: int, sub: str) -> dict[str, int] | None:
    """Remove the person and everything tied to them (the caller commits, with its audit
    entry). Explicit deletes, child rows first: SQLite does not enforce ON DELETE here.
    Feedback they wrote about others stays (it is the students'), without their name on it."""
    user = find_person(registration_id, sub)
    if user is None:
        return None
    uid = user.id
    run = db.session.execute
    counts: dict[str, int] = {}
    feedback_ids = db.select(Feedback.id).where(Feedback.student_id == uid).scalar_subquery()
    session_ids = db.select(LaunchSession.id).where(LaunchSession.user_id == uid).scalar_subquery()
    run(db.delete(HandoffToken).where(HandoffToken.launch_id.in_(session_ids)))
    counts["launches"] = run(db.delete(LaunchSession).where(LaunchSession.user_id == uid)).rowcount
    counts["feedback_replies"] = run(db.delete(FeedbackReply).where(FeedbackReply.student_id == uid)).rowcount
    run(db.update(FeedbackReply).where(FeedbackReply.read_by_id == uid).values(read_by_id=None))
    run(db.update(FeedbackReply).where(FeedbackReply.answered_by_id == uid).values(answered_by_id=None))
    counts["feedback_published_to_them"] = run(db.delete(FeedbackPublish).where(FeedbackPublish.feedback_id.in_(feedback_ids))).rowcount
    counts["feedback_received"] = run(db.delete(Feedback).where(Feedback.student_id == uid)).rowcount
    run(db.update(Feedback).where(Feedback.updated_by_id == uid).values(updated_by_id=None))
    run(db.update(FeedbackPublish).where(FeedbackPublish.published_by_id == uid).values(published_by_id=None))
    counts["comment_bank"] = run(db.delete(CommentSnippet).where(CommentSnippet.owner_id == uid)).rowcount
    counts["reflections_written"] = run(db.delete(TeacherReflection).where(TeacherReflection.user_id == uid)).rowcount
    counts["checkins"] = run(db.delete(CheckinResponse).where(CheckinResponse.user_id == uid)).rowcount
    counts["memberships"] = run(db.delete(Membership).where(Membership.user_id == uid)).rowcount
    counts["gradebook_outbox"] = run(
        db.delete(OutboxEntry).where(OutboxEntry.registration_id == registration_id, OutboxEntry.user_sub == sub)
    ).rowcount
    run(db.delete(User).where(User.id == uid))
    db.session.expire_all()
    return counts
