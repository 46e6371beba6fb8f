"""What the admin console keeps: the audit log, operators, each institution's privacy
policy and a weekly launch count per deployment."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow

# Defaults of an institution's policy (product.md: "Privacy").
DEFAULT_RAW_RETENTION_WEEKS = 4
DEFAULT_INACTIVE_COURSE_WEEKS = 12
DEFAULT_AGGREGATE_RETENTION_WEEKS = 52


class AuditEntry(db.Model):
    """One thing someone did. Append-only: the app has no path that changes or removes a
    row, and a database trigger (migration 0011) refuses UPDATE and DELETE.

    `registration_id` scopes the entry for an institution's own administrator; it is no
    foreign key, so the entry outlives the registration. Never holds check-in or feedback
    content, and names people only by a hash of their LMS id (`audit.person_ref`).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(300), default="")
    registration_id: Mapped[int | None] = mapped_column(index=True)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))


class Operator(db.Model):
    """Whoever runs this Erbij: a local account (`flask operator create`), sees everything."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class InstitutionPolicy(db.Model):
    """An institution's (a registration's) privacy policy. No row: the defaults apply."""

    __tablename__ = "institution_policies"

    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True)
    allow_identified: Mapped[bool] = mapped_column(default=False)
    raw_retention_weeks: Mapped[int] = mapped_column(default=DEFAULT_RAW_RETENTION_WEEKS)
    inactive_course_weeks: Mapped[int] = mapped_column(default=DEFAULT_INACTIVE_COURSE_WEEKS)
    aggregate_retention_weeks: Mapped[int] = mapped_column(default=DEFAULT_AGGREGATE_RETENTION_WEEKS)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class LaunchCount(db.Model):
    """Launches per deployment per ISO week, rolled up from expired launch sessions by
    `flask retention run` (a launch itself writes nothing extra)."""

    __tablename__ = "launch_counts"
    __table_args__ = (UniqueConstraint("deployment_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    week_start: Mapped[date]
    launches: Mapped[int] = mapped_column(default=0)
