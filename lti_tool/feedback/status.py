"""What the grading view shows per student: draft and publish state, joined to the outbox.

Read-only. The status of a publish is the status of its outbox entry, so the page shows
what actually happened at the LMS (queued, retrying, sent, refused with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from ..extensions import db
from ..models import OutboxEntry, User
from ..models.dialogue import FeedbackReply
from ..models.feedback import Feedback, FeedbackPublish
from ..models.outbox import STATUS_DROPPED, STATUS_FAILED, STATUS_RETRY, STATUS_SENT
from ..outbox import INTERNAL_ERROR_PREFIX
from ..roster import fold, learners

NONE, DRAFT, QUEUED, PUBLISHED, FAILED = "none", "draft", "queued", "published", "failed"


@dataclass(frozen=True)
class StudentStatus:
    user: User
    name: str
    feedback: Feedback | None
    publish: FeedbackPublish | None
    entry: OutboxEntry | None
    status: str
    unpublished_changes: bool  # the draft differs from what was published
    reply: FeedbackReply | None = None  # the student's newest sent reply, if any

    @property
    def replied(self) -> bool:
        return self.reply is not None

    @property
    def reply_unread(self) -> bool:
        return self.reply is not None and self.reply.read_at is None

    @property
    def retrying(self) -> bool:
        return self.entry is not None and self.entry.status == STATUS_RETRY

    @property
    def sent_at(self) -> datetime | None:
        return self.entry.sent_at if self.entry is not None else None

    @property
    def search_key(self) -> str:
        return fold(self.name)


def student_name(user: User) -> str:
    """The display name; Moodle may send no names at all (lms-notes.md)."""
    return user.display_name(fallback=_("Student %(id)s", id=user.sub[-6:]))


def _status(fb: Feedback | None, pub: FeedbackPublish | None, entry: OutboxEntry | None) -> str:
    if pub is None:
        if fb is None or (not fb.text.strip() and fb.score is None):
            return NONE
        return DRAFT
    if entry is None or entry.status == STATUS_SENT:
        # No entry: published in Erbij only (no gradebook column), or the entry was cleaned up.
        return PUBLISHED
    if entry.status in (STATUS_FAILED, STATUS_DROPPED):
        return FAILED
    return QUEUED  # pending, sending or waiting to retry


def grading_rows(course_id: int, resource_link_id: int) -> list[StudentStatus]:
    """Every active learner of the course with their feedback status in this activity."""
    people = learners(course_id)
    drafts = {
        fb.student_id: fb
        for fb in db.session.execute(
            db.select(Feedback).where(Feedback.course_id == course_id, Feedback.resource_link_id == resource_link_id)
        ).scalars()
    }
    latest_ids = (
        db.select(db.func.max(FeedbackPublish.id))
        .join(Feedback, Feedback.id == FeedbackPublish.feedback_id)
        .where(Feedback.course_id == course_id, Feedback.resource_link_id == resource_link_id)
        .group_by(FeedbackPublish.feedback_id)
    )
    publishes: dict[int, tuple[FeedbackPublish, OutboxEntry | None]] = {
        pub.feedback_id: (pub, entry)
        for pub, entry in db.session.execute(
            db.select(FeedbackPublish, OutboxEntry)
            .outerjoin(OutboxEntry, OutboxEntry.id == FeedbackPublish.outbox_entry_id)
            .where(FeedbackPublish.id.in_(latest_ids), FeedbackPublish.course_id == course_id)
        ).all()
    }
    from .dialogue import latest_reply_by_student

    replies = latest_reply_by_student(course_id, resource_link_id)
    rows = []
    for _membership, user in people:
        fb = drafts.get(user.id)
        pub, entry = publishes.get(fb.id, (None, None)) if fb else (None, None)
        changes = bool(pub and fb and (fb.text != pub.text or fb.score != pub.score or (fb.question or "") != pub.question))
        rows.append(StudentStatus(user, student_name(user), fb, pub, entry, _status(fb, pub, entry), changes, replies.get(user.id)))
    return rows


def failure_reason(entry: OutboxEntry | None) -> str:
    """A sentence a teacher understands for why the LMS did not take the score."""
    if entry is None:
        return ""
    code = entry.last_status
    if entry.status == STATUS_DROPPED:
        return _("An administrator stopped sending this score. Retry to send it again.")
    if code is None and (entry.last_error or "").startswith(INTERNAL_ERROR_PREFIX):
        return _("Erbij itself could not send the score just now. It tries again automatically; nothing is lost.")
    if entry.status == STATUS_RETRY or code is None or code >= 500 or code == 429:
        return _("The LMS could not be reached or was busy. Erbij tries again automatically; nothing is lost.")
    if code == 422:
        return _(
            "The LMS refused the score: this person cannot be graded in this gradebook column (for example a teacher or a test student)."
        )
    if code in (400, 409):
        return _("The LMS refused the score, possibly because it already has a newer one. Retry to send it again with the current time.")
    if code in (401, 403):
        return _(
            "The LMS did not allow Erbij to write to this gradebook column. Your LMS administrator can check the tool's grade permissions."
        )
    if code == 404:
        return _("The gradebook column no longer exists in the LMS.")
    return _("The LMS refused the score (status %(status)s).", status=code)
