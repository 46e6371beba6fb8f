"""The gradebook outbox per registration: what waits, what retries, what failed and why."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...extensions import db
from ...models import Course, OutboxEntry
from ...models.outbox import STATUS_DROPPED, STATUS_FAILED, STATUS_PENDING, STATUS_RETRY, STATUS_SENDING, STATUS_SENT
from .. import operations
from ..access import current_scope, require_in_scope
from .common import chosen_registration, visible_registrations

SHOWN = (STATUS_FAILED, STATUS_RETRY, STATUS_PENDING, STATUS_SENDING, STATUS_DROPPED)
LIMIT = 200


def outbox_page():
    regs = visible_registrations()
    reg = chosen_registration(regs)
    status = request.args.get("status") or ""
    if status and status not in SHOWN:
        abort(404)
    entries, counts, courses = [], {}, {}
    if reg is not None:
        query = db.select(OutboxEntry).where(OutboxEntry.registration_id == reg.id)
        query = query.where(OutboxEntry.status == status) if status else query.where(OutboxEntry.status.in_(SHOWN))
        entries = db.session.execute(query.order_by(OutboxEntry.id.desc()).limit(LIMIT)).scalars().all()
        counts = dict(
            db.session.execute(
                db.select(OutboxEntry.status, db.func.count()).where(OutboxEntry.registration_id == reg.id).group_by(OutboxEntry.status)
            ).all()
        )
        ids = {e.course_id for e in entries}
        courses = {c.id: c for c in db.session.execute(db.select(Course).where(Course.id.in_(ids))).scalars()} if ids else {}
    return render_template(
        "admin/outbox.html", regs=regs, reg=reg, entries=entries, counts=counts, courses=courses, status=status, shown=SHOWN, sent=STATUS_SENT
    )


def _entry(entry_id: int) -> OutboxEntry:
    entry = db.session.get(OutboxEntry, entry_id) or abort(404)
    require_in_scope(entry.registration_id)
    return entry


def _back(entry_or_reg_id) -> str:
    return url_for("admin.outbox_page", registration=entry_or_reg_id)


def retry(entry_id: int):
    entry = _entry(entry_id)
    if operations.retry_entry(entry, actor=current_scope().actor):
        flash(_("The score will be sent again now."))
    return redirect(_back(entry.registration_id))


def drop(entry_id: int):
    entry = _entry(entry_id)
    if operations.drop_entry(entry, actor=current_scope().actor):
        flash(_("Erbij stopped sending this score. The teacher sees it as not sent and can send it again."))
    return redirect(_back(entry.registration_id))


def retry_all():
    try:
        reg_id = int(request.form.get("registration", ""))
    except ValueError:
        abort(400)
    require_in_scope(reg_id)
    n = operations.retry_all(reg_id, actor=current_scope().actor)
    flash(ngettext("%(num)s score will be sent again now.", "%(num)s scores will be sent again now.", n))
    return redirect(_back(reg_id))
