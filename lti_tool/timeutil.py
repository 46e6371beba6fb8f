"""One convention for time: naive UTC datetimes in the database, everywhere."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (what SQLite and PostgreSQL columns hold here)."""
    return datetime.now(UTC).replace(tzinfo=None)
