"""The audit log: who did what, when, from where — appended, never changed.

`record` adds an entry to the caller's transaction (the caller commits it with the change
it reports, so both exist or neither does); `record_now` commits at once, for events that
stand alone (a failed login). An entry never holds the content of a check-in or a
feedback; a person is named by `person_ref`, a hash of their LMS id, never by name.
"""

from __future__ import annotations

import hashlib

from flask import has_request_context, request

from . import timeutil
from .extensions import db
from .models.admin import AuditEntry

SYSTEM = "system"
CLI = "cli"

# Keys whose values are content people wrote; refused in `detail` as a last safeguard.
_CONTENT_KEYS = frozenset({"answers", "open_answer", "text", "notes", "body", "comment", "parts", "payload"})


def person_ref(registration_id: int, sub: str) -> str:
    """A stable, short reference to one person that does not show their LMS id."""
    return hashlib.sha256(f"{registration_id}:{sub}".encode()).hexdigest()[:16]


def operator_actor(username: str) -> str:
    return f"operator:{username}"


def lti_admin_actor(registration_id: int, sub: str) -> str:
    return f"lti-admin:{registration_id}:{person_ref(registration_id, sub)}"


def _address() -> str | None:
    return (request.remote_addr or None) if has_request_context() else None


def record(
    action: str,
    *,
    actor: str,
    target: str = "",
    detail: dict | None = None,
    address: str | None = None,
    registration_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry to the current transaction (the caller commits)."""
    detail = dict(detail or {})
    leaked = _CONTENT_KEYS & set(detail)
    if leaked:
        raise ValueError(f"audit detail must not carry content: {sorted(leaked)}")
    entry = AuditEntry(
        at=timeutil.utcnow(),
        actor=actor[:200],
        action=action[:64],
        target=target[:300],
        registration_id=registration_id,
        detail=detail,
        address=(address or _address() or None),
    )
    db.session.add(entry)
    return entry


def record_now(action: str, **kwargs) -> None:
    """Record and commit at once."""
    record(action, **kwargs)
    db.session.commit()


def entries(registration_ids: frozenset[int] | None, *, page: int, per_page: int = 50) -> tuple[list[AuditEntry], bool]:
    """Entries newest first; only those of `registration_ids` unless None (everything).
    Returns the page and whether an older page exists."""
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc())
    if registration_ids is not None:
        query = query.where(AuditEntry.registration_id.in_(registration_ids))
    rows = db.session.execute(query.offset((page - 1) * per_page).limit(per_page + 1)).scalars().all()
    return list(rows[:per_page]), len(rows) > per_page
