"""Statements on their own: the hot paths that need no transaction do without one.

A transaction costs PostgreSQL two round trips of its own: psycopg sends BEGIN before the
first statement and COMMIT after the last. A returning student's launch reads their rows
and what its page shows, and stores the launch session (one statement on PostgreSQL:
lti/context.py); a student who changes this week's answers reads the launch and writes one
UPDATE. Each statement on its own is atomic, and under READ COMMITTED every statement sees
its own snapshot anyway, so these run each statement as its own transaction (autocommit):
1 and 2 round trips instead of 3 and 4.

Only code that asks for it runs this way, before the session's first statement:
`statements_alone()`. Every page of a launch (a GET under /l/<lid>/) and every view marked
`@alone` asks for it before its launch is read (lti/context.py). From then on, until the
session commits:

- a read, or a single-statement write (a Core INSERT/UPDATE), commits on its own;
- `one_transaction()` opens a transaction (BEGIN) for writes that stand or fall together:
  call it before the first of them;
- a write through the ORM (a flush) and a savepoint (`begin_nested`) open that transaction
  themselves, so an ORM write is never split into statements that commit one by one.

The session's `commit()` then sends COMMIT when a transaction was opened (nothing
otherwise), and returning the connection to the pool rolls back what was left open and
puts it back in its ordinary (transactional) mode.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .extensions import db

_AUTOCOMMIT = "AUTOCOMMIT"


def statements_alone() -> bool:
    """Run this session's statements each on its own from here (see above). Only before
    the session's first statement; returns whether it took effect (False: a transaction
    is already open, and everything stays in it)."""
    session = db.session()
    if session.in_transaction():
        return False
    session.connection(execution_options={"isolation_level": _AUTOCOMMIT})
    return True


def alone(view):
    """View decorator: the request's statements run alone, from its first (the launch's read,
    lti/context.py). For views whose writes are each one statement or call `one_transaction()`."""
    view.erbij_statements_alone = True
    return view


def asks_alone(view) -> bool:
    return getattr(view, "erbij_statements_alone", False)


def one_transaction() -> None:
    """What this session runs from here to its commit is one transaction. Nothing to do
    when it already is (the ordinary mode, or a transaction opened before)."""
    session = db.session()
    if session.in_transaction():
        _begin_if_alone(session.connection())


def _begin_if_alone(conn: Connection) -> None:
    if conn.get_execution_options().get("isolation_level") == _AUTOCOMMIT and not in_block(conn):
        conn.exec_driver_sql("BEGIN")


def in_block(conn: Connection) -> bool:
    """The driver's own word: is a transaction open on this connection?"""
    dbapi = conn.connection.dbapi_connection
    info = getattr(dbapi, "info", None)
    status = getattr(info, "transaction_status", None)  # psycopg: 0 is IDLE
    if status is not None:
        return int(status) != 0
    return bool(getattr(dbapi, "in_transaction", False))  # sqlite3


@event.listens_for(Session, "before_flush")
def _flush_in_a_transaction(session, flush_context, instances) -> None:
    if session.in_transaction():
        _begin_if_alone(session.connection())


def init_app(app) -> None:
    """A savepoint needs an open transaction: open it first when statements run alone."""
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "savepoint")
    def _savepoint_in_a_transaction(conn, name) -> None:
        _begin_if_alone(conn)
