"""Courses (LTI contexts), users, memberships and resource links — all scoped to a registration."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

ROLE_INSTRUCTOR = "instructor"
ROLE_LEARNER = "learner"
ROLE_OTHER = "other"

ACTIVITY_CHECKIN = "checkin"
ACTIVITY_FEEDBACK = "feedback"
ACTIVITIES = (ACTIVITY_CHECKIN, ACTIVITY_FEEDBACK)

PRIVACY_ANONYMOUS = "anonymous"
PRIVACY_IDENTIFIED = "identified"


class Course(db.Model):
    """An LTI context. Its id is only unique within the platform registration."""

    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    privacy_mode: Mapped[str] = mapped_column(String(16), default=PRIVACY_ANONYMOUS)
    roster_synced_at: Mapped[datetime | None]
    # The course's end as the LMS sent it (custom parameter erbij_course_end); retention
    # counts from it, or from the last check-in when the LMS sends none.
    ends_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display_title(self) -> str:
        return self.title or self.label or self.context_id


class User(db.Model):
    """A person as the platform identifies them (`sub`). We keep only what we show: a name."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("registration_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(300), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def display_name(self, fallback: str = "") -> str:
        full = self.name or " ".join(p for p in (self.given_name, self.family_name) if p)
        return full or fallback

    @property
    def first_name(self) -> str:
        return self.given_name or (self.name.split(" ")[0] if self.name else "")


class Membership(db.Model):
    """A user's role in a course: from the latest launch, or from the roster (NRPS)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class ResourceLink(db.Model):
    """A placement of Erbij in a course; `activity` says what it is (check-in or feedback)."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("course_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    activity: Mapped[str | None] = mapped_column(String(16))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
