"""What the app sends to the database, watched from a test."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from lti_tool.extensions import db
from lti_tool.transactions import in_block


@contextlib.contextmanager
def statements_seen(app):
    """Every SQL statement sent while the block runs, as (its first word, whether the driver
    held a transaction open after it)."""
    with app.app_context():
        engine = db.engine
    seen: list[tuple[str, bool]] = []

    def after(conn, cursor, statement, *args):
        seen.append((statement.split()[0].upper(), in_block(conn)))

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", after)
