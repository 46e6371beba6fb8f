"""The tool's signing keys (operator only): which sign, which are still published, rotate."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ... import timeutil
from ...extensions import db
from ...lti import keys as tool_keys
from ...models import ToolKey
from .. import operations
from ..access import current_scope


def key_rows() -> list[dict]:
    tool_keys.active_key()
    published = {k.kid for k in tool_keys.published_keys()}
    overlap = tool_keys.retired_key_overlap()
    rows = []
    for key in db.session.execute(db.select(ToolKey).order_by(ToolKey.id.desc())).scalars():
        leaves = key.retired_at + overlap if key.retired_at else None
        state = "active" if key.status == "active" else ("published" if key.kid in published else "gone")
        rows.append({"kid": key.kid, "state": state, "created_at": key.created_at, "retired_at": key.retired_at, "leaves_at": leaves})
    return rows


def keys_page():
    return render_template(
        "admin/keys.html",
        rows=key_rows(),
        overlap_minutes=int(tool_keys.retired_key_overlap().total_seconds() // 60),
        now=timeutil.utcnow(),
    )


def rotate():
    operations.rotate_keys(actor=current_scope().actor)
    flash(_("A new key signs from now on. The old key stays published until its last tokens have expired."))
    return redirect(url_for("admin.keys_page"))
