"""The durable outbox: every message to an LMS is a row first, sent by a worker later."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

STATUS_PENDING = "pending"  # waiting for its first attempt
STATUS_SENDING = "sending"  # claimed by a worker (lease_until says until when)
STATUS_RETRY = "retry"  # failed in a way that may pass later; next_attempt_at says when
STATUS_SENT = "sent"
STATUS_FAILED = "failed"  # refused by the LMS (4xx) or gave up; last_error says why
STATUS_DROPPED = "dropped"  # an administrator stopped it; never sent unless retried


class OutboxEntry(db.Model):
    __tablename__ = "outbox_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # "score"
    target_url: Mapped[str] = mapped_column(String(1000))
    user_sub: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(JSON)
    # One entry per publish: the caller's key makes a double submit a no-op.
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    source: Mapped[str] = mapped_column(String(32))  # "feedback" | "checkin"
    source_id: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default=STATUS_PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
