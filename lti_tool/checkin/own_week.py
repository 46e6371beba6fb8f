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


@functools.cache
def _own_week_query():
    """The read on its own, built once (bound per request)."""
    course_id, week_start = bindparam("course_id"), bindparam("week_start")
    own = db.select(db.literal(1).label("one")).subquery()
    return (
        db.select(_first_mode(course_id, week_start), CheckinResponse, CheckinSettings, InstitutionPolicy)
        .select_from(own)
        .outerjoin(
            CheckinResponse,
            (CheckinResponse.course_id == course_id)
            & (CheckinResponse.user_id == bindparam("user_id"))
            & (CheckinResponse.week_start == week_start),
        )
        .outerjoin(CheckinSettings, CheckinSettings.course_id == course_id)
        .outerjoin(InstitutionPolicy, InstitutionPolicy.registration_id == bindparam("registration_id"))
    )


def _mode(given: str | None, course: Course, policy: InstitutionPolicy | None) -> str:
    return given or privacy.effective_mode(course.privacy_mode, policy_of(policy).allow_identified)


def own_response_and_mode(launch: LaunchContext, week_start: date) -> OwnWeek:
    """This student's response of the week, the week's privacy mode and the course's
    check-in settings, in one statement — or none, when the launch read them (`AT_LAUNCH`)
    or a page before this one in the same request did (`keep`)."""
    key = (launch.course_id, launch.user_id, week_start)
    kept = g.get(_KEPT)
    if kept is not None and kept[0] == key:
        return kept[1]
    given, response, settings, policy = db.session.execute(
        _own_week_query(),
        {"course_id": launch.course_id, "user_id": launch.user_id, "week_start": week_start, "registration_id": launch.registration_id},
    ).one()
    read = (response, _mode(given, launch.course, policy), settings)
    keep(launch.course_id, launch.user_id, week_start, read)
    return read


def keep(course_id: int, user_id: int, week_start: date, read: OwnWeek) -> None:
    """Remember a read for the rest of this request (a launch renders its landing page in
    the request that read it)."""
    setattr(g, _KEPT, ((course_id, user_id, week_start), read))


# ---------------------------------------------------------------- read with the launch
_WEEK = bindparam("checkin_week_start")


def _launch_joins(query):
    """Outer joins on the launch's rows; a link of another activity joins nothing."""
    checkin_link = ResourceLink.activity == ACTIVITY_CHECKIN
    return (
        query.outerjoin(
            CheckinResponse,
            checkin_link
            & (CheckinResponse.course_id == Course.id)
            & (CheckinResponse.user_id == User.id)
            & (CheckinResponse.week_start == _WEEK),
        )
        .outerjoin(CheckinSettings, checkin_link & (CheckinSettings.course_id == Course.id))
        .outerjoin(InstitutionPolicy, checkin_link & (InstitutionPolicy.registration_id == Course.registration_id))
    )


def _launch_week() -> dict:
    return {"checkin_week_start": weekly_window(operations.now(), DEFAULT_TZ).start}


def _keep_launch_read(params: dict, course: Course, user: User, link: ResourceLink | None, values: tuple) -> None:
    if link is None or link.activity != ACTIVITY_CHECKIN:
        return
    given, response, settings, policy = values
    keep(course.id, user.id, params["checkin_week_start"], (response, _mode(given, course, policy), settings))


AT_LAUNCH = ReadAtLaunch(
    entities=(_first_mode(Course.id, _WEEK), CheckinResponse, CheckinSettings, InstitutionPolicy),
    joins=_launch_joins,
    params=_launch_week,
    keep=_keep_launch_read,
)
