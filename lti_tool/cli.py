"""flask commands: platforms add/list/disable/enable, keys rotate (registrations: lti/registration_cli.py)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup


def register_cli(app) -> None:
    platforms = AppGroup("platforms", help="Register LMS platforms (issuer + client_id).")
    keys_group = AppGroup("keys", help="Erbij's signing keys.")

    @platforms.command("add")
    @click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. https://canvas.instructure.com")
    @click.option("--client-id", required=True)
    @click.option("--auth-login-url", required=True, help="The platform's OIDC authorization endpoint")
    @click.option("--auth-token-url", required=True, help="The platform's OAuth2 token endpoint")
    @click.option("--key-set-url", required=True, help="The platform's public JWKS URL")
    @click.option("--deployment-id", "deployment_ids", multiple=True, required=True)
    @click.option("--auth-audience", default=None, help="Token audience when it differs from the token URL")
    @click.option("--name", default=None, help="A name for the admin console")
    def add(issuer, client_id, auth_login_url, auth_token_url, key_set_url, deployment_ids, auth_audience, name):
        """Register (or update) a platform; it is enabled and usable at once."""
        from .lti import keys
        from .lti.registrations import upsert_registration

        reg = upsert_registration(
            issuer=issuer,
            client_id=client_id,
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            deployment_ids=list(deployment_ids),
            auth_audience=auth_audience,
            name=name,
        )
        from .audit import CLI, record_now

        record_now("registration.add", actor=CLI, target=f"registration:{reg.id}", registration_id=reg.id, detail={"issuer": reg.issuer, "client_id": reg.client_id})
        keys.active_key()
        base = current_app.config["ERBIJ_BASE_URL"]
        click.echo(f"Registered #{reg.id}: {reg.issuer} client_id={reg.client_id} deployments={', '.join(deployment_ids)}")
        click.echo("Enter these in the LMS:")
        click.echo(f"  OIDC login initiation URL: {base}/lti/login")
        click.echo(f"  Redirect URI / target link URI: {base}/lti/launch")
        click.echo(f"  Public keyset URL (JWKS): {base}/lti/jwks")

    @platforms.command("list")
    def list_():
        """List registrations and their deployments."""
        from .lti.registrations import all_registrations

        regs = all_registrations()
        if not regs:
            click.echo("No platforms registered.")
        for reg in regs:
            state = "enabled" if reg.enabled else "DISABLED"
            deps = ", ".join(f"{d.deployment_id}{'' if d.enabled else ' (disabled)'}" for d in reg.deployments)
            click.echo(f"#{reg.id} [{state}] {reg.name} — iss={reg.issuer} client_id={reg.client_id} deployments: {deps}")

    def _toggle(registration_id: int, enabled: bool) -> None:
        from .audit import CLI, record
        from .extensions import db
        from .lti.registrations import set_enabled
        from .models import Registration

        if db.session.get(Registration, registration_id) is None:
            raise click.ClickException(f"No registration #{registration_id}.")
        record("registration.enable" if enabled else "registration.disable", actor=CLI, target=f"registration:{registration_id}", registration_id=registration_id)
        reg = set_enabled(registration_id, enabled)
        click.echo(f"#{reg.id} {'enabled' if enabled else 'disabled'}.")

    @platforms.command("disable")
    @click.argument("registration_id", type=int)
    def disable(registration_id):
        """Refuse all launches from a registration."""
        _toggle(registration_id, False)

    @platforms.command("enable")
    @click.argument("registration_id", type=int)
    def enable(registration_id):
        """Accept launches from a registration again."""
        _toggle(registration_id, True)

    @keys_group.command("rotate")
    def rotate():
        """Create a new signing key; the old one stays published for the overlap period."""
        from .audit import CLI, record
        from .lti import keys

        record("key.rotate", actor=CLI, target="tool-keys")
        key = keys.rotate()
        minutes = keys.retired_key_overlap().total_seconds() / 60
        click.echo(f"New active key {key.kid}. Retired keys stay in the JWKS for {minutes:g} min.")

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Send what is due now, then exit.")
    @click.option("--interval", default=2.0, show_default=True, help="Seconds between polls when idle.")
    def worker(once, interval):
        """Deliver the outbox (gradebook scores) to the LMSs, with retries."""
        from . import outbox

        if once:
            click.echo(f"Attempted {outbox.drain()} entries.")
            return
        click.echo("Outbox worker running; Ctrl-C stops it.")
        try:
            outbox.run_worker(current_app._get_current_object(), poll_interval=interval)
        except KeyboardInterrupt:
            click.echo("Stopped.")

    app.cli.add_command(platforms)
    app.cli.add_command(keys_group)

    from .lti.registration_cli import registrations

    app.cli.add_command(registrations)
