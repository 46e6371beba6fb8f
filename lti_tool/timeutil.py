"""One convention for time: naive UTC datetimes in the database, everywhere."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TZ = "Europe/Amsterdam"


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what SQLite and PostgreSQL columns hold here)."""
    return datetime.now(UTC).replace(tzinfo=None)


def course_zone(name: str | None) -> ZoneInfo:
    """A course's time zone; an unknown name falls back to Europe/Amsterdam."""
    try:
        return ZoneInfo(name or DEFAULT_TZ)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TZ)


def in_zone(naive_utc: datetime, tz_name: str | None) -> datetime:
    """A naive UTC datetime from the database as an aware time in the course's zone."""
    return naive_utc.replace(tzinfo=UTC).astimezone(course_zone(tz_name))
