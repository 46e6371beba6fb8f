"""Platform registrations and deployments: the one place that creates and finds them.

A registration is added by hand (`flask platforms add`: active at once) or by LTI Dynamic
Registration (dynamic_registration.py: active, or pending until the operator approves it,
as the registration policy says). Every change an operator must be able to trace later is
passed to `_audit` — what and which registration, never a token or any course content.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from .. import audit
from ..extensions import db
from ..models import Deployment, Registration, UsedRegistrationToken
from ..models.platform import STATUS_ACTIVE, STATUS_PENDING, STATUS_REJECTED


def _audit(action: str, reg: Registration, detail: dict | None = None, *, actor: str = audit.SYSTEM) -> None:
    """Record an operator-relevant event in the audit log (committed at once: the change
    it reports is committed already)."""
    audit.record_now(
        action,
        actor=actor,
        target=f"registration:{reg.id}",
        registration_id=reg.id,
        detail={"issuer": reg.issuer, "client_id": reg.client_id, **(detail or {})},
    )


def upsert_registration(
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: list[str],
    auth_audience: str | None = None,
    name: str | None = None,
) -> Registration:
    """Create or update a registration (issuer + client_id) and make it usable.

    The registration and the named deployments end up enabled; other deployments
    of the registration are left as they are.
    """
    reg = find_registration(issuer, client_id, enabled_only=False)
    if reg is None:
        reg = Registration(issuer=issuer, client_id=client_id)
        db.session.add(reg)
    reg.name = name or reg.name or issuer
    reg.auth_login_url = auth_login_url
    reg.auth_token_url = auth_token_url
    reg.key_set_url = key_set_url
    reg.auth_audience = auth_audience or None
    reg.enabled = True
    reg.status = STATUS_ACTIVE  # added by the operator: approved by doing so
    existing = {d.deployment_id: d for d in reg.deployments}
    for dep_id in deployment_ids:
        dep = existing.get(dep_id)
        if dep is None:
            reg.deployments.append(Deployment(deployment_id=dep_id, enabled=True))
        else:
            dep.enabled = True
    db.session.commit()
    return reg


def find_registration(
    issuer: str, client_id: str | None, *, enabled_only: bool = True
) -> Registration | None:
    """Find by issuer and client_id. Without a client_id, only when the issuer is unambiguous."""
    query = db.select(Registration).where(Registration.issuer == issuer)
    if client_id:
        query = query.where(Registration.client_id == client_id)
    rows = db.session.execute(query).scalars().all()
    if len(rows) != 1:
        return None
    reg = rows[0]
    if enabled_only and not reg.enabled:
        return None
    return reg


def find_deployment(registration: Registration, deployment_id: str) -> Deployment | None:
    """An enabled deployment of this registration, or None."""
    return db.session.execute(
        db.select(Deployment).where(
            Deployment.registration_id == registration.id,
            Deployment.deployment_id == deployment_id,
            Deployment.enabled.is_(True),
        )
    ).scalar_one_or_none()


def set_enabled(registration_id: int, enabled: bool) -> Registration | None:
    reg = db.session.get(Registration, registration_id)
    if reg is not None:
        reg.enabled = enabled
        db.session.commit()
    return reg


def all_registrations() -> list[Registration]:
    return list(db.session.execute(db.select(Registration).order_by(Registration.id)).scalars())


# ---------------------------------------------------------------- dynamic registration
def add_dynamic_registration(
    *,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_id: str | None,
    status: str,
    product_family: str | None,
    name: str,
    token_hash: str | None,
) -> Registration:
    """Store what the LMS answered to Erbij's registration request, in one commit.

    The registration token's hash is stored in the same transaction: its unique
    constraint refuses a second registration with the same token (`TokenAlreadyUsed`),
    and then nothing is stored. An LMS that hands out an issuer + client_id again (a
    registration made over) updates that registration and takes the policy's status.
    """
    try:
        if token_hash:
            db.session.add(UsedRegistrationToken(token_hash=token_hash))
            db.session.flush()
        reg = find_registration(issuer, client_id, enabled_only=False)
        if reg is None:
            reg = Registration(issuer=issuer, client_id=client_id)
            db.session.add(reg)
        reg.name = name[:200]
        reg.auth_login_url = auth_login_url
        reg.auth_token_url = auth_token_url
        reg.key_set_url = key_set_url
        reg.auth_audience = None
        reg.status = status
        reg.enabled = status != STATUS_REJECTED
        reg.registered_via = "dynamic"
        reg.product_family = (product_family or "")[:64] or None
        if deployment_id and deployment_id not in {d.deployment_id for d in reg.deployments}:
            reg.deployments.append(Deployment(deployment_id=deployment_id, enabled=True))
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise TokenAlreadyUsed from exc
    _audit("registration.create", reg, {"status": reg.status, "via": "dynamic", "family": reg.product_family or ""}, actor="lms")
    return reg


class TokenAlreadyUsed(Exception):
    """This registration token registered Erbij before."""


def token_used(token_hash: str) -> bool:
    """Whether a registration token (by its hash) registered Erbij before."""
    return db.session.execute(
        db.select(UsedRegistrationToken.id).where(UsedRegistrationToken.token_hash == token_hash)
    ).first() is not None


def adopt_deployment(registration_id: int, deployment_id: str) -> Deployment | None:
    """A deployment the LMS added after a dynamic registration (Moodle, Brightspace), on its
    first verified launch: recorded and enabled, so the admin has nothing to do in Erbij.

    Only for an active, dynamically registered registration, and never for a deployment
    id that is known already (one that was switched off stays off). Flushed in the
    launch's transaction; two workers adopting the same id at once end with one row."""
    reg = db.session.get(Registration, registration_id)
    if reg is None or reg.registered_via != "dynamic" or reg.status != STATUS_ACTIVE or not reg.enabled:
        return None
    deployment_id = str(deployment_id)
    if not deployment_id or len(deployment_id) > 255:
        return None
    exists = db.session.execute(
        db.select(Deployment.id).where(Deployment.registration_id == reg.id, Deployment.deployment_id == deployment_id)
    ).first()
    if exists is not None:
        return None
    dep = Deployment(registration_id=reg.id, deployment_id=deployment_id, enabled=True)
    try:
        with db.session.begin_nested():
            db.session.add(dep)
    except IntegrityError:
        return find_deployment(reg, deployment_id)
    _audit("deployment.adopt", reg, {"deployment_id": deployment_id[:80]}, actor="lms")
    return dep


# ---------------------------------------------------------------- the operator's decisions
def pending_registrations() -> list[Registration]:
    """Registrations that wait for the operator's approval, oldest first."""
    return list(
        db.session.execute(
            db.select(Registration).where(Registration.status == STATUS_PENDING).order_by(Registration.id)
        ).scalars()
    )


class RegistrationNotFound(LookupError):
    """No registration, or more than one, answers to this id or client_id."""


def resolve_registration(client_id_or_id: str | int) -> Registration:
    """A registration by its client_id, or by its number (`#3` or `3`) when no client_id matches."""
    key = str(client_id_or_id).strip()
    rows = list(db.session.execute(db.select(Registration).where(Registration.client_id == key)).scalars())
    if len(rows) == 1:
        return rows[0]
    if len(rows) > 1:
        raise RegistrationNotFound(f"client_id {key!r} is registered for several LMSs; use the number (#id)")
    number = key.removeprefix("#")
    if number.isdigit():
        reg = db.session.get(Registration, int(number))
        if reg is not None:
            return reg
    raise RegistrationNotFound(f"no registration {key!r}")


def approve_registration(client_id_or_id: str | int, *, actor: str = audit.CLI) -> Registration:
    """Accept launches from this registration (also one rejected before)."""
    return _decide(client_id_or_id, STATUS_ACTIVE, "registration.approve", actor)


def reject_registration(client_id_or_id: str | int, *, actor: str = audit.CLI) -> Registration:
    """Refuse this registration: it is switched off and its launches are refused."""
    return _decide(client_id_or_id, STATUS_REJECTED, "registration.reject", actor)


def _decide(client_id_or_id: str | int, status: str, action: str, actor: str) -> Registration:
    """The operator's decision: the status, and switched on exactly when it is active."""
    reg = resolve_registration(client_id_or_id)
    reg.status = status
    reg.enabled = status == STATUS_ACTIVE
    db.session.commit()
    _audit(action, reg, actor=actor)
    return reg
