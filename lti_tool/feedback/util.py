"""Small helpers the feedback controllers share: scope checks and local times."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from babel.dates import format_datetime
from flask import abort, request
from flask_babel import get_locale

from ..extensions import db
from ..lti import current_launch
from ..models import ResourceLink, User
from ..models.course import ACTIVITY_FEEDBACK
from ..roster import is_active_learner
from ..timeutil import in_zone


def feedback_link() -> ResourceLink:
    """The launch's resource link, which must be a feedback activity of its course."""
    launch = current_launch()
    link = launch.resource_link
    if link is None or link.course_id != launch.course_id or link.activity != ACTIVITY_FEEDBACK:
        abort(404)
    return link


def student_or_404(student_id: int) -> User:
    """A learner of the launch's course; anyone else (or another course's student) is a 404."""
    launch = current_launch()
    user = db.session.get(User, student_id)
    if user is None or user.registration_id != launch.registration_id or not is_active_learner(launch.course_id, user.id):
        abort(404)
    return user


def lang() -> str:
    return "en" if str(get_locale() or "nl").startswith("en") else "nl"


def local(dt: datetime | None) -> datetime | None:
    """A naive UTC datetime from the database in the course's time zone."""
    if dt is None:
        return None
    return in_zone(dt, current_launch().course.timezone)


def when(dt: datetime | None) -> str:
    """Date and time for people: '21 nov. 2026 14:02' / '21 Nov 2026 14:02'."""
    if dt is None:
        return ""
    return format_datetime(local(dt), "d MMM y HH:mm", locale=lang())


def clock(dt: datetime | None) -> str:
    """Only the time ('14:02') — for things that happened today, like a save."""
    if dt is None:
        return ""
    return format_datetime(local(dt), "HH:mm", locale=lang())


def safe_next(target: str | None, fallback: str) -> str:
    """Only paths inside this launch: never an open redirect."""
    target = target or ""
    if target.startswith(f"/l/{current_launch().id}/") and "\\" not in target:
        return target
    return fallback


def with_notice(url: str, notice: str) -> str:
    """`url` with ?notice=… set (replacing an earlier one), keeping the other parameters."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "notice"] + [("notice", notice)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"
