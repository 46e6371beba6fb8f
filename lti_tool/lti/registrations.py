"""Platform registrations and deployments: the one place that creates and finds them."""

from __future__ import annotations

from ..extensions import db
from ..models import Deployment, Registration


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
