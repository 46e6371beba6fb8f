"""Assignment and Grade Services 2.0: line items, scores and results of a course."""

from __future__ import annotations

import math
import time
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request

from .context import get_lms
from .faults import raise_injected_score_fault
from .grading import ScoreRefused, accept_score, parse_score, result_score
from .launch import (
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
)
from .service_auth import ServiceError, install_service_hooks, require_scopes
from .store import LEARNER, Course, LineItem

bp = Blueprint("demo_ags", __name__, url_prefix="/api/lti/courses/<course_id>/lineitems")
install_service_hooks(bp, "ags")

LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
RESULT_CONTAINER = "application/vnd.ims.lis.v2.resultcontainer+json"


@bp.get("")
def list_line_items(course_id: str) -> Response:
    require_scopes(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
    lms = get_lms()
    _course(course_id)
    items = lms.store.line_items(
        course_id,
        resource_link_id=request.args.get("resource_link_id"),
        resource_id=request.args.get("resource_id"),
        tag=request.args.get("tag"),
    )
    limit = request.args.get("limit", type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    next_link = None
    if limit and limit > 0:
        start = (page - 1) * limit
        if start + limit < len(items):
            args = {k: v for k, v in request.args.items() if k != "page"}
            next_link = f"{lms.platform.lineitems_url(course_id)}?{urlencode({**args, 'page': page + 1})}"
        items = items[start : start + limit]
    response = jsonify([_line_item_json(item) for item in items])
    response.content_type = LINEITEM_CONTAINER
    if next_link:
        response.headers["Link"] = f'<{next_link}>; rel="next"'
    return response


@bp.post("")
def create_line_item(course_id: str) -> tuple[Response, int]:
    require_scopes(SCOPE_LINEITEM)
    course = _course(course_id)
    fields = _line_item_fields(request.get_json(force=True, silent=True), course)
    item = get_lms().store.add_line_item(course_id, **fields)
    return _line_item_response(item), 201


@bp.get("/<int:line_item_id>")
def get_line_item(course_id: str, line_item_id: int) -> Response:
    require_scopes(SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY)
    return _line_item_response(_line_item(course_id, line_item_id))


@bp.put("/<int:line_item_id>")
def update_line_item(course_id: str, line_item_id: int) -> Response:
    require_scopes(SCOPE_LINEITEM)
    course = _course(course_id)
    item = _line_item(course_id, line_item_id)
    fields = _line_item_fields(request.get_json(force=True, silent=True), course)
    # The binding to a resource link is fixed once created (platforms may ignore changes).
    fields.pop("resource_link_id", None)
    updated = LineItem(
        id=item.id,
        course_id=course_id,
        resource_link_id=item.resource_link_id,
        **fields,
    )
    get_lms().store.update_line_item(updated)
    return _line_item_response(updated)


@bp.delete("/<int:line_item_id>")
def delete_line_item(course_id: str, line_item_id: int) -> tuple[str, int]:
    require_scopes(SCOPE_LINEITEM)
    _line_item(course_id, line_item_id)
    get_lms().store.delete_line_item(course_id, line_item_id)
    return "", 204


@bp.post("/<int:line_item_id>/scores")
def post_score(course_id: str, line_item_id: int) -> Response:
    """Accept a score, applying the real LMS quirks described in `grading`."""
    g.service_log_kind = "score"
    require_scopes(SCOPE_SCORE)
    lms = get_lms()
    item = _line_item(course_id, line_item_id)
    body = request.get_json(force=True, silent=True)
    if isinstance(body, dict) and isinstance(body.get("userId"), str):
        g.service_log_user = body["userId"]
    raise_injected_score_fault()
    try:
        score = parse_score(body)
        result = accept_score(
            score,
            line_item_id=item.id,
            is_learner=lms.store.role_in_course(course_id, score.user_id) == LEARNER,
            previous=lms.store.get_result(item.id, score.user_id),
            received_at=time.time(),
        )
    except ScoreRefused as exc:
        raise ServiceError(exc.status, exc.message) from exc
    lms.store.save_result(result)
    item_url = lms.platform.lineitem_url(course_id, item.id)
    return jsonify({"resultUrl": f"{item_url}/results?{urlencode({'user_id': result.user_id})}"})


@bp.get("/<int:line_item_id>/results")
def list_results(course_id: str, line_item_id: int) -> Response:
    require_scopes(SCOPE_RESULT_READONLY)
    lms = get_lms()
    item = _line_item(course_id, line_item_id)
    results = lms.store.results(item.id, user_id=request.args.get("user_id"))
    limit = request.args.get("limit", type=int)
    if limit and limit > 0:
        results = results[:limit]
    item_url = lms.platform.lineitem_url(course_id, item.id)
    body = []
    for result in results:
        entry: dict[str, Any] = {
            "id": f"{item_url}/results/{result.user_id}",
            "scoreOf": item_url,
            "userId": result.user_id,
            "resultMaximum": item.score_maximum,
        }
        score = result_score(result, item)
        if score is not None:
            entry["resultScore"] = score
        if result.comment is not None:
            entry["comment"] = result.comment
        body.append(entry)
    response = jsonify(body)
    response.content_type = RESULT_CONTAINER
    return response


def _course(course_id: str) -> Course:
    course = get_lms().store.get_course(course_id)
    if course is None:
        raise ServiceError(404, "Unknown course.")
    return course


def _line_item(course_id: str, line_item_id: int) -> LineItem:
    _course(course_id)
    item = get_lms().store.get_line_item(course_id, line_item_id)
    if item is None:
        raise ServiceError(404, "Unknown line item.")
    return item


def _line_item_fields(body: object, course: Course) -> dict[str, Any]:
    """Validate a line item JSON body into store fields (400 on the first problem)."""
    if not isinstance(body, dict):
        raise ServiceError(400, "The line item must be a JSON object.")
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ServiceError(400, "label is required.")
    maximum = body.get("scoreMaximum")
    valid = isinstance(maximum, int | float) and not isinstance(maximum, bool)
    if not valid or not math.isfinite(maximum) or maximum <= 0:
        raise ServiceError(400, "scoreMaximum must be a number above 0.")
    link_id = body.get("resourceLinkId")
    if link_id is not None:
        link = get_lms().store.get_resource_link(str(link_id))
        if link is None or link.course_id != course.id:
            raise ServiceError(400, f"resourceLinkId {link_id!r} is not a link in this course.")
    fields: dict[str, Any] = {
        "label": label.strip(),
        "score_maximum": float(maximum),
        "resource_link_id": link_id,
    }
    for json_name, field in (
        ("resourceId", "resource_id"),
        ("tag", "tag"),
        ("startDateTime", "start_date_time"),
        ("endDateTime", "end_date_time"),
    ):
        value = body.get(json_name)
        if value is not None and not isinstance(value, str):
            raise ServiceError(400, f"{json_name} must be a string.")
        fields[field] = value or None
    fields["submission_review"] = _submission_review(body.get("submissionReview"))
    return fields


REVIEWABLE = frozenset({"None", "Any", "Initialized", "Started", "InProgress", "Submitted", "Completed"})


def _submission_review(value: object) -> dict[str, Any] | None:
    """LTI Submission Review's line item property: reviewableStatus (required), label, url, custom."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ServiceError(400, "submissionReview must be an object.")
    statuses = value.get("reviewableStatus")
    if not isinstance(statuses, list) or not statuses or not all(s in REVIEWABLE for s in statuses):
        raise ServiceError(400, f"submissionReview.reviewableStatus must be a list of {sorted(REVIEWABLE)}.")
    review: dict[str, Any] = {"reviewableStatus": list(statuses)}
    for name in ("label", "url"):
        if value.get(name) is not None:
            if not isinstance(value[name], str):
                raise ServiceError(400, f"submissionReview.{name} must be a string.")
            review[name] = value[name]
    custom = value.get("custom")
    if custom is not None:
        if not isinstance(custom, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in custom.items()):
            raise ServiceError(400, "submissionReview.custom must map strings to strings.")
        review["custom"] = dict(custom)
    return review


def _line_item_json(item: LineItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": get_lms().platform.lineitem_url(item.course_id, item.id),
        "label": item.label,
        "scoreMaximum": item.score_maximum,
    }
    optional = {
        "resourceLinkId": item.resource_link_id,
        "resourceId": item.resource_id,
        "tag": item.tag,
        "startDateTime": item.start_date_time,
        "endDateTime": item.end_date_time,
        "submissionReview": item.submission_review,
    }
    data.update({name: value for name, value in optional.items() if value is not None})
    return data


def _line_item_response(item: LineItem) -> Response:
    response = jsonify(_line_item_json(item))
    response.content_type = LINEITEM
    return response
