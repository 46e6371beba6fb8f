"""`flask --app wsgi checkin release`: release the anonymous weeks that just closed.

Safe to run as often as you like (a week is released once; the unique constraint decides),
e.g. hourly from cron or a systemd timer. Without it a week is released at the first
dashboard or export read after it closed.
"""

from __future__ import annotations

import click

from ..extensions import db
from ..models import Course
from . import operations
from .blueprint import bp
from .dashboard_page import release_closed_weeks


@bp.cli.command("release")
def release_command() -> None:
    """Release every closed week of every course that has none yet."""
    released = 0
    courses = db.session.execute(db.select(Course).order_by(Course.id)).scalars().all()
    for course in courses:
        released += release_closed_weeks(course, current=operations.current_week(course), mode=operations.current_mode(course))
    click.echo(f"{len(courses)} courses checked; {released} released weeks in all.")
