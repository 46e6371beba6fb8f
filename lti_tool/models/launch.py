"""Short-lived launch state: launch sessions (each spends its launch's nonce), hand-offs.

All of it lives in the database so that every gunicorn worker sees the same state
and a replayed token is refused whichever worker receives it. OIDC login states are
not stored: the state is a signed token (lti/login.py), so a login writes nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .course import Course, ResourceLink, User


class LaunchSession(db.Model):
    """A validated launch, restored on every later request within the tool."""

    __tablename__ = "launch_sessions"
    # Storing the session spends the id_token's nonce: a replay finds it taken.
    __table_args__ = (UniqueConstraint("registration_id", "nonce"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    locale: Mapped[str] = mapped_column(String(8))
    message_type: Mapped[str] = mapped_column(String(64))
    services: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    nonce: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()


class HandoffToken(db.Model):
    """A single-use, short-lived token that lets a new window take over a launch session
    when the iframe could not keep a cookie."""

    __tablename__ = "handoff_tokens"

    token_hash: Mapped[str] = mapped_column(String(128), primary_key=True)
    launch_id: Mapped[str] = mapped_column(ForeignKey("launch_sessions.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
