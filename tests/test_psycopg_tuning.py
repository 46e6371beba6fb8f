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


def test_only_an_engine_on_psycopg_changes_psycopg(monkeypatch):
    from sqlalchemy import create_engine

    monkeypatch.setattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", 4096)
    psycopg_tuning.tune(create_engine("sqlite://"))
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == 4096
    psycopg_tuning.tune(create_engine("postgresql+psycopg://postgres@127.0.0.1/test"))  # no connection made
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == psycopg_tuning.LONGEST_REMEMBERED
