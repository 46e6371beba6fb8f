"""Feedback as a dialogue: every state change and query of replies, in one place.

A student answers under a published feedback ("What will you do next?", optionally
"Is there something your teacher should know?", and the answer to the teacher's
perspective question). A draft is kept until sent; a sent reply stays editable until a
teacher has read it; the teacher answers once. Each rule is a conditional UPDATE, so a
second tab or a replayed POST cannot break it. Nothing here touches the outbox: replies
never reach the gradebook.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from ..models.dialogue import FeedbackReply
from ..models.feedback import Feedback, FeedbackPublish
from ..timeutil import utcnow

log = logging.getLogger(__name__)

MAX_REPLY = 2_000
MAX_QUESTION = 500
MAX_ANSWER = 4_000


# ------------------------------------------------------------------ input
@dataclass
class ReplyInput:
    next_step: str
    note: str
    perspective: str
    send: bool
    errors: dict[str, str]


def _clean(value, limit: int) -> tuple[str, bool]:
    text = str(value or "").replace("\r\n", "\n").strip()
    return text[:limit], len(text) > limit


def parse_reply(form, *, has_question: bool) -> ReplyInput:
    """The student's reply form. Sending needs "What will you do next?"; a draft needs nothing."""
    errors: dict[str, str] = {}
    fields = {}
    for name in ("next_step", "note", "perspective"):
        fields[name], too_long = _clean(form.get(name), MAX_REPLY)
        if too_long:
            errors[name] = _("This answer is too long (at most %(n)s characters).", n=MAX_REPLY)
    if not has_question:
        fields["perspective"] = ""
    send = form.get("action") == "send"
    if send and not fields["next_step"]:
        errors["next_step"] = _("Write what you will do next before you send your reply.")
    return ReplyInput(send=send, errors=errors, **fields)


def parse_answer(form) -> tuple[str, str | None]:
    text, too_long = _clean(form.get("answer"), MAX_ANSWER)
    if too_long:
        return text, _("The answer is too long (at most %(n)s characters).", n=MAX_ANSWER)
    if not text:
        return text, _("Write your answer first.")
    return text, None


def clean_question(value) -> str:
    """The composer's perspective question: one short paragraph."""
    return _clean(value, MAX_QUESTION)[0]


# ------------------------------------------------------------------ queries
def of_student(model: type[FeedbackPublish] | type[FeedbackReply], *, course_id: int, resource_link_id: int, student_id: int) -> Select:
    """Publishes or replies (`model`) under this student's feedback in this activity: the
    one scope of every query here, to refine. Both sides are scoped to the course."""
    return (
        db.select(model)
        .join(Feedback, Feedback.id == model.feedback_id)
        .where(
            model.course_id == course_id,
            Feedback.course_id == course_id,
            Feedback.resource_link_id == resource_link_id,
            Feedback.student_id == student_id,
        )
    )


def student_publish(publish_id: int, *, course_id: int, resource_link_id: int, student_id: int) -> FeedbackPublish | None:
    """A publish of this student in this activity; anything else (another student's id) is None."""
    scope = of_student(FeedbackPublish, course_id=course_id, resource_link_id=resource_link_id, student_id=student_id)
    return db.session.execute(scope.where(FeedbackPublish.id == publish_id)).scalar_one_or_none()


def replies_by_publish(publish_ids: list[int]) -> dict[int, FeedbackReply]:
    if not publish_ids:
        return {}
    rows = db.session.execute(db.select(FeedbackReply).where(FeedbackReply.publish_id.in_(publish_ids))).scalars()
    return {r.publish_id: r for r in rows}


def thread(course_id: int, resource_link_id: int, student_id: int) -> list[tuple[FeedbackPublish, FeedbackReply | None]]:
    """One student's publishes with their sent replies, newest first (the teacher's view)."""
    scope = of_student(FeedbackPublish, course_id=course_id, resource_link_id=resource_link_id, student_id=student_id)
    pubs = list(db.session.execute(scope.order_by(FeedbackPublish.id.desc())).scalars())
    replies = replies_by_publish([p.id for p in pubs])
    return [(p, r if r is not None and r.sent_at is not None else None) for p, r in ((p, replies.get(p.id)) for p in pubs)]


@dataclass(frozen=True)
class ReplyRow:
    reply: FeedbackReply
    student: User
    unread: bool
    answered: bool


def sent_replies(course_id: int, resource_link_id: int) -> list[ReplyRow]:
    """Every sent reply in this activity, newest first (the grading view's list)."""
    rows = db.session.execute(
        db.select(FeedbackReply, User)
        .join(Feedback, Feedback.id == FeedbackReply.feedback_id)
        .join(User, User.id == FeedbackReply.student_id)
        .where(
            FeedbackReply.course_id == course_id,
            Feedback.course_id == course_id,
            Feedback.resource_link_id == resource_link_id,
            FeedbackReply.sent_at.is_not(None),
        )
        .order_by(FeedbackReply.sent_at.desc(), FeedbackReply.id.desc())
    ).all()
    return [ReplyRow(r, u, r.read_at is None, r.answered_at is not None) for r, u in rows]


def latest_reply_by_student(course_id: int, resource_link_id: int) -> dict[int, FeedbackReply]:
    """The newest sent reply per student (for the "replied" status)."""
    out: dict[int, FeedbackReply] = {}
    for row in sent_replies(course_id, resource_link_id):
        out.setdefault(row.student.id, row.reply)
    return out


# ------------------------------------------------------------------ student changes
@dataclass(frozen=True)
class ReplyResult:
    reply: FeedbackReply | None
    outcome: str  # "draft_saved", "sent", "updated", "locked"


def _reply_under(pub: FeedbackPublish) -> Select:
    """The one reply under a publish (a unique constraint keeps it one)."""
    return db.select(FeedbackReply).where(FeedbackReply.publish_id == pub.id)


def _own_reply(pub: FeedbackPublish, student_id: int) -> FeedbackReply:
    """The student's one reply under this publish, created empty the first time."""
    reply = db.session.execute(_reply_under(pub)).scalar_one_or_none()
    if reply is not None:
        return reply
    reply = FeedbackReply(
        publish_id=pub.id,
        feedback_id=pub.feedback_id,
        course_id=pub.course_id,
        student_id=student_id,
        next_step="",
        note="",
        perspective="",
        answer="",
    )
    db.session.add(reply)
    try:
        db.session.commit()
    except IntegrityError:  # another tab created it a moment ago
        db.session.rollback()
        reply = db.session.execute(_reply_under(pub)).scalar_one()
    return reply


def save_reply(pub: FeedbackPublish, student_id: int, data: ReplyInput) -> ReplyResult:
    """Save the student's draft, send it, or change a sent reply the teacher has not read."""
    reply = _own_reply(pub, student_id)
    now = utcnow()
    values: dict = {"next_step": data.next_step, "note": data.note, "perspective": data.perspective, "updated_at": now}
    was_sent = reply.sent_at is not None
    if data.send and not was_sent:
        values["sent_at"] = now
    # Editable until a teacher has read it: the WHERE clause is the rule.
    hit = db.session.execute(
        db.update(FeedbackReply)
        .where(FeedbackReply.id == reply.id, FeedbackReply.student_id == student_id, FeedbackReply.read_at.is_(None))
        .values(**values)
    ).rowcount
    db.session.commit()
    db.session.refresh(reply)
    if hit != 1:
        return ReplyResult(reply, "locked")
    outcome = "updated" if was_sent else ("sent" if data.send else "draft_saved")
    log.info("feedback reply %s %s publish=%s", reply.id, outcome, pub.id)
    return ReplyResult(reply, outcome)


# ------------------------------------------------------------------ teacher changes
def mark_read(replies: list[FeedbackReply], teacher_id: int) -> int:
    """The teacher has seen these sent replies: from now on the student cannot change them."""
    ids = [r.id for r in replies if r.sent_at is not None and r.read_at is None]
    if not ids:
        return 0
    n = db.session.execute(
        db.update(FeedbackReply)
        .where(FeedbackReply.id.in_(ids), FeedbackReply.sent_at.is_not(None), FeedbackReply.read_at.is_(None))
        .values(read_at=utcnow(), read_by_id=teacher_id)
    ).rowcount
    db.session.commit()
    for r in replies:
        db.session.refresh(r)
    return n


def answer_reply(reply: FeedbackReply, text: str, teacher_id: int) -> bool:
    """The teacher's one answer. False when the reply was answered already (or is not sent)."""
    now = utcnow()
    hit = db.session.execute(
        db.update(FeedbackReply)
        .where(FeedbackReply.id == reply.id, FeedbackReply.sent_at.is_not(None), FeedbackReply.answered_at.is_(None))
        .values(answer=text, answered_at=now, answered_by_id=teacher_id, read_at=db.func.coalesce(FeedbackReply.read_at, now))
    ).rowcount
    db.session.commit()
    db.session.refresh(reply)
    log.info("feedback reply %s answered=%s", reply.id, hit == 1)
    return hit == 1


def reply_in_scope(reply_id: int, *, course_id: int, resource_link_id: int, student_id: int) -> FeedbackReply | None:
    """A sent reply of this student in this activity, or None."""
    scope = of_student(FeedbackReply, course_id=course_id, resource_link_id=resource_link_id, student_id=student_id)
    return db.session.execute(
        scope.where(FeedbackReply.id == reply_id, FeedbackReply.student_id == student_id, FeedbackReply.sent_at.is_not(None))
    ).scalar_one_or_none()
