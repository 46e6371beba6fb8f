"""What every launch reads, cached: registrations and deployments (platform keys: platform_keys.py).

Entries are snapshots (plain dataclasses, never ORM rows) in the app's cache (Redis in
production). Invalidation is by generation: every entry carries the generation it was
read under, and any committed change to a registration or deployment — through the ORM,
a bulk UPDATE/DELETE, the CLI or the admin console in another process sharing Redis —
sets a new generation, so every older entry stops matching at once. An entry is also
dropped after ENTRY_TTL, which bounds staleness for changes made outside SQLAlchemy and,
with the per-process SimpleCache, for changes made in another process.

Every launch reads these three or four times (login, launch, and the CSP header of each
page), so each process also keeps what it found for LOCAL_TTL seconds without asking the
shared cache (a Redis round trip each): a change made in this process is seen at once (the
memory is cleared with the generation), one made in another process within LOCAL_TTL.
What does not exist is not kept in memory (it is in the shared cache).

The cache never fails a request: any cache error falls back to the database.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Deployment, Registration
from ..shared_cache import cache_add, cache_get_many, cache_set, digest

log = logging.getLogger(__name__)

ENTRY_TTL = 60
LOCAL_TTL = 5.0
LOCAL_MAX = 1024
GENERATION_KEY = "lti-registry-gen"
_MISSING = "-"  # a cached "no such row": unknown issuers are asked about again and again


# ---------------------------------------------------------------- snapshots
@dataclass(frozen=True)
class RegistrationInfo:
    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    auth_audience: str | None
    key_set_url: str
    enabled: bool
    status: str = "active"  # active | pending (waits for the operator) | rejected
    registered_via: str = "manual"

    @property
    def usable(self) -> bool:
        """Launches are accepted: switched on and approved."""
        return self.enabled and self.status == "active"


@dataclass(frozen=True)
class DeploymentInfo:
    id: int
    registration_id: int
    deployment_id: str


def _reg_info(row: Registration) -> RegistrationInfo:
    return RegistrationInfo(
        id=row.id,
        issuer=row.issuer,
        client_id=row.client_id,
        auth_login_url=row.auth_login_url,
        auth_token_url=row.auth_token_url,
        auth_audience=row.auth_audience,
        key_set_url=row.key_set_url,
        enabled=bool(row.enabled),
        status=row.status or "active",
        registered_via=row.registered_via or "manual",
    )


_local: dict[str, tuple[float, object]] = {}


def forget_local() -> None:
    """Drop this process's memory of registrations and deployments."""
    _local.clear()


def _remember(key: str, value):
    # Only what exists: a registration made a moment ago in another process (the admin
    # console, the CLI) is found by the next login, never hidden by a remembered "none".
    if value is None:
        return value
    if len(_local) >= LOCAL_MAX:
        _local.clear()
    _local[key] = (time.monotonic() + LOCAL_TTL, value)
    return value


def _cached(key: str, load):
    """The entry under `key` if it was stored under the current generation, else load() and store it."""
    hit = _local.get(key)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    entry, gen = cache_get_many(key, GENERATION_KEY)
    if gen is not None and isinstance(entry, tuple) and len(entry) == 2 and entry[0] == gen:
        return _remember(key, None if entry[1] == _MISSING else entry[1])
    value = load()
    if gen is None:
        gen = secrets.token_hex(8)
        if cache_add(GENERATION_KEY, gen, timeout=0) is False:
            return value  # another process set it a moment ago; store next time
    cache_set(key, (gen, _MISSING if value is None else value), timeout=ENTRY_TTL)
    return _remember(key, value)


def registration(issuer: str, client_id: str | None) -> RegistrationInfo | None:
    """The enabled registration for issuer + client_id (without client_id: only when unambiguous).

    Enabled includes one pending approval: the caller refuses it with its own message."""

    def load():
        query = db.select(Registration).where(Registration.issuer == issuer)
        if client_id:
            query = query.where(Registration.client_id == client_id)
        rows = db.session.execute(query.limit(2)).scalars().all()
        return _reg_info(rows[0]) if len(rows) == 1 else None

    info = _cached(f"lti-reg:{digest(issuer, client_id)}", load)
    return info if info is not None and info.enabled else None


def registration_by_id(registration_id: int) -> RegistrationInfo | None:
    """The registration, enabled or not (the caller decides)."""

    def load():
        row = db.session.get(Registration, registration_id)
        return _reg_info(row) if row is not None else None

    return _cached(f"lti-reg-id:{int(registration_id)}", load)


def deployment(registration_id: int, deployment_id: str | None) -> DeploymentInfo | None:
    """An enabled deployment of this registration, or None."""
    if not deployment_id:
        return None

    def load():
        row = db.session.execute(
            db.select(Deployment).where(
                Deployment.registration_id == registration_id,
                Deployment.deployment_id == str(deployment_id),
                Deployment.enabled.is_(True),
            )
        ).scalar_one_or_none()
        return DeploymentInfo(row.id, row.registration_id, row.deployment_id) if row is not None else None

    return _cached(f"lti-dep:{int(registration_id)}:{digest(deployment_id)}", load)


def platform_origins(shown_in: int | None = None) -> str:
    """CSP frame-ancestors for every enabled registration (cached like the registrations),
    and always for registration `shown_in`: the platform the response is for (a login, a
    launch, a page of a launch). A platform registered a moment ago in another process is
    not yet in this process's memory of the list (LOCAL_TTL), and its first launch must
    not be refused its frame.

    Fails closed: when the database cannot say, only Erbij itself may frame the page."""
    from ..serving import frame_ancestors

    def load():
        rows = db.session.execute(db.select(Registration).where(Registration.enabled.is_(True))).scalars().all()
        return frame_ancestors(rows)

    try:
        sources = _cached("lti-frame-ancestors", load) or "'self'"
        reg = registration_by_id(shown_in) if shown_in is not None else None
    except Exception as exc:  # the database is down: the error page still renders
        log.warning("frame-ancestors unknown (%s): only 'self'", type(exc).__name__)
        db.session.rollback()
        return "'self'"
    if reg is None or not reg.enabled:
        return sources
    known = sources.split()
    return " ".join(known + [source for source in frame_ancestors([reg]).split() if source not in known])


def invalidate() -> None:
    """Make every cached registration and deployment stale (all processes sharing the cache)."""
    forget_local()
    cache_set(GENERATION_KEY, secrets.token_hex(8), timeout=0)


# ---------------------------------------------------------------- invalidation on change
_FLAG = "erbij_registry_changed"
_IGNORED = {"last_launch_at"}  # bookkeeping, not configuration


def _registry_row_changed(obj, deleted: bool = False) -> bool:
    if isinstance(obj, Deployment):
        return True
    if not isinstance(obj, Registration):
        return False
    if deleted:
        return True
    state = inspect(obj)
    if state.pending or not state.has_identity:
        return True
    return any(attr.key not in _IGNORED and attr.history.has_changes() for attr in state.attrs)


@event.listens_for(Session, "before_flush")
def _note_changes(session, flush_context, instances):
    if (
        any(_registry_row_changed(o) for o in session.new)
        or any(_registry_row_changed(o) for o in session.dirty)
        or any(_registry_row_changed(o, deleted=True) for o in session.deleted)
    ):
        session.info[_FLAG] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_changes(orm_execute_state):
    if orm_execute_state.is_update or orm_execute_state.is_delete:
        mapper = orm_execute_state.bind_mapper
        table = getattr(orm_execute_state.statement, "table", None)
        names = {getattr(mapper, "class_", None), getattr(table, "name", None)}
        if names & {Registration, Deployment, "registrations", "deployments"}:
            values = getattr(orm_execute_state.statement, "_values", None) or {}
            touched = {getattr(k, "key", str(k)) for k in values}
            if not (touched and touched <= _IGNORED):
                orm_execute_state.session.info[_FLAG] = True


@event.listens_for(Session, "after_commit")
def _bump_after_commit(session):
    if session.info.pop(_FLAG, False):
        invalidate()


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session):
    session.info.pop(_FLAG, None)
