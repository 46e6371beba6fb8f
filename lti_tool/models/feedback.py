"""Feedback data: the gradebook column of a feedback link, drafts, publishes, comment bank.

One `Feedback` row per student per resource link holds the working draft; each publish
freezes a copy (`FeedbackPublish`) and reports it to the gradebook through the outbox in
the same transaction. The unique constraints carry the invariants: one draft per student
per link, one publish per draft revision (a double submit is one publish).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .course import User
from .outbox import OutboxEntry


class FeedbackActivity(db.Model):
    """A feedback resource link and the gradebook column (AGS line item) it reports to.

    The line item's label and maximum are cached here: the grading view shows them on
    every load and the LMS may be slow or down. `lineitem_claimed_at` lets exactly one
    request create a missing line item when two tabs open at once.
    """

    __tablename__ = "feedback_activities"

    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_links.id", ondelete="CASCADE"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitem_label: Mapped[str] = mapped_column(String(500), default="")
    score_maximum: Mapped[float | None]
    lineitem_created: Mapped[bool] = mapped_column(default=False)  # by Erbij, not the LMS
    lineitem_claimed_at: Mapped[datetime | None]
    lineitem_checked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Feedback(db.Model):
    """The working draft of one student's feedback in one feedback activity.

    `revision` grows with every saved change; a save that names an older revision came
    from a second tab. That save still wins (the teacher's visible text is kept), and
    the version it replaced is kept in the `displaced_*` columns and shown until dismissed.
    """

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("resource_link_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_links.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parts: Mapped[dict] = mapped_column(JSON, default=dict)  # the five guided fields
    question: Mapped[str] = mapped_column(Text, default="")  # "perspective first": asks the student's view
    text: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[float | None]
    revision: Mapped[int] = mapped_column(default=0)  # 0: created, nothing saved yet
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    displaced_text: Mapped[str | None] = mapped_column(Text)
    displaced_score: Mapped[float | None]
    displaced_at: Mapped[datetime | None]  # when the replaced version had been saved
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    student: Mapped[User] = relationship(foreign_keys=[student_id])


class FeedbackPublish(db.Model):
    """A published version: what the student sees and what was sent to the gradebook."""

    __tablename__ = "feedback_publishes"
    __table_args__ = (UniqueConstraint("feedback_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]  # the draft revision that was published
    text: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")  # shown to the student, never sent to the gradebook
    score: Mapped[float | None]
    score_maximum: Mapped[float | None]
    comment_sent: Mapped[bool] = mapped_column(default=False)  # the payload carried the text
    outbox_entry_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_entries.id", ondelete="SET NULL"), index=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    feedback: Mapped[Feedback] = relationship()
    outbox_entry: Mapped[OutboxEntry | None] = relationship()


class CommentSnippet(db.Model):
    """A reusable piece of feedback with placeholders such as {first_name}.

    Personal snippets follow their owner into every course (of the same platform);
    shared ones are visible to the instructors of `course_id` only.
    """

    __tablename__ = "feedback_snippets"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    shared: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    owner: Mapped[User] = relationship()
