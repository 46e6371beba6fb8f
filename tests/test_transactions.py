"""Statements on their own (lti_tool/transactions.py): what commits when, seen from a second
connection, on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lti_tool.extensions import db
from lti_tool.models.admin import Operator
from lti_tool.transactions import in_block, one_transaction, statements_alone

from .statements import StatementLog

OPERATORS = Operator.__table__


def _seen_elsewhere() -> list[str]:
    """The operators a second connection sees: what has been committed."""
    with db.engine.connect() as other:
        return sorted(other.execute(text("SELECT username FROM operators")).scalars())


def _insert(name: str) -> None:
    db.session.connection().execute(OPERATORS.insert().values(username=name, password_hash="x"))


def test_alone_a_core_write_commits_on_its_own(app):
    with app.app_context():
        assert statements_alone() is True
        _insert("ada")
        assert not in_block(db.session.connection())
        assert _seen_elsewhere() == ["ada"]  # committed before the session commits
        db.session.rollback()  # nothing left to undo
        assert _seen_elsewhere() == ["ada"]


def test_one_transaction_holds_writes_until_commit_and_rollback_undoes_them(app):
    with app.app_context():
        statements_alone()
        _insert("ada")
        one_transaction()
        assert in_block(db.session.connection())
        _insert("bob")
        _insert("cy")
        assert _seen_elsewhere() == ["ada"]
        db.session.rollback()
        assert _seen_elsewhere() == ["ada"]

        statements_alone()
        one_transaction()
        one_transaction()  # asked twice: still one transaction
        _insert("bob")
        _insert("cy")
        db.session.commit()
        assert _seen_elsewhere() == ["ada", "bob", "cy"]


def test_an_orm_write_opens_the_transaction_itself(app):
    with app.app_context():
        statements_alone()
        db.session.add(Operator(username="ada", password_hash="x"))
        db.session.add(Operator(username="bob", password_hash="x"))
        db.session.flush()
        assert in_block(db.session.connection())
        assert _seen_elsewhere() == []  # the flush is not committed statement by statement
        db.session.rollback()
        assert _seen_elsewhere() == []


def test_a_savepoint_opens_the_transaction_itself(app):
    with app.app_context():
        statements_alone()
        with db.session.begin_nested():
            _insert("ada")
        with pytest.raises(Exception):  # noqa: B017,PT011 - the unique constraint, whatever the driver calls it
            with db.session.begin_nested():
                _insert("ada")
        _insert("bob")  # the savepoint undid only the failed INSERT
        assert _seen_elsewhere() == []
        db.session.commit()
        assert _seen_elsewhere() == ["ada", "bob"]


def test_only_before_the_first_statement_and_only_until_the_commit(app):
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        assert statements_alone() is False  # a transaction is open: everything stays in it
        _insert("ada")
        assert _seen_elsewhere() == []
        db.session.commit()

        statements_alone()
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        _insert("bob")  # after the commit: the ordinary mode again
        assert in_block(db.session.connection())
        assert _seen_elsewhere() == ["ada"]
        db.session.commit()
        assert _seen_elsewhere() == ["ada", "bob"]


def test_the_pool_gets_its_connections_back_in_the_ordinary_mode(app):
    with app.app_context():
        statements_alone()
        _insert("ada")
        one_transaction()
        _insert("bob")
        db.session.remove()  # the end of a request, with the transaction left open
        assert _seen_elsewhere() == ["ada"]
        for _ in range(3):  # whichever pooled connection comes next
            _insert("cy")
            assert in_block(db.session.connection())
            db.session.rollback()
        assert _seen_elsewhere() == ["ada"]


def test_statements_counted_alone_send_no_begin(app):
    """Driver-level: no transaction is open after any statement run alone."""
    with app.app_context(), StatementLog(app) as log:
        statements_alone()
        db.session.execute(text("SELECT 1"))
        _insert("ada")
        db.session.execute(db.select(Operator)).all()
        db.session.commit()
    assert log.verbs == [("SELECT", False), ("INSERT", False), ("SELECT", False)]
