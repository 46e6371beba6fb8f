"""The institution's privacy policy: identified mode allowed or not, retention periods."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...institution_policy import MAX_WEEKS, MIN_WEEKS, parse_policy, policy_for
from .. import operations
from ..access import current_scope, require_in_scope
from .common import chosen_registration, visible_registrations


def policy_page():
    regs = visible_registrations()
    reg = chosen_registration(regs)
    errors: dict[str, str] = {}
    form = policy_for(reg.id) if reg else None
    if request.method == "POST" and reg is not None:
        require_in_scope(reg.id)
        form, invalid = parse_policy(request.form)
        message = _("Enter a whole number of weeks from %(min)s to %(max)s.", min=MIN_WEEKS, max=MAX_WEEKS)
        errors = {name: message for name in invalid}
        if not errors:
            operations.save_policy(reg.id, form, actor=current_scope().actor)
            flash(_("The privacy policy is saved. It applies to every course of this registration."))
            return redirect(url_for("admin.policy_page", registration=reg.id))
        form = form.__class__(**{**form.__dict__, **{k: request.form.get(k, "") for k in invalid}})
    page = render_template("admin/policy.html", regs=regs, reg=reg, form=form, errors=errors)
    return (page, 400) if errors else page
