"""The check-in blueprint: the launch entry and the routes of both audiences.

Learners get the weekly check-in (``student.py``); instructors get the dashboard
(``dashboard.py``). Both view modules register their routes on ``bp``; they are imported
at the bottom so that they find ``bp`` defined (no import cycle).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for

from ..lti import LaunchContext, LaunchRefused, current_launch
from ..lti.landing import lands_at
from ..models.course import ACTIVITY_CHECKIN
from .own_week import AT_LAUNCH

bp = Blueprint("checkin", __name__, url_prefix="/l/<lid>/checkin")


def checkin_launch() -> LaunchContext:
    """The current launch, if it is a check-in link of its course; else 404.

    Every check-in page asks this (the student's and the teacher's): they are not
    reachable from a feedback link, whose gradebook column must never get a check-in
    completion and whose launch has no dashboard.
    """
    launch = current_launch()
    link = launch.resource_link
    if link is None or link.course_id != launch.course_id or link.activity != ACTIVITY_CHECKIN:
        abort(404)
    return launch


@lands_at(ACTIVITY_CHECKIN, reads=AT_LAUNCH)
def landing(launch: LaunchContext) -> str:
    """Where a launch of a check-in link lands: the student's check-in or the dashboard."""
    if launch.is_learner:
        return student.landing(launch)
    if launch.is_instructor:
        return url_for("checkin.dashboard")
    raise LaunchRefused("forbidden_role", detail="check-in is for learners and instructors")


@bp.route("/")
def entry():
    return redirect(landing(current_launch()))


from . import dashboard, student  # noqa: E402,F401  (register their routes on bp)
