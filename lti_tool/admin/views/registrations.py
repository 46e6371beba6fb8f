"""Registrations and their deployments: state, last launch, launches per week; on/off."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import timeutil
from ...extensions import db
from ...lti.registrations import approve_registration, pending_registrations, reject_registration
from ...models import Deployment, Registration
from ...retention import launches_per_week, week_of
from .. import operations
from ..access import current_scope, require_in_scope
from .common import visible_registrations

WEEKS_SHOWN = 6


def index():
    return redirect(url_for("admin.registrations"))


def registrations():
    regs = visible_registrations()
    this_week = week_of(timeutil.utcnow())
    weeks = [this_week - timedelta(weeks=n) for n in range(WEEKS_SHOWN - 1, -1, -1)]
    counts = launches_per_week([r.id for r in regs], weeks)
    return render_template(
        "admin/registrations.html",
        regs=regs,
        weeks=weeks,
        counts=counts,
        scope=current_scope(),
        pending=pending_registrations() if current_scope().is_operator else [],
    )


def _wanted_state() -> bool:
    value = request.form.get("enabled")
    if value not in ("0", "1"):
        abort(400)
    return value == "1"


def registration_enabled(registration_id: int):
    scope = current_scope()
    if not scope.is_operator:  # an institution's admin would lock themselves out
        abort(403)
    require_in_scope(registration_id)
    enabled = _wanted_state()
    operations.set_registration_enabled(registration_id, enabled, actor=scope.actor)
    flash(_("The registration is switched on.") if enabled else _("The registration is switched off: its launches are refused."))
    return redirect(url_for("admin.registrations"))


def deployment_enabled(deployment_id: int):
    dep = db.session.get(Deployment, deployment_id) or abort(404)
    require_in_scope(dep.registration_id)
    enabled = _wanted_state()
    operations.set_deployment_enabled(dep, enabled, actor=current_scope().actor)
    flash(_("The deployment is switched on.") if enabled else _("The deployment is switched off: its launches are refused."))
    return redirect(url_for("admin.registrations"))


def registration_decision(registration_id: int):
    """The operator approves or rejects a registration that waits (policy `approval`)."""
    scope = current_scope()
    if not scope.is_operator:
        abort(403)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400)
    reg = db.session.get(Registration, registration_id) or abort(404)
    if decision == "approve":
        approve_registration(reg.id, actor=scope.actor)
        flash(_("The registration is approved: its launches are accepted now."))
    else:
        reject_registration(reg.id, actor=scope.actor)
        flash(_("The registration is rejected: its launches are refused."))
    return redirect(url_for("admin.registrations"))
