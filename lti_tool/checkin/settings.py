"""The course's check-in settings for its teacher: time zone, gradebook completion, privacy.

- Time zone: where the check-in week starts and ends (validated against zoneinfo).
- Completion to the gradebook: on check-in, the LMS gets "completed" — never a grade.
- Privacy mode: anonymous, or identified where the institution allows it
  (the institution's policy, ``institution_policy``). A switch records ``privacy_changed_at`` so students are
  told before their next check-in; answers keep the mode they were given in, so a switch
  to identified never reveals earlier anonymous answers (``dashboard_data``).
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..institution_policy import allows_identified
from ..lti import instructor_required
from ..models import Course
from ..models.checkin import CheckinSettings
from ..timeutil import utcnow
from . import operations, privacy
from .blueprint import bp, checkin_launch

log = logging.getLogger(__name__)

# Offered first in the list; any zoneinfo name is accepted.
COMMON_ZONES: tuple[str, ...] = (
    "Europe/Amsterdam",
    "Europe/Brussels",
    "America/Paramaribo",
    "America/Curacao",
    "America/Kralendijk",
    "Europe/London",
    "UTC",
)


@functools.cache
def known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@dataclass(frozen=True)
class SettingsForm:
    timezone: str
    completion_to_gradebook: bool
    privacy_mode: str


def current_form(course: Course, settings: CheckinSettings | None) -> SettingsForm:
    return SettingsForm(
        timezone=course.timezone,
        completion_to_gradebook=bool(settings and settings.completion_to_gradebook),
        privacy_mode=operations.current_mode(course),
    )


def parse_form(form: Mapping[str, str], allow_identified: bool) -> tuple[SettingsForm, dict[str, str]]:
    """The submitted settings and translated errors by field; the values come back as typed."""
    errors: dict[str, str] = {}
    tz = (form.get("timezone") or "").strip()
    if not tz:
        errors["timezone"] = _("Choose a time zone, for example Europe/Amsterdam.")
    elif tz not in known_zones():
        errors["timezone"] = _("“%(zone)s” is not a time zone we know. Use a name such as Europe/Amsterdam.", zone=tz[:64])
    mode = form.get("privacy_mode") or privacy.ANONYMOUS
    if mode not in privacy.MODES:
        errors["privacy_mode"] = _("Choose anonymous or identified.")
        mode = privacy.ANONYMOUS
    elif mode == privacy.IDENTIFIED and not allow_identified:
        errors["privacy_mode"] = _("Your institution does not allow identified check-ins, so this course stays anonymous.")
        mode = privacy.ANONYMOUS
    completion = (form.get("completion_to_gradebook") or "").lower() in ("yes", "on", "1")
    return SettingsForm(tz, completion, mode), errors


def apply_settings(course: Course, new: SettingsForm) -> list[str]:
    """Store valid settings and commit; returns the names of what changed (for the log)."""
    settings = db.session.get(CheckinSettings, course.id)
    if settings is None:
        settings = CheckinSettings(course_id=course.id)
        db.session.add(settings)
    changed = []
    if course.timezone != new.timezone:
        course.timezone = new.timezone
        changed.append("timezone")
    if bool(settings.completion_to_gradebook) != new.completion_to_gradebook:
        settings.completion_to_gradebook = new.completion_to_gradebook
        changed.append("completion_to_gradebook")
    # Compare with the mode that applied, not the stored wish: a course stored as
    # "identified" in an institution that does not allow it has been anonymous all along.
    if operations.current_mode(course) != new.privacy_mode:
        course.privacy_mode = new.privacy_mode
        settings.privacy_changed_at = utcnow()  # students are told before their next check-in
        changed.append("privacy_mode")
    elif course.privacy_mode != new.privacy_mode:
        course.privacy_mode = new.privacy_mode
    if changed:
        settings.updated_at = utcnow()
    db.session.commit()
    log.info("checkin settings course=%s changed=%s mode=%s", course.id, ",".join(changed) or "-", new.privacy_mode)
    return changed


@bp.route("/settings", methods=["GET", "POST"])
@instructor_required
def settings_page():
    """The course's check-in settings, each explained in one sentence."""
    launch = checkin_launch()
    course = launch.course
    allow_identified = allows_identified(course.registration_id)
    stored = db.session.get(CheckinSettings, course.id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form, errors = parse_form(request.form, allow_identified)
        if not errors:
            apply_settings(course, form)
            return redirect(url_for("checkin.settings_page", saved=1))
    else:
        form = current_form(course, stored)
    has_column = bool(operations.completion_lineitem(launch.resource_link, stored))
    page = render_template(
        "checkin/settings.html",
        form=form,
        errors=errors,
        saved=request.args.get("saved") == "1",
        allow_identified=allow_identified,
        zones=COMMON_ZONES,
        has_column=has_column,
        privacy_changed_at=stored.privacy_changed_at if stored else None,
        min_items=privacy.MIN_ITEM_RESPONDENTS,
        min_open=privacy.MIN_OPEN_TEXT_RESPONDENTS,
    )
    return (page, 400) if errors else page
