"""Feedback as a dialogue: the student's reply under a published feedback, and the
teacher's one answer to it.

One reply per publish (unique), so "answer under each feedback" is one row each. The
state lives in timestamps: `sent_at` (None: a draft only the student sees), `read_at`
(the teacher opened it; from then on the reply is final) and `answered_at` (the
teacher's one answer). The conditional UPDATEs in feedback/dialogue.py carry the rules
("editable until read", "answer once") so that two tabs cannot break them. Replies never
reach the outbox: they are a conversation, not a grade.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .course import User
from .feedback import Feedback, FeedbackPublish


class FeedbackReply(db.Model):
    __tablename__ = "feedback_replies"
    __table_args__ = (UniqueConstraint("publish_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    publish_id: Mapped[int] = mapped_column(ForeignKey("feedback_publishes.id", ondelete="CASCADE"))
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    next_step: Mapped[str] = mapped_column(Text, default="")  # "What will you do next?"
    note: Mapped[str] = mapped_column(Text, default="")  # "Is there something your teacher should know?"
    perspective: Mapped[str] = mapped_column(Text, default="")  # the answer to the teacher's question
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    read_at: Mapped[datetime | None]
    read_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    publish: Mapped[FeedbackPublish] = relationship()
    feedback: Mapped[Feedback] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
