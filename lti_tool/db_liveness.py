"""Dead database connections are found without a round trip on every request.

SQLAlchemy's `pool_pre_ping` tests each connection each time it is checked out: one extra
round trip to PostgreSQL per request (a tenth of a launch's time). Here a connection is
tested only when it sat unused for IDLE_PING_AFTER seconds — the one that may have been
cut by a restart, a failover or a firewall's idle timeout while nobody used it. A
connection in steady use that dies (PostgreSQL restarted under load) fails its next
statement instead: SQLAlchemy then recognises the disconnect and drops every connection of
the pool opened before it, and that request is answered with the translated "try again"
(503) — the same answer a request gets whose database goes away mid-statement.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError

IDLE_PING_AFTER = 5.0
_IDLE_SINCE = "erbij_idle_since"


def init_app(app) -> None:
    from .extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        return  # a file, not a connection that can be cut
    watch(engine)


def watch(engine) -> None:
    dialect = engine.dialect

    @event.listens_for(engine.pool, "checkin")
    def _checked_in(dbapi_connection, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checking_out(dbapi_connection, record, proxy):
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since < IDLE_PING_AFTER:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as exc:  # the pool discards it and checks out another (up to 3 times)
            raise DisconnectionError("idle connection is gone") from exc
        if alive is False:
            raise DisconnectionError("idle connection is gone")
