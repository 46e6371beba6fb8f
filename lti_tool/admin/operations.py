"""Every change the admin console (and its CLI) makes, each with its audit entry.

The audit entry is added to the same transaction as the change, so both are stored or
neither. `actor` is who did it (`audit.operator_actor`, `audit.lti_admin_actor`, "cli").
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlalchemy import ColumnElement

from .. import audit, timeutil
from ..extensions import db
from ..institution_policy import Policy, store_policy
from ..lti import keys
from ..models import Deployment, OutboxEntry, Registration, ToolKey
from ..models.admin import Operator
from ..models.outbox import STATUS_DROPPED, STATUS_FAILED, STATUS_PENDING, STATUS_RETRY
from ..people import delete_person, export_person
from .passwords import hash_password, verify_password

# --------------------------------------------------------------- operators and logins


def create_operator(username: str, password: str, *, actor: str = audit.CLI) -> Operator:
    """Create an operator, or set a new password for an existing one."""
    op = db.session.execute(db.select(Operator).where(Operator.username == username)).scalar_one_or_none()
    action = "operator.password" if op else "operator.create"
    if op is None:
        op = Operator(username=username, password_hash="")
        db.session.add(op)
    op.password_hash = hash_password(password)
    audit.record(action, actor=actor, target=f"operator:{username}")
    db.session.commit()
    return op


def check_login(username: str, password: str, address: str | None) -> Operator | None:
    """The operator when the password is right; audits success and failure either way."""
    op = db.session.execute(db.select(Operator).where(Operator.username == username)).scalar_one_or_none()
    if op is not None and verify_password(password, op.password_hash):
        op.last_login_at = timeutil.utcnow()
        audit.record("operator.login", actor=audit.operator_actor(op.username), target=f"operator:{op.username}", address=address)
        db.session.commit()
        return op
    if op is None:
        verify_password(password, None)
    # An unknown name may be a password typed in the wrong field: it is not written down.
    audit.record_now(
        "operator.login_failed",
        actor="anonymous",
        target=f"operator:{op.username}" if op else "operator:(unknown)",
        address=address,
    )
    return None


def record_logout(actor: str) -> None:
    audit.record_now("operator.logout", actor=actor)


# --------------------------------------------------------------- registrations


def set_registration_enabled(registration_id: int, enabled: bool, *, actor: str) -> Registration:
    reg = db.session.get(Registration, registration_id) or abort(404)
    return _switch(reg, enabled, "registration", actor=actor, registration_id=reg.id)


def set_deployment_enabled(deployment: Deployment, enabled: bool, *, actor: str) -> Deployment:
    return _switch(
        deployment,
        enabled,
        "deployment",
        actor=actor,
        registration_id=deployment.registration_id,
        detail={"deployment_id": deployment.deployment_id},
    )


def _switch(row, enabled: bool, kind: str, *, actor: str, registration_id: int, detail: dict | None = None):
    """Turn a registration or deployment on or off; audited only when it changed."""
    if row.enabled != enabled:
        row.enabled = enabled
        audit.record(
            f"{kind}.enable" if enabled else f"{kind}.disable",
            actor=actor,
            target=f"{kind}:{row.id}",
            registration_id=registration_id,
            detail=detail,
        )
    db.session.commit()
    return row


# --------------------------------------------------------------- keys


def rotate_keys(*, actor: str) -> ToolKey:
    retiring = db.session.execute(db.select(ToolKey.kid).where(ToolKey.status == "active")).scalars().all()
    audit.record("key.rotate", actor=actor, target="tool-keys", detail={"retired": list(retiring)})
    key = keys.rotate()  # commits the audit entry with the rotation
    return key


# --------------------------------------------------------------- outbox

REQUEUE_FROM = (STATUS_FAILED, STATUS_RETRY, STATUS_DROPPED, STATUS_PENDING)
DROP_FROM = (STATUS_FAILED, STATUS_RETRY, STATUS_PENDING)
RETRY_ALL_FROM = (STATUS_FAILED, STATUS_RETRY)


def retry_entry(entry: OutboxEntry, *, actor: str) -> bool:
    """Send one entry again now (failed, retrying, dropped or queued)."""
    return bool(_change_outbox(_one(entry), REQUEUE_FROM, _send_now(), "outbox.retry", actor=actor))


def drop_entry(entry: OutboxEntry, *, actor: str) -> bool:
    """Stop sending one entry (it stays visible as dropped and can be retried)."""
    return bool(_change_outbox(_one(entry), DROP_FROM, {"status": STATUS_DROPPED, "lease_until": None}, "outbox.drop", actor=actor))


def retry_all(registration_id: int, *, actor: str) -> int:
    """Send every failed or retrying entry of one registration again now."""
    return _change_outbox(_all_of(registration_id), RETRY_ALL_FROM, _send_now(), "outbox.retry_all", actor=actor)


@dataclass(frozen=True)
class _Entries:
    """Which outbox entries a change is about, and how its audit entry names them."""

    where: ColumnElement[bool]
    target: str
    registration_id: int
    counted: bool  # a change of a whole registration's entries says in its audit entry how many


def _one(entry: OutboxEntry) -> _Entries:
    return _Entries(OutboxEntry.id == entry.id, f"outbox:{entry.id}", entry.registration_id, counted=False)


def _all_of(registration_id: int) -> _Entries:
    return _Entries(OutboxEntry.registration_id == registration_id, f"registration:{registration_id}", registration_id, counted=True)


def _send_now() -> dict:
    """What makes the worker pick an entry up at once, with a fresh count of attempts."""
    return {"status": STATUS_RETRY, "next_attempt_at": timeutil.utcnow(), "attempts": 0, "lease_until": None}


def _change_outbox(entries: _Entries, from_statuses: tuple[str, ...], values: dict, action: str, *, actor: str) -> int:
    """Set `values` on those of `entries` that are in one of `from_statuses`, and audit it
    when any changed; returns how many changed.

    The status is in the UPDATE's WHERE clause, not checked before: an entry a worker has
    claimed or sent in the meantime is left alone."""
    update = db.update(OutboxEntry).where(entries.where, OutboxEntry.status.in_(from_statuses)).values(**values)
    changed = db.session.execute(update).rowcount
    if changed:
        detail = {"entries": changed} if entries.counted else None
        audit.record(action, actor=actor, target=entries.target, registration_id=entries.registration_id, detail=detail)
    db.session.commit()
    return changed


# --------------------------------------------------------------- privacy policy


def save_policy(registration_id: int, policy: Policy, *, actor: str) -> dict:
    changed = store_policy(registration_id, policy)
    if changed:
        audit.record(
            "policy.change",
            actor=actor,
            target=f"registration:{registration_id}",
            registration_id=registration_id,
            detail={name: {"from": old, "to": new} for name, (old, new) in changed.items()},
        )
    db.session.commit()
    return changed


# --------------------------------------------------------------- people


def export_one(registration_id: int, sub: str, *, actor: str) -> dict | None:
    data = export_person(registration_id, sub)
    if data is not None:
        audit.record_now(
            "person.export", actor=actor, target=f"person:{audit.person_ref(registration_id, sub)}", registration_id=registration_id
        )
    return data


def delete_one(registration_id: int, sub: str, *, actor: str) -> dict | None:
    counts = delete_person(registration_id, sub)
    if counts is not None:
        audit.record(
            "person.delete",
            actor=actor,
            target=f"person:{audit.person_ref(registration_id, sub)}",
            registration_id=registration_id,
            detail={"removed": counts},
        )
        db.session.commit()
    return counts
