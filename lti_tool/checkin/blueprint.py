"""The check-in blueprint: the launch entry and the routes of both audiences.

Learners get the weekly check-in (``student.py``); instructors get the dashboard
(``dashboard.py``). Both view modules register their routes on ``bp``; they are imported
at the bottom so that they find ``bp`` defined (no import cycle).
"""

from __future__ import annotations

import importlib

from flask import Blueprint, current_app, redirect, render_template, url_for

from ..lti import LaunchRefused, current_launch

bp = Blueprint("checkin", __name__, url_prefix="/l/<lid>/checkin")


@bp.route("/")
def entry():
    """Where a launch of a check-in link lands: the student's check-in or the dashboard."""
    launch = current_launch()
    if launch.is_learner:
        return student.landing()
    if launch.is_instructor:
        if "checkin.dashboard" in current_app.view_functions:
            return redirect(url_for("checkin.dashboard"))
        # Until the dashboard lands: say so, and never show the student form.
        return render_template("checkin/_dashboard_coming.html")
    raise LaunchRefused("forbidden_role", detail="check-in is for learners and instructors")


from . import student  # noqa: E402,F401  (registers the student's routes on bp)

try:
    # import_module rather than "from . import dashboard": only it raises
    # ModuleNotFoundError naming the module, so a missing dashboard is told apart from an
    # import that fails inside it.
    importlib.import_module(f"{__package__}.dashboard")  # registers the teacher's routes on bp
except ModuleNotFoundError as exc:  # the dashboard is still being built
    if exc.name != f"{__package__}.dashboard":
        raise
