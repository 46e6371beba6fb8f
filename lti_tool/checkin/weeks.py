"""The weekly window: ISO weeks in the course's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..timeutil import DEFAULT_TZ, course_zone  # noqa: F401  (DEFAULT_TZ is part of this module's API)


@dataclass(frozen=True)
class Week:
    start: date  # Monday
    iso_year: int
    iso_week: int
    ends_at_utc: datetime  # naive UTC: the next Monday 00:00 in the course zone

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


def weekly_window(now_utc: datetime, tz_name: str | None) -> Week:
    """The ISO week that `now_utc` (naive UTC) falls in, in the course's time zone."""
    zone = course_zone(tz_name)
    local = now_utc.replace(tzinfo=UTC).astimezone(zone)
    start = local.date() - timedelta(days=local.isoweekday() - 1)
    return week_of(start, zone)


def week_of(start: date, zone: ZoneInfo | str | None) -> Week:
    """The Week starting on Monday `start`."""
    if not isinstance(zone, ZoneInfo):
        zone = course_zone(zone)
    next_monday = datetime.combine(start + timedelta(days=7), datetime.min.time(), tzinfo=zone)
    iso = start.isocalendar()
    return Week(start=start, iso_year=iso[0], iso_week=iso[1], ends_at_utc=next_monday.astimezone(UTC).replace(tzinfo=None))


def previous_weeks(week: Week, n: int, zone: ZoneInfo | str | None) -> list[Week]:
    """The n weeks before `week`, oldest first."""
    return [week_of(week.start - timedelta(days=7 * k), zone) for k in range(n, 0, -1)]


def weeks_since(first_start: date | None, current: Week, zone: ZoneInfo | str | None, max_weeks: int) -> list[Week]:
    """The weeks from ``first_start`` (at most ``max_weeks`` back) to ``current``, oldest first.

    ``first_start`` is the Monday of the first response; None (or a later week) gives the
    current week alone.
    """
    start = first_start if first_start is not None and first_start <= current.start else current.start
    count = min((current.start - start).days // 7 + 1, max_weeks)
    return [week_of(current.start - timedelta(days=7 * k), zone) for k in range(count - 1, -1, -1)]
