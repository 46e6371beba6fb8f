"""The check-in blueprint: the launch entry and the routes of both audiences.

Learners get the weekly check-in (``student.py``); instructors get the dashboard
(``dashboard.py``). Both view modules register their routes on ``bp``; they are imported
at the bottom so that they find ``bp`` defined (no import cycle).
"""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from ..lti import LaunchRefused, current_launch

bp = Blueprint("checkin", __name__, url_prefix="/l/<lid>/checkin")


@bp.route("/")
def entry():
    """Where a launch of a check-in link lands: the student's check-in or the dashboard."""
    launch = current_launch()
    if launch.is_learner:
        return student.landing()
    if launch.is_instructor:
        return redirect(url_for("checkin.dashboard"))
    raise LaunchRefused("forbidden_role", detail="check-in is for learners and instructors")


from . import dashboard, student  # noqa: E402,F401  (register their routes on bp)
