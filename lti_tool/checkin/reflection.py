"""The teacher's weekly after-lesson reflection: private notes, one per teacher and week.

A note belongs to the teacher who wrote it. Every query here filters on the course AND
the teacher's user id, so a co-teacher of the same course never sees it (and a note never
appears in the export, which is about the students' check-ins).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.checkin import TeacherReflection
from ..timeutil import utcnow
from .dashboard_data import Dashboard, WeekView

log = logging.getLogger(__name__)

MAX_LENGTH = 5000  # a page of notes; more is a document, not a weekly reflection
PREVIOUS_NOTES = 4  # shown beside this week's results


@dataclass(frozen=True)
class PreviousNote:
    week: WeekView
    notes: str


def notes_of(course_id: int, teacher_id: int) -> dict[date, TeacherReflection]:
    """This teacher's notes in this course, by week. One query."""
    rows = db.session.execute(
        db.select(TeacherReflection).where(TeacherReflection.course_id == course_id, TeacherReflection.user_id == teacher_id)
    ).scalars()
    return {r.week_start: r for r in rows}


def previous_notes(notes: Mapping[date, TeacherReflection], dash: Dashboard, before: date) -> list[PreviousNote]:
    """The latest earlier notes, newest first, each with that week's results beside it."""
    views = {w.week.start: w for w in dash.weeks}
    earlier = sorted((d for d in notes if d < before and d in views and notes[d].notes.strip()), reverse=True)
    return [PreviousNote(views[d], notes[d].notes) for d in earlier[:PREVIOUS_NOTES]]


def validate(text: str) -> str | None:
    """A translated error, or None when the note can be saved."""
    if len(text.replace("\r\n", "\n")) > MAX_LENGTH:
        return _("Your note is longer than %(max)s characters. Shorten it and save again.", max=MAX_LENGTH)
    return None


def _own_note(course_id: int, teacher_id: int, week_start: date) -> TeacherReflection | None:
    return db.session.execute(
        db.select(TeacherReflection).where(
            TeacherReflection.course_id == course_id,
            TeacherReflection.user_id == teacher_id,
            TeacherReflection.week_start == week_start,
        )
    ).scalar_one_or_none()


def save_note(course_id: int, teacher_id: int, week_start: date, text: str) -> TeacherReflection:
    """Create or overwrite the teacher's note for the week, and commit.

    An empty note is kept as empty rather than deleted: the teacher cleared it on purpose.
    Two first saves at once (two tabs) meet the unique constraint; the later one wins.
    """
    clean = text.replace("\r\n", "\n").replace("\x00", "").strip()
    row = _own_note(course_id, teacher_id, week_start)
    if row is None:
        row = TeacherReflection(course_id=course_id, user_id=teacher_id, week_start=week_start, notes=clean)
        db.session.add(row)
    else:
        row.notes = clean
        row.updated_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        row = _own_note(course_id, teacher_id, week_start)
        row.notes = clean
        db.session.commit()
    # The note is private: the log says only that it was saved, never what it says.
    log.info("reflection saved course=%s teacher=%s week=%s length=%s", course_id, teacher_id, week_start, len(clean))
    return row
