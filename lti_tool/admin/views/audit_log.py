"""The audit log, newest first, paged; an institution's admin sees their own entries."""

from __future__ import annotations

from flask import render_template, request

from ... import audit
from ..access import current_scope


def audit_page():
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    rows, older = audit.entries(current_scope().registration_ids, page=page)
    return render_template("admin/audit.html", rows=rows, page=page, older=older)
