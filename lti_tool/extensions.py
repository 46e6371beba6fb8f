"""Flask extensions, created once and bound in create_app."""

import logging

from flask_caching import Cache
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from .i18n import ErbijBabel

# Named constraints so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class SafeSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy whose end-of-request clean-up survives a database that went away.

    The session is closed after the response is built; when PostgreSQL restarted during
    the request, that close (a ROLLBACK on a dead connection) raises, and the exception
    would replace the finished response with a bare 500 — even after the student's save
    was committed and confirmed. The dead connection is dropped (SQLAlchemy recycles the
    pool's older connections after a disconnect, db_liveness.py) and the response stands.
    """

    def _teardown_session(self, exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except Exception as error:  # the database is gone; nothing is left to roll back
            logging.getLogger("lti_tool.db").warning("closing the session failed, connection dropped: %s", type(error).__name__)
            try:
                self.session.registry().invalidate()
            except Exception:  # noqa: S110 - best effort: the registry is cleared below either way
                pass
            self.session.registry.clear()


db = SafeSQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
babel = ErbijBabel()
class SafeCache(Cache):
    """The shared cache (Redis in production) that never fails a request.

    Everything Erbij caches can be had again from the database or the platform, so a
    cache that is down only costs time: reads answer "not cached", writes are dropped,
    ``add`` answers None ("could not tell"), and every error is logged (its type only).
    """

    def _safely(self, name: str, default, *args, **kwargs):
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception as exc:  # connection refused, time-out, unreadable entry
            logging.getLogger("lti_tool.cache").warning("cache %s failed, carrying on without it: %s", name, type(exc).__name__)
            return default

    def get(self, *args, **kwargs):
        return self._safely("get", None, *args, **kwargs)

    def get_many(self, *keys):
        return self._safely("get_many", [None] * len(keys), *keys)

    def set(self, *args, **kwargs):
        return self._safely("set", False, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._safely("add", None, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._safely("delete", False, *args, **kwargs)

    def has(self, *args, **kwargs):
        return self._safely("has", False, *args, **kwargs)

    def inc(self, key: str, delta: int = 1):
        # Flask-Caching's Cache has no inc of its own: the backend (cachelib) has, atomic on Redis.
        try:
            return self.cache.inc(key, delta)
        except Exception as exc:
            logging.getLogger("lti_tool.cache").warning("cache inc failed, carrying on without it: %s", type(exc).__name__)
            return None

    def clear(self):
        # What a process keeps in memory in front of this cache goes with it.
        from .lti.launch_cache import forget_local

        forget_local()
        return self._safely("clear", False)


cache = SafeCache()
