"""flask registrations list|approve|reject: the operator decides on LMS registrations."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .registrations import (
    RegistrationNotFound,
    all_registrations,
    approve_registration,
    pending_registrations,
    reject_registration,
)

registrations = AppGroup("registrations", help="LMS registrations: list them, approve or reject a pending one.")


@registrations.command("list")
@click.option("--pending", is_flag=True, help="Only registrations waiting for approval.")
def list_(pending):
    """Every registration, with its status (active, pending, rejected) and deployments."""
    regs = pending_registrations() if pending else all_registrations()
    if not regs:
        click.echo("No registrations waiting for approval." if pending else "No registrations.")
    for reg in regs:
        state = reg.status if reg.enabled or reg.status != "active" else "disabled"
        deps = ", ".join(f"{d.deployment_id}{'' if d.enabled else ' (disabled)'}" for d in reg.deployments) or "-"
        family = f" {reg.product_family}" if reg.product_family else ""
        click.echo(
            f"#{reg.id} [{state}] client_id={reg.client_id} iss={reg.issuer}{family} via={reg.registered_via}"
            f" — {reg.name} — deployments: {deps}"
        )


def _decide(action, key: str, verb: str) -> None:
    try:
        reg = action(key)
    except RegistrationNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"#{reg.id} {reg.issuer} client_id={reg.client_id}: {verb}.")


@registrations.command("approve")
@click.argument("client_id")
def approve(client_id):
    """Accept launches from a registration (by client_id, or #number)."""
    _decide(approve_registration, client_id, "approved, launches are accepted")


@registrations.command("reject")
@click.argument("client_id")
def reject(client_id):
    """Refuse a registration (by client_id, or #number): it is switched off."""
    _decide(reject_registration, client_id, "rejected, launches are refused")
