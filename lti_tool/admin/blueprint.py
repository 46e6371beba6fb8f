"""Routes of the admin console. Each page answers at /admin/… for the operator and at
/l/<lid>/admin/… for an institution administrator's launch (access.admin_view decides)."""

from __future__ import annotations

from flask import Blueprint, g, session

from .access import admin_view
from .views import audit_log, keys, login, outbox, people, policy, registrations

bp = Blueprint("admin", __name__, cli_group=None)


def _route(rule: str, endpoint: str, view, methods=("GET",), *, lti: bool = True, operator_only: bool = False) -> None:
    """Register a console page; the launch form first, so url_for picks it inside a launch."""
    guarded = admin_view(operator_only=operator_only)(view)
    if lti and not operator_only:
        bp.add_url_rule(f"/l/<lid>/admin{rule}", endpoint, guarded, methods=list(methods))
    bp.add_url_rule(f"/admin{rule}", endpoint, guarded, methods=list(methods))


@bp.before_request
def _operator_language():
    # Inside a launch the launch's language applies; the operator chooses theirs.
    if g.get("launch") is None and session.get("admin_lang") in ("nl", "en"):
        g.locale_override = session["admin_lang"]


@bp.after_request
def _no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    return resp


bp.add_url_rule("/admin/login", "login", login.login, methods=["GET", "POST"])
bp.add_url_rule("/admin/logout", "logout", login.logout, methods=["POST"])
bp.add_url_rule("/admin/language", "language", login.language, methods=["POST"])

_route("/", "index", registrations.index)
_route("/registrations", "registrations", registrations.registrations)
_route("/registrations/<int:registration_id>/enabled", "registration_enabled", registrations.registration_enabled, ["POST"])
_route("/registrations/<int:registration_id>/decision", "registration_decision", registrations.registration_decision, ["POST"], operator_only=True)
_route("/deployments/<int:deployment_id>/enabled", "deployment_enabled", registrations.deployment_enabled, ["POST"])
_route("/keys", "keys_page", keys.keys_page, operator_only=True)
_route("/keys/rotate", "rotate_keys", keys.rotate, ["POST"], operator_only=True)
_route("/outbox", "outbox_page", outbox.outbox_page)
_route("/outbox/<int:entry_id>/retry", "outbox_retry", outbox.retry, ["POST"])
_route("/outbox/<int:entry_id>/drop", "outbox_drop", outbox.drop, ["POST"])
_route("/outbox/retry-all", "outbox_retry_all", outbox.retry_all, ["POST"])
_route("/policy", "policy_page", policy.policy_page, ["GET", "POST"])
_route("/people", "people_page", people.people_page)
_route("/people/export", "people_export", people.export, ["POST"])
_route("/people/delete", "people_delete", people.delete, ["POST"])
_route("/audit", "audit_page", audit_log.audit_page)

from . import cli  # noqa: E402,F401  (registers the flask commands on bp.cli)
