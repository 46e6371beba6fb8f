"""flask commands: operator create, retention run, people export/delete."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from .. import audit
from ..extensions import db
from ..models import Registration
from .blueprint import bp

operator_group = AppGroup("operator", help="Local accounts of whoever runs Erbij (the admin console at /admin).")
retention_group = AppGroup("retention", help="Delete what is past the institutions' retention periods.")
people_group = AppGroup("people", help="One person's data: export or delete (data rights).")


@operator_group.command("create")
@click.argument("username")
@click.password_option(help="Asked for when not given.")
def operator_create(username, password):
    """Create an operator (or set a new password for one)."""
    from .operations import create_operator

    if len(password) < 12:
        raise click.ClickException("Use a password of at least 12 characters.")
    op = create_operator(username.strip(), password)
    click.echo(f"Operator {op.username} can log in at /admin/login.")


@retention_group.command("run")
def retention_run():
    """Apply retention now (idempotent; run it hourly)."""
    from ..retention import run_retention

    report = run_retention()
    click.echo(
        f"Deleted {report.responses_deleted} raw check-in answers ({report.courses_expired} courses past retention) "
        f"and {report.releases_deleted} released weeks; counted {report.sessions_counted} expired launches."
    )


def _registration(registration_id: int) -> int:
    if db.session.get(Registration, registration_id) is None:
        raise click.ClickException(f"No registration #{registration_id}.")
    return registration_id


@people_group.command("export")
@click.option("--registration", "registration_id", type=int, required=True)
@click.option("--user", "sub", required=True, help="The LMS user id (sub).")
def people_export(registration_id, sub):
    """Print everything Erbij holds about one person as JSON."""
    from .operations import export_one

    data = export_one(_registration(registration_id), sub, actor=audit.CLI)
    if data is None:
        raise click.ClickException("Erbij holds nothing about this person in this registration.")
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@people_group.command("delete")
@click.option("--registration", "registration_id", type=int, required=True)
@click.option("--user", "sub", required=True, help="The LMS user id (sub).")
@click.confirmation_option(prompt="Delete everything Erbij holds about this person?")
def people_delete(registration_id, sub):
    """Delete everything Erbij holds about one person."""
    from .operations import delete_one

    counts = delete_one(_registration(registration_id), sub, actor=audit.CLI)
    if counts is None:
        raise click.ClickException("Erbij holds nothing about this person in this registration.")
    click.echo("Deleted: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


bp.cli.add_command(operator_group)
bp.cli.add_command(retention_group)
bp.cli.add_command(people_group)
