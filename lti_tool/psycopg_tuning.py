"""psycopg, set up for Erbij's statements (PostgreSQL only).

psycopg turns a statement's `%(name)s` placeholders into PostgreSQL's `$1, $2…` on every
execution, and remembers the result only for statements up to 4096 bytes. A returning
student's launch is one statement of a little over 4 KB (its rows, what its page shows and
the launch session stored: lti/context.py); converted anew each time, it cost about
0.08 ms of every launch. Erbij builds each of its statements once (a fixed set, each bound
per request), so psycopg may remember statements up to 16 KB: its cache still holds at most
128 of them.

`MAX_CACHED_STATEMENT_LENGTH` is not part of psycopg's documented interface: psycopg is
pinned, and tests/test_psycopg_tuning.py fails when an upgrade stops reading it.
"""

from __future__ import annotations

LONGEST_REMEMBERED = 16384


def init_app(app) -> None:
    from .extensions import db

    with app.app_context():
        tune(db.engine)


def tune(engine) -> None:
    """psycopg's setting, for an engine that talks through psycopg (nothing otherwise)."""
    if engine.dialect.driver != "psycopg":
        return
    from psycopg import _queries

    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", LONGEST_REMEMBERED) < LONGEST_REMEMBERED:
        _queries.MAX_CACHED_STATEMENT_LENGTH = LONGEST_REMEMBERED
