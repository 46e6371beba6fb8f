"""Names and Role Provisioning Service 2.0: the course roster, paginated."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request

from .context import get_lms
from .launch import SCOPE_NRPS
from .service_auth import ServiceError, install_service_hooks, require_scopes

bp = Blueprint("demo_nrps", __name__)
install_service_hooks(bp, "nrps")

MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
# Small on purpose, so every tool exercises pagination against the demo.
DEFAULT_PAGE_SIZE = 4


@bp.get("/api/lti/courses/<course_id>/memberships")
def memberships(course_id: str) -> Response:
    require_scopes(SCOPE_NRPS)
    lms = get_lms()
    course = lms.store.get_course(course_id)
    if course is None:
        raise ServiceError(404, "Unknown course.")
    limit = _positive_int("limit", DEFAULT_PAGE_SIZE)
    page = _positive_int("page", 1)
    role = request.args.get("role")

    members = lms.store.members(course_id)
    if role:
        # The role filter may be the short name or the full membership URI, in any case
        # (PyLTI1p3 lower-cases the next-page URL it was given).
        role = role.rsplit("#", 1)[-1].lower()
        members = [m for m in members if m.role.lower() == role]
    start = (page - 1) * limit
    page_members = members[start : start + limit]

    base = lms.platform.memberships_url(course_id)
    body = {
        "id": request.url if request.query_string else base,
        "context": {"id": course.id, "label": course.label, "title": course.title},
        "members": [
            {
                "user_id": m.user.id,
                "status": "Active",
                "name": m.user.name,
                "given_name": m.user.given_name,
                "family_name": m.user.family_name,
                "email": m.user.email,
                # Like Moodle: short role names here, full URIs in the launch.
                "roles": [m.role],
            }
            for m in page_members
        ],
    }
    response = jsonify(body)
    response.content_type = MEMBERSHIP_CONTAINER
    if start + limit < len(members):
        query = urlencode({"limit": limit, "page": page + 1, **({"role": role} if role else {})})
        # Keep the URL lower-case: PyLTI1p3 lower-cases the whole Link header before
        # reading it, so an upper-case letter in the next URL would break its paging.
        response.headers["Link"] = f'<{base}?{query}>; rel="next"'
    return response


def _positive_int(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ServiceError(400, f"{name} must be a positive integer.") from None
    if value < 1:
        raise ServiceError(400, f"{name} must be a positive integer.")
    return value
