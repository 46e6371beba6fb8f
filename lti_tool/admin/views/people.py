"""One person's data: export it (JSON) or delete it, after a confirmation step."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...people import count_person_data
from .. import operations
from ..access import current_scope, require_in_scope
from .common import chosen_registration, visible_registrations


def _person_form():
    regs = visible_registrations()
    reg = chosen_registration(regs)
    sub = (request.values.get("user") or "").strip()[:255]
    return regs, reg, sub


def people_page():
    regs, reg, sub = _person_form()
    counts = count_person_data(reg.id, sub) if reg and sub else None
    return render_template("admin/people.html", regs=regs, reg=reg, sub=sub, counts=counts, looked_up=bool(sub))


def export():
    regs, reg, sub = _person_form()
    if reg is None or not sub:
        return redirect(url_for("admin.people_page"))
    require_in_scope(reg.id)
    data = operations.export_one(reg.id, sub, actor=current_scope().actor)
    if data is None:
        flash(_("Erbij holds nothing about this person in this registration."))
        return redirect(url_for("admin.people_page", registration=reg.id, user=sub))
    body = json.dumps(data, ensure_ascii=False, indent=2)
    filename = f"erbij-person-{operations.audit.person_ref(reg.id, sub)}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def delete():
    regs, reg, sub = _person_form()
    if reg is None or not sub:
        return redirect(url_for("admin.people_page"))
    require_in_scope(reg.id)
    if request.form.get("confirm") != sub:
        # The confirmation step: the LMS user id typed once more.
        counts = count_person_data(reg.id, sub)
        mismatch = "confirm" in request.form
        return render_template("admin/people_delete.html", reg=reg, sub=sub, counts=counts, mismatch=mismatch), (400 if mismatch else 200)
    counts = operations.delete_one(reg.id, sub, actor=current_scope().actor)
    if counts is None:
        flash(_("Erbij holds nothing about this person in this registration."))
    else:
        flash(_("Everything Erbij held about this person is deleted."))
    return redirect(url_for("admin.people_page", registration=reg.id))
