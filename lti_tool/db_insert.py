"""An INSERT that inserts nothing when its row exists, for both databases Erbij runs on.

One statement instead of a savepoint around an INSERT that may fail: on PostgreSQL and
SQLite alike, a row whose unique key is taken is skipped, and ``RETURNING`` then gives no
row, so the caller knows it lost the race (a replayed launch nonce, a concurrent first
check-in) without an exception to catch.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def insert_or_nothing(dialect: str, table: Table, unique: Sequence[str]):
    """``INSERT … ON CONFLICT (unique) DO NOTHING`` on `table`, for the dialect named."""
    return _INSERTS[dialect](table).on_conflict_do_nothing(index_elements=list(unique))
