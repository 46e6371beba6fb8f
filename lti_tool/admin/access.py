"""Who is in the admin console, and what they may see: the one place that decides.

- An LTI launch whose user is an institution administrator and asked for the console
  (LaunchContext.is_admin) sees its own registration only. Teachers and students never
  get in, whatever link they follow.
- The operator logs in with a local account; the session lasts at most SESSION_MAX and
  ends after SESSION_IDLE without a request. Failed logins are limited per account and
  per address (in the shared cache: Redis in production).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, g, redirect, request, session, url_for

from .. import audit, timeutil
from ..extensions import cache, db
from ..lti.errors import LaunchRefused
from ..models.admin import Operator

SESSION_KEY = "erbij_operator"
SESSION_MAX = timedelta(hours=8)
SESSION_IDLE = timedelta(minutes=30)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 10


@dataclass(frozen=True)
class AdminScope:
    """Who acts (for the audit log) and which registrations they may see (None: all)."""

    actor: str
    registration_ids: frozenset[int] | None
    operator_name: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.operator_name is not None

    def allows(self, registration_id: int | None) -> bool:
        return registration_id is not None and (self.registration_ids is None or registration_id in self.registration_ids)

    def where(self, column):
        """A filter on a registration_id column for queries."""
        return column.in_(self.registration_ids) if self.registration_ids is not None else column.isnot(None)


def current_scope() -> AdminScope:
    scope = g.get("admin_scope")
    if scope is None:
        abort(403)
    return scope


def require_in_scope(registration_id: int | None) -> int:
    """The registration, when this admin may see it; 404 otherwise (no hint it exists)."""
    if not current_scope().allows(registration_id):
        abort(404)
    return registration_id


# ------------------------------------------------------------------ operator session
def _ts(moment: datetime) -> float:
    return moment.timestamp()


def start_operator_session(op: Operator) -> None:
    now = _ts(timeutil.utcnow())
    session[SESSION_KEY] = {"id": op.id, "since": now, "seen": now}
    session.permanent = True


def end_operator_session() -> None:
    session.pop(SESSION_KEY, None)


def operator_from_session() -> Operator | None:
    """The logged-in operator, or None (never logged in, expired or idle too long)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    now = _ts(timeutil.utcnow())
    if now - data.get("since", 0) > SESSION_MAX.total_seconds() or now - data.get("seen", 0) > SESSION_IDLE.total_seconds():
        end_operator_session()
        return None
    op = db.session.get(Operator, data.get("id"))
    if op is None:
        end_operator_session()
        return None
    if now - data["seen"] > 60:  # refresh the idle clock, not on every request
        session[SESSION_KEY] = {**data, "seen": now}
    return op


def admin_view(*, operator_only: bool = False):
    """View decorator: an admin launch (own registration) or the operator (everything)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            launch = g.get("launch")
            if launch is not None:
                if not launch.is_admin or operator_only:
                    raise LaunchRefused("forbidden_role", detail=f"{request.endpoint} needs an admin launch")
                g.admin_scope = AdminScope(audit.lti_admin_actor(launch.registration_id, launch.user.sub), frozenset({launch.registration_id}))
            else:
                op = operator_from_session()
                if op is None:
                    return redirect(url_for("admin.login", next=request.path if request.method == "GET" else None))
                g.admin_scope = AdminScope(audit.operator_actor(op.username), None, op.username)
            return view(*args, **kwargs)

        return wrapped

    return decorator


# ------------------------------------------------------------------ login rate limit
def _bucket() -> tuple[int, float]:
    """The current fixed window: its number and when it ends (epoch seconds)."""
    now = _ts(timeutil.utcnow())
    size = FAILURE_WINDOW.total_seconds()
    number = int(now // size)
    return number, (number + 1) * size


def _keys(username: str, address: str) -> tuple[str, str]:
    number, _ = _bucket()
    return f"op-login-fail:user:{username.casefold()}:{number}", f"op-login-fail:addr:{address}:{number}"


def minutes_blocked(username: str, address: str) -> int:
    """0 when a login may be tried; else the minutes until the window ends."""
    user_key, addr_key = _keys(username, address)
    if (cache.get(user_key) or 0) >= MAX_FAILURES_PER_ACCOUNT or (cache.get(addr_key) or 0) >= MAX_FAILURES_PER_ADDRESS:
        _, ends = _bucket()
        return max(1, math.ceil((ends - _ts(timeutil.utcnow())) / 60))
    return 0


def note_failure(username: str, address: str) -> None:
    """Count a failed login for the account and the address (until the window ends)."""
    _, ends = _bucket()
    ttl = max(1, int(ends - _ts(timeutil.utcnow())) + 1)
    for key in _keys(username, address):
        cache.add(key, 0, timeout=ttl)
        count = cache.inc(key)
        if count is not None:  # the in-process cache forgets the timeout on inc
            cache.set(key, count, timeout=ttl)


def clear_failures(username: str) -> None:
    cache.delete(_keys(username, "")[0])
