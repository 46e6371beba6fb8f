"""The operator's login and logout, and the console's language for the operator."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from .. import access, operations


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/admin") and not target.startswith("//") else url_for("admin.index")


def login():
    if request.method == "GET" and access.operator_from_session() is not None:
        return redirect(url_for("admin.index"))
    error = None
    status = 200
    username = (request.form.get("username") or "").strip()[:100]
    if request.method == "POST":
        address = request.remote_addr or "unknown"
        blocked = access.minutes_blocked(username, address)
        if blocked:
            error = ngettext(
                "Too many failed attempts. Try again in %(num)s minute.",
                "Too many failed attempts. Try again in %(num)s minutes.",
                blocked,
            )
            status = 429
        else:
            op = operations.check_login(username, request.form.get("password") or "", address)
            if op is not None:
                access.clear_failures(username)
                access.start_operator_session(op)
                return redirect(_safe_next(request.form.get("next")))
            access.note_failure(username, address)
            error = _("That username and password do not match.")
            status = 401
    return render_template("admin/login.html", error=error, username=username, next=request.values.get("next") or ""), status


def logout():
    op = access.operator_from_session()
    if op is not None:
        operations.record_logout(access.audit.operator_actor(op.username))
    access.end_operator_session()
    return redirect(url_for("admin.login"))


def language():
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        session["admin_lang"] = lang
    return redirect(_safe_next(request.form.get("next")))
