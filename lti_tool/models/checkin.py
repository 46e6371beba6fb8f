"""Weekly check-in data: one response per student per course per ISO week."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow
from .course import User


class CheckinResponse(db.Model):
    """A student's answers for one week. The unique constraint is the weekly-window rule.

    `privacy_mode` is the course's mode when the student answered: a later switch to
    identified never reveals answers given anonymously. `item_versions` records which
    wording was answered, so trends only compare like with like.
    """

    __tablename__ = "checkin_responses"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date] = mapped_column(index=True)  # Monday of the ISO week, course time zone
    answers: Mapped[dict] = mapped_column(JSON)  # {"B1": 4, …, "A1": 3}
    item_versions: Mapped[dict] = mapped_column(JSON)  # {"B1": 1, …}
    contact_opt_in: Mapped[bool] = mapped_column(default=False)
    open_answer: Mapped[str | None] = mapped_column(Text)
    privacy_mode: Mapped[str] = mapped_column(String(16))
    index_score: Mapped[float | None]  # weekly_index(answers), kept for fast trends
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class CheckinSettings(db.Model):
    """Per-course check-in settings beyond Course.timezone and Course.privacy_mode."""

    __tablename__ = "checkin_settings"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    completion_to_gradebook: Mapped[bool] = mapped_column(default=False)
    completion_lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    # When the privacy mode last changed: students see a notice before their next check-in.
    privacy_changed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TeacherReflection(db.Model):
    """A teacher's private after-lesson note for one week of one course.

    Private to the teacher who wrote it: every query filters on ``user_id`` as well as
    ``course_id``, so a co-teacher of the same course never sees it. One note per teacher,
    course and week (the unique constraint); saving again overwrites it.
    """

    __tablename__ = "teacher_reflections"
    __table_args__ = (UniqueConstraint("course_id", "user_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]  # Monday of the ISO week, course time zone (as CheckinResponse)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CheckinRelease(db.Model):
    """A week's class figures, released once when the week closed and never changed.

    Figures of a week whose answers are not shown with names come only from here: a
    teacher who reads the dashboard after every single answer sees, during the week, only
    how many answered, and after it one fixed set of numbers — nothing to subtract. The
    unique constraint makes the first release of a week the only one.
    """

    __tablename__ = "checkin_releases"
    __table_args__ = (UniqueConstraint("course_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    respondents: Mapped[int]
    figures: Mapped[dict] = mapped_column(JSON)  # see checkin.releases.figures_of
    released_at: Mapped[datetime] = mapped_column(default=utcnow)
