"""psycopg remembers how it converted Erbij's long statements (psycopg_tuning.py)."""

from __future__ import annotations

import psycopg
from psycopg import _queries

from lti_tool import psycopg_tuning


def test_the_pinned_psycopg_remembers_a_long_statement_it_converted_once(monkeypatch):
    """A guard on psycopg's own workings: an upgrade that stops reading the setting fails here."""
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", psycopg_tuning.LONGEST_REMEMBERED)
    anew = []
    original = _queries._query2pg_nocache
    monkeypatch.setattr(_queries, "_query2pg_nocache", lambda *a: anew.append(1) or original(*a))
    long_sql = "SELECT %(a)s::text AS a, '" + "x" * 5000 + "' AS padding"
    assert 4096 < len(long_sql) < psycopg_tuning.LONGEST_REMEMBERED
    for _ in range(3):
        query = _queries.PostgresQuery(psycopg.adapt.Transformer())
        query.convert(long_sql, {"a": "1"})
        assert query.query.startswith(b"SELECT $1::text")
    assert anew == []  # converted once, by the remembering path
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)
    _queries.PostgresQuery(psycopg.adapt.Transformer()).convert(long_sql, {"a": "1"})
    assert anew == [1]  # the check above can fail: past the length, psycopg converts anew


def test_only_a_postgresql_app_changes_psycopg(monkeypatch):
    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)

    class App:
        config = {"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}

    psycopg_tuning.init_app(App)
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == 4096
    App.config = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1/test"}
    psycopg_tuning.init_app(App)
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == psycopg_tuning.LONGEST_REMEMBERED
