"""An institution's privacy policy: one per platform registration, set in the admin console.

Without a stored policy the defaults apply: identified check-ins as ERBIJ_ALLOW_IDENTIFIED
says (off unless the operator turned it on), raw answers kept 4 weeks after the course
ends, a course without an end date from the LMS counted as ended 12 weeks after its last
check-in, released class figures kept 52 weeks (one academic year).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .extensions import db
from .models.admin import (
    DEFAULT_AGGREGATE_RETENTION_WEEKS,
    DEFAULT_INACTIVE_COURSE_WEEKS,
    DEFAULT_RAW_RETENTION_WEEKS,
    InstitutionPolicy,
)

MIN_WEEKS = 1
MAX_WEEKS = 520  # ten years: anything longer is a typing error


@dataclass(frozen=True)
class Policy:
    allow_identified: bool
    raw_retention_weeks: int
    inactive_course_weeks: int
    aggregate_retention_weeks: int
    stored: bool = False


FIELDS = ("raw_retention_weeks", "inactive_course_weeks", "aggregate_retention_weeks")


def default_policy() -> Policy:
    return Policy(
        allow_identified=bool(current_app.config.get("ERBIJ_ALLOW_IDENTIFIED")),
        raw_retention_weeks=DEFAULT_RAW_RETENTION_WEEKS,
        inactive_course_weeks=DEFAULT_INACTIVE_COURSE_WEEKS,
        aggregate_retention_weeks=DEFAULT_AGGREGATE_RETENTION_WEEKS,
    )


def _from_row(row: InstitutionPolicy) -> Policy:
    return Policy(row.allow_identified, row.raw_retention_weeks, row.inactive_course_weeks, row.aggregate_retention_weeks, True)


def policy_for(registration_id: int) -> Policy:
    """The policy that applies to the courses of this registration."""
    return policy_of(db.session.get(InstitutionPolicy, registration_id))


def policy_of(row: InstitutionPolicy | None) -> Policy:
    """The policy a stored row says (None: nothing stored, the defaults), for a caller that
    read the row along with something else."""
    return default_policy() if row is None else _from_row(row)


def allows_identified(registration_id: int) -> bool:
    return policy_for(registration_id).allow_identified


def parse_policy(form) -> tuple[Policy, dict[str, str]]:
    """The submitted policy and the names of invalid fields ('range'); values come back as typed."""
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    defaults = {
        "raw_retention_weeks": DEFAULT_RAW_RETENTION_WEEKS,
        "inactive_course_weeks": DEFAULT_INACTIVE_COURSE_WEEKS,
        "aggregate_retention_weeks": DEFAULT_AGGREGATE_RETENTION_WEEKS,
    }
    for name in FIELDS:
        raw = (form.get(name) or "").strip()
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or not MIN_WEEKS <= value <= MAX_WEEKS:
            errors[name] = "range"
            values[name] = defaults[name]
        else:
            values[name] = value
    allow = (form.get("allow_identified") or "").lower() in ("yes", "on", "1")
    return Policy(allow, **values), errors


def store_policy(registration_id: int, policy: Policy) -> dict[str, tuple]:
    """Store a policy (the caller commits); returns what changed as {field: (old, new)}."""
    before = policy_for(registration_id)
    row = db.session.get(InstitutionPolicy, registration_id)
    if row is None:
        row = InstitutionPolicy(registration_id=registration_id)
        db.session.add(row)
    changed = {}
    for name in ("allow_identified", *FIELDS):
        old, new = getattr(before, name), getattr(policy, name)
        setattr(row, name, new)
        if old != new:
            changed[name] = (old, new)
    return changed
