"""Fault injection and counters for tests (`/demo/api/...`; local use only).

`POST /demo/api/faults {"ags_scores": "500"|"timeout"|"422"|"429"|null, "count": N}` makes
the next N score POSTs fail that way; `GET /demo/api/stats` reports what the LMS received.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, jsonify, request

from .context import get_lms
from .service_auth import ServiceError, json_error

bp = Blueprint("demo_api", __name__, url_prefix="/demo/api")

AGS_SCORES = "ags_scores"
FAULT_MODES = ("500", "timeout", "422", "429")


@bp.get("/faults")
def get_faults() -> Response:
    return jsonify({AGS_SCORES: get_lms().store.get_fault(AGS_SCORES)})


@bp.post("/faults")
def set_faults() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or AGS_SCORES not in body:
        return json_error(400, f'Send JSON {{"{AGS_SCORES}": mode or null, "count": N}}.')
    mode = body[AGS_SCORES]
    count = body.get("count", 1)
    if mode is not None and mode not in FAULT_MODES:
        return json_error(400, f"{AGS_SCORES} must be one of {list(FAULT_MODES)} or null.")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        return json_error(400, "count must be a whole number, 0 or more.")
    get_lms().store.set_fault(AGS_SCORES, mode, count)
    return jsonify({AGS_SCORES: get_lms().store.get_fault(AGS_SCORES)})


@bp.get("/stats")
def stats() -> Response:
    store = get_lms().store
    scores = store.score_post_counts()
    return jsonify(
        {
            "tokens_issued": store.counter("tokens_issued"),
            "score_posts": scores["total"],
            "score_posts_per_user": scores["per_user"],
            "score_posts_per_status": scores["per_status"],
            "faults": {AGS_SCORES: store.get_fault(AGS_SCORES)},
        }
    )


def raise_injected_score_fault() -> None:
    """If a score fault is pending, consume it and fail this request that way."""
    lms = get_lms()
    mode = lms.store.take_fault(AGS_SCORES)
    if mode is None:
        return
    if mode == "timeout":
        # Longer than the tool's HTTP timeout: the tool gives up before we answer.
        time.sleep(lms.timeout_sleep)
        raise ServiceError(504, "Injected fault: the LMS did not answer in time.")
    if mode == "429":
        raise ServiceError(429, "Injected fault: too many requests.", {"Retry-After": "1"})
    if mode == "422":
        raise ServiceError(422, "Injected fault: the score could not be processed.")
    raise ServiceError(500, "Injected fault: internal server error.")
