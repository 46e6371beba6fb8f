"""Every state change of the student's check-in, with its logging, in one place.

- ``save_checkin``: store this week's answers (one response per student per course per
  ISO week, in the course's time zone; changing them is allowed until the week ends).
- completion to the gradebook: when the course asks for it, the first save of a week
  queues an "activity completed" score — never a grade — through the outbox, in the same
  transaction as the response.

Logs say who, where and which week, never what a student answered.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, inspect
from sqlalchemy.exc import IntegrityError

from .. import outbox
from ..db_insert import insert_or_nothing
from ..extensions import db
from ..institution_policy import allows_identified
from ..lti import LaunchContext
from ..models import Course, ResourceLink, User
from ..models.checkin import CheckinResponse, CheckinSettings
from ..timeutil import utcnow
from ..transactions import one_transaction
from . import privacy
from .items import CURRENT_VERSIONS, SCALE_ITEMS
from .signals import weekly_index
from .weeks import Week, weekly_window

log = logging.getLogger(__name__)

# A completed check-in tells the gradebook "done", nothing more: no scoreGiven and no
# scoreMaximum, so no LMS can turn wellbeing answers into a grade. NotReady keeps the
# LMS from treating the entry as a final result.
COMPLETION_SCORE: dict[str, str] = {"activityProgress": "Completed", "gradingProgress": "NotReady"}


def now() -> datetime:
    """The check-in's clock (naive UTC). Views and saves both ask it, so that a test can
    move "now" across a week boundary in one place."""
    return utcnow()


def current_mode(course: Course) -> str:
    """The privacy mode a response given now is stored with (and the student is told)."""
    return privacy.effective_mode(course.privacy_mode, allows_identified(course.registration_id))


def week_mode(course: Course, week_start: date) -> str:
    """The privacy mode of a course's week: the mode its first answer was given under.

    A mode change never reaches answers already given: once someone answered in a week,
    every answer of that week is stored (and shown) in that week's mode, and the new mode
    applies from the next week. A week nobody answered yet takes the course's mode now.
    """
    given = db.session.execute(
        db.select(CheckinResponse.privacy_mode)
        .where(CheckinResponse.course_id == course.id, CheckinResponse.week_start == week_start)
        .limit(1)
    ).scalar()
    return given or current_mode(course)


def current_week(course: Course) -> Week:
    """The course's ISO week at ``now()``."""
    return weekly_window(now(), course.timezone)


@dataclass(frozen=True)
class Respondent:
    """Who checks in, in which course, and whether the launch can report completion."""

    course_id: int
    user_id: int
    resource_link_id: int | None = None
    can_post_scores: bool = False

    @classmethod
    def from_launch(cls, launch: LaunchContext) -> Respondent:
        return cls(
            course_id=launch.course_id,
            user_id=launch.user_id,
            resource_link_id=launch.resource_link_id,
            can_post_scores=launch.can_post_scores,
        )


@dataclass(frozen=True)
class SavedCheckin:
    response_id: int
    week: Week
    created: bool  # the week's first save (False: the student changed their answers)
    revision: int
    completion_queued: bool


def save_checkin(who: Respondent, answers: Mapping[str, Any]) -> SavedCheckin:
    """Store the student's answers for the current week and commit.

    ``answers`` are the clean answers of ``items.validate_answers`` (no errors): an int
    1-5 for every scale item, ``O1`` a bool, ``Q`` text. The week, the privacy mode and
    the item versions are taken now, at saving: a form opened on Sunday and sent on
    Monday counts for Monday's week.

    Safe under concurrency (a double click, two tabs, two devices): there is never more
    than one response per student, course and week — the unique constraint guarantees it
    — and no submit fails; the one that commits last is what is kept, and ``revision``
    counts the saves.
    """
    missing = [item_id for item_id in SCALE_ITEMS if item_id not in answers]
    if missing:
        raise ValueError(f"answers incomplete: {missing}")
    course = db.session.get(Course, who.course_id)
    if course is None:
        raise LookupError(f"course {who.course_id} not found")
    week = current_week(course)
    stamp = now()
    scale = {item_id: int(answers[item_id]) for item_id in SCALE_ITEMS}
    values = {
        "answers": scale,
        "item_versions": dict(CURRENT_VERSIONS),
        "contact_opt_in": bool(answers.get("O1")),
        "open_answer": (answers.get("Q") or "").strip() or None,
        "index_score": weekly_index(scale),
        "updated_at": stamp,
    }
    # Changed answers in a course that reports no completion: one statement, which needs no
    # transaction of its own (transactions.py).
    updated = _update_existing(course.id, who.user_id, week.start, values, unless_completion=True)
    if updated is not None:
        (response_id, revision, _mode), created, queued = updated, False, False
    else:
        settings = db.session.get(CheckinSettings, course.id)
        reports = settings is not None and settings.completion_to_gradebook
        if reports:
            # The answers and their completion score: stored together or not at all.
            one_transaction()
        response_id, revision, created, mode = _upsert_response(
            course.id, who.user_id, week.start, values, stamp, lambda: week_mode(course, week.start), update_first=reports
        )
        # Anonymous answers never reach the gradebook: a completion would tell who answered when.
        queued = reports and mode == privacy.IDENTIFIED and _queue_completion(who, course, settings, week, response_id)
    db.session.commit()
    log.info(
        "checkin saved course=%s user=%s week=%s revision=%s created=%s completion_queued=%s",
        who.course_id,  # not course.id: the committed row is expired, reading it costs a SELECT
        who.user_id,
        week.start,
        revision,
        created,
        queued,
    )
    if queued:
        outbox.kick()
    return SavedCheckin(response_id, week, created, revision, queued)


_SAVED_COLUMNS = ("answers", "item_versions", "contact_opt_in", "open_answer", "index_score", "updated_at")


@functools.cache
def _update_statement(unless_completion: bool):
    """The re-save UPDATE, built once on the table (no ORM bookkeeping: nothing of it is in
    the session), bound per save. `unless_completion`: it changes nothing when the course
    reports completions to the gradebook (decided in the same statement, so a teacher who
    switches completion on at that moment is either before or after it)."""
    table = CheckinResponse.__table__
    where = [
        table.c.course_id == bindparam("w_course_id"),
        table.c.user_id == bindparam("w_user_id"),
        table.c.week_start == bindparam("w_week_start"),
    ]
    if unless_completion:
        settings = CheckinSettings.__table__
        reports = db.select(settings.c.course_id).where(
            settings.c.course_id == bindparam("w_course_id"), settings.c.completion_to_gradebook.is_(True)
        )
        where.append(~reports.exists())
    return (
        table.update()
        .where(*where)
        .values({**{name: bindparam(name, type_=table.c[name].type) for name in _SAVED_COLUMNS}, "revision": table.c.revision + 1})
        .returning(table.c.id, table.c.revision, table.c.privacy_mode)
    )


def _update_existing(
    course_id: int, user_id: int, week_start: date, values: dict, *, unless_completion: bool = False
) -> tuple[int, int, str] | None:
    """Overwrite the week's response if it exists (and, `unless_completion`, if the course
    reports no completion); (id, revision, privacy mode), or None when nothing was changed."""
    # On the session's connection, past the ORM's execute path: the statement is on the
    # table, so there is nothing for the ORM to do.
    row = db.session.connection().execute(
        _update_statement(unless_completion), {"w_course_id": course_id, "w_user_id": user_id, "w_week_start": week_start, **values}
    ).first()
    return (row[0], row[1], row[2]) if row else None


def _upsert_response(
    course_id: int, user_id: int, week_start: date, values: dict, stamp: datetime, week_mode_now: Callable[[], str], *, update_first: bool = True
) -> tuple[int, int, bool, str]:
    """Insert or overwrite the week's response; returns (id, revision, created, privacy mode).

    The mode (``week_mode_now()``, asked only when there is no row yet) is written on
    INSERT only: re-saving never moves an answer from one privacy mode to the other, so
    an overwritten row's mode is the week's.

    UPDATE first (unless the caller just found there is no row): changing answers is the
    common case. The INSERT inserts nothing when the week's row exists — a concurrent save
    inserted it in between — and then the UPDATE overwrites the row that save created
    (PostgreSQL's READ COMMITTED lets it see the row once that save has committed; SQLite
    serialises writers anyway). One statement each: no savepoint, and without a
    transaction (transactions.py) each commits on its own.
    """
    if update_first:
        updated = _update_existing(course_id, user_id, week_start, values)
        if updated:
            return updated[0], updated[1], False, updated[2]
    mode = week_mode_now()
    conn = db.session.connection()
    row = conn.execute(
        _insert_statement(conn.dialect.name),
        {"course_id": course_id, "user_id": user_id, "week_start": week_start, "created_at": stamp, "privacy_mode": mode, **values},
    ).first()
    if row is not None:
        return row[0], row[1], True, mode
    updated = _update_existing(course_id, user_id, week_start, values)
    if updated is None:  # inserted nothing, yet there is no row to update: cannot happen
        raise LookupError(f"check-in response of course {course_id}, user {user_id}, week {week_start} neither inserted nor found")
    log.info("checkin concurrent save merged course=%s user=%s week=%s", course_id, user_id, week_start)
    return updated[0], updated[1], False, updated[2]


@functools.cache
def _insert_statement(dialect: str):
    """The week's first INSERT, which inserts nothing when the week's row exists already."""
    table = CheckinResponse.__table__
    columns = ("course_id", "user_id", "week_start", "created_at", "privacy_mode", *_SAVED_COLUMNS)
    return (
        insert_or_nothing(dialect, table, ("course_id", "user_id", "week_start"))
        .values({name: bindparam(name, type_=table.c[name].type) for name in columns} | {"revision": 1})
        .returning(table.c.id, table.c.revision)
    )


def completion_key(course_id: int, user_id: int, week_start: date) -> str:
    """The outbox dedupe key: one completion per student, course and week."""
    return f"checkin-completion:{course_id}:{user_id}:{week_start.isoformat()}"


def completion_lineitem(link: ResourceLink | None, settings: CheckinSettings | None) -> str | None:
    """The gradebook column a completion goes to: the link's own, else the one remembered."""
    return (link.lineitem_url if link else None) or (settings.completion_lineitem_url if settings else None)


def _queue_completion(who: Respondent, course: Course, settings: CheckinSettings, week: Week, response_id: int) -> bool:
    """Queue the week's completion score of a course that reports completions; True when newly queued.

    Asked on every save that is not the one-statement re-save (which changes nothing in a
    course that reports completions), so that a teacher who switches completion on
    mid-week still gets this week's completions; the dedupe key keeps it to one.
    """
    if not who.can_post_scores:
        log.info("checkin completion skipped course=%s user=%s: launch has no score service", course.id, who.user_id)
        return False
    link = db.session.get(ResourceLink, who.resource_link_id) if who.resource_link_id else None
    if link is not None and link.course_id != course.id:  # never another course's column
        link = None
    lineitem = completion_lineitem(link, settings)
    if not lineitem:
        log.warning("checkin completion skipped course=%s user=%s: no line item to report to", course.id, who.user_id)
        return False
    user = db.session.get(User, who.user_id)
    try:
        with db.session.begin_nested():
            entry = outbox.enqueue_score(
                registration_id=course.registration_id,
                course_id=course.id,
                lineitem_url=lineitem,
                user_sub=user.sub,
                score=dict(COMPLETION_SCORE),
                dedupe_key=completion_key(course.id, who.user_id, week.start),
                source="checkin",
                source_id=response_id,
            )
            new = inspect(entry).pending
    except IntegrityError as exc:  # a concurrent save queued it first
        if not outbox.is_duplicate(exc):
            raise
        return False
    return new
