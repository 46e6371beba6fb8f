"""A student's week in one read: their response, the week's privacy mode, the course's
check-in settings — what the form, "done" and a launch's landing all start from.

The mode is ``operations.week_mode``'s: the mode of the week's first answer (anyone's: only
its mode column is read), else the course's mode now (bounded by the institution's policy,
read in the same statement).

A launch of a check-in link reads it with the student's own rows, in the launch's statement
(`AT_LAUNCH`, registered with the landing in blueprint.py): a returning student's launch then
needs no statement of its own for its page. Its week is the week in Erbij's default time
zone, known before the course is; a course in another zone, in the hours its week differs,
reads again. What was read is kept for the rest of the request (`g`), for the student, course
and week it was read for only.
"""

from __future__ import annotations

import functools
from datetime import date

from flask import g
from sqlalchemy import bindparam
from sqlalchemy.orm import aliased

from ..extensions import db
from ..institution_policy import policy_of
from ..lti import LaunchContext
from ..lti.landing import ReadAtLaunch
from ..models import Course, ResourceLink, User
from ..models.admin import InstitutionPolicy
from ..models.checkin import CheckinResponse, CheckinSettings
from ..models.course import ACTIVITY_CHECKIN
from ..timeutil import DEFAULT_TZ
from . import operations, privacy
from .weeks import weekly_window

OwnWeek = tuple[CheckinResponse | None, str, CheckinSettings | None]

_KEPT = "checkin_own_week"


def _first_mode(course_id, week_start):
    """The privacy mode of the week's first answer (a scalar subquery; None: no answer yet)."""
    first = aliased(CheckinResponse, name="week_first")
    return db.select(first.privacy_mode).where(first.course_id == course_id, first.week_start == week_start).limit(1).scalar_subquery()


def _entities(course_id, week_start) -> tuple:
    return (_first_mode(course_id, week_start), CheckinResponse, CheckinSettings, InstitutionPolicy)


def _joins(query, course_id, user_id, week_start, registration_id, when=True):
    """The read's outer joins (at most one row each), on SQL expressions for the course, the
    student, the week and the registration; `when`: a condition every join also needs."""
    return (
        query.outerjoin(
            CheckinResponse,
            db.and_(
                when,
                CheckinResponse.course_id == course_id,
                CheckinResponse.user_id == user_id,
                CheckinResponse.week_start == week_start,
            ),
        )
        .outerjoin(CheckinSettings, db.and_(when, CheckinSettings.course_id == course_id))
        .outerjoin(InstitutionPolicy, db.and_(when, InstitutionPolicy.registration_id == registration_id))
    )


@functools.cache
def _own_week_query():
    """The read on its own, built once (bound per request)."""
    course_id, week_start = bindparam("course_id"), bindparam("week_start")
    own = db.select(*_entities(course_id, week_start)).select_from(db.select(db.literal(1).label("one")).subquery())
    return _joins(own, course_id, bindparam("user_id"), week_start, bindparam("registration_id"))


def _read(given: str | None, response, settings, policy, course: Course) -> OwnWeek:
    mode = given or privacy.effective_mode(course.privacy_mode, policy_of(policy).allow_identified)
    return response, mode, settings


def own_response_and_mode(launch: LaunchContext, week_start: date) -> OwnWeek:
    """This student's response of the week, the week's privacy mode and the course's
    check-in settings, in one statement — or none, when the launch read them (`AT_LAUNCH`)
    or a page before this one in the same request did."""
    key = (launch.course_id, launch.user_id, week_start)
    kept = g.get(_KEPT)
    if kept is not None and kept[0] == key:
        return kept[1]
    given, response, settings, policy = db.session.execute(
        _own_week_query(),
        {"course_id": launch.course_id, "user_id": launch.user_id, "week_start": week_start, "registration_id": launch.registration_id},
    ).one()
    return _keep(key, _read(given, response, settings, policy, launch.course))


def _keep(key: tuple, read: OwnWeek) -> OwnWeek:
    """Remember a read (for the course, student and week in `key`) for the rest of this
    request: a launch renders its landing page in the request that read it."""
    setattr(g, _KEPT, (key, read))
    return read


# ---------------------------------------------------------------- read with the launch
_WEEK = bindparam("checkin_week_start")


def _launch_joins(query):
    """The same joins on the launch's rows; a link of another activity joins nothing."""
    return _joins(query, Course.id, User.id, _WEEK, Course.registration_id, when=ResourceLink.activity == ACTIVITY_CHECKIN)


def _launch_week() -> dict:
    return {"checkin_week_start": weekly_window(operations.now(), DEFAULT_TZ).start}


def _keep_launch_read(params: dict, course: Course, user: User, link: ResourceLink | None, values: tuple) -> None:
    if link is not None and link.activity == ACTIVITY_CHECKIN:
        _keep((course.id, user.id, params["checkin_week_start"]), _read(*values, course))


AT_LAUNCH = ReadAtLaunch(
    entities=_entities(Course.id, _WEEK),
    joins=_launch_joins,
    params=_launch_week,
    keep=_keep_launch_read,
)
