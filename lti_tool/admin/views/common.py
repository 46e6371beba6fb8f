"""What every console page needs: the registrations in view and the chosen one."""

from __future__ import annotations

from flask import abort, request

from ...extensions import db
from ...models import Registration
from ..access import current_scope


def visible_registrations() -> list[Registration]:
    scope = current_scope()
    return list(db.session.execute(db.select(Registration).where(scope.where(Registration.id)).order_by(Registration.id)).scalars())


def chosen_registration(regs: list[Registration]) -> Registration | None:
    """?registration=ID among those in view (404 for another); the first when none is named."""
    raw = request.values.get("registration")
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            abort(404)
        for reg in regs:
            if reg.id == wanted:
                return reg
        abort(404)
    return regs[0] if regs else None


def posted_int(name: str) -> int:
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        abort(400)
