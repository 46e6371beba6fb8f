"""One clock for the feedback feature, so tests can move time (monkeypatch `now`)."""

from __future__ import annotations

from datetime import datetime

from ..timeutil import utcnow


def now() -> datetime:
    """Now as a naive UTC datetime, like every timestamp in the database."""
    return utcnow()
