"""GET /healthz: the process is alive. GET /readyz: it can serve — database, cache, outbox.

/readyz answers 503 when the database does not answer, or when the configured shared
cache (Redis) does not, so a load balancer stops sending users to an instance that would
refuse them; the outbox's oldest waiting entry is reported (not a failure: the LMS may be
down, and the outbox exists to wait for it).
"""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from .extensions import cache, db
from .timeutil import utcnow

bp = Blueprint("health", __name__)


def _json(body: dict, status: int):
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/healthz")
def healthz():
    return _json({"status": "ok"}, 200)


@bp.route("/readyz")
def readyz():
    from .models import OutboxEntry
    from .models.outbox import STATUS_PENDING, STATUS_RETRY, STATUS_SENDING

    checks: dict = {}
    oldest = None
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
        oldest = db.session.execute(
            db.select(db.func.min(OutboxEntry.created_at)).where(OutboxEntry.status.in_((STATUS_PENDING, STATUS_SENDING, STATUS_RETRY)))
        ).scalar()
    except Exception:
        db.session.rollback()
        checks["database"] = "error"
    cache.set("readyz", "1", timeout=10)
    checks["cache"] = "ok" if cache.get("readyz") == "1" else "error"
    ok = all(v == "ok" for v in checks.values())
    body = {
        "status": "ok" if ok else "error",
        "checks": checks,
        "cache_backend": "redis" if current_app.config.get("REDIS_URL") else "in-process",
        "outbox_backlog_age_seconds": int((utcnow() - oldest).total_seconds()) if oldest else 0,
    }
    return _json(body, 200 if ok else 503)
