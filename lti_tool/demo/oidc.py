"""The platform's OIDC side: the authorization endpoint (`/auth`) and the platform JWKS."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request, session
from werkzeug.datastructures import MultiDict

from .context import DemoLms, get_lms
from .errors import DemoError
from .hints import (
    DEEP_LINK,
    SUBMISSION_REVIEW,
    HintError,
    MessageHint,
    decode_message_hint,
    encode_deep_link_data,
    new_deep_link_data,
)
from .launch import PRODUCT_FAMILY, LaunchContext, build_id_token
from .store import INSTRUCTOR, LEARNER

bp = Blueprint("demo_oidc", __name__)

SESSION_USER_KEY = "user_id"
SETTING_PRODUCT_FAMILY = "product_family"  # "erbij-demo", or "canvas" to play Canvas


@bp.get("/.well-known/jwks.json")
def jwks() -> Response:
    response = jsonify(get_lms().platform_key.jwks())
    # Tools cache the platform keys for this long (and refetch on an unknown kid).
    response.headers["Cache-Control"] = "max-age=300"
    return response


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> Response:
    """OIDC authorization endpoint: check the tool's auth request, answer with an id_token.

    The user is resolved from the signed `lti_message_hint`, not from the LMS's cookie: this
    request runs inside the tool's cross-site iframe, where the browser may withhold it.
    """
    lms = get_lms()
    params = request.values
    _check_auth_request(lms, params)
    hint = _resolve_hint(lms, params)
    id_token = build_id_token(_launch_context(lms, hint, nonce=params["nonce"]), lms.platform_key)
    response = Response(
        render_template(
            "demo/auth_post.html",
            action=lms.platform.tool_launch_url,
            id_token=id_token,
            state=params["state"],
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _check_auth_request(lms: DemoLms, params: MultiDict[str, str]) -> None:
    platform = lms.platform
    if params.get("client_id") != platform.client_id:
        raise DemoError(f"Unknown client_id {params.get('client_id')!r}.")
    # Like Moodle (which answers 404): the redirect URI must match the registered one exactly.
    if params.get("redirect_uri") != platform.tool_launch_url:
        raise DemoError(
            f"redirect_uri {params.get('redirect_uri')!r} is not registered for this tool; it must be exactly {platform.tool_launch_url!r}."
        )
    expected = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
    }
    for name, value in expected.items():
        if params.get(name) != value:
            raise DemoError(f"{name} must be {value!r}, got {params.get(name)!r}.")
    for name in ("login_hint", "lti_message_hint", "nonce", "state"):
        if not params.get(name):
            raise DemoError(f"The auth request has no {name}.")


def _resolve_hint(lms: DemoLms, params: MultiDict[str, str]) -> MessageHint:
    try:
        hint = decode_message_hint(lms.secret_key, params["lti_message_hint"])
    except HintError as exc:
        raise DemoError(f"lti_message_hint is not valid ({exc}). Reload the course page to start a new launch.") from exc
    if params["login_hint"] != hint.user_id:
        raise DemoError("login_hint does not match the user who started this launch.")
    # When the LMS cookie does reach us, it must name the same person (as Moodle checks).
    cookie_user = session.get(SESSION_USER_KEY)
    if cookie_user and cookie_user != hint.user_id:
        raise DemoError("You switched to another user after this launch started. Reload the course page.")
    return hint


def _launch_context(lms: DemoLms, hint: MessageHint, nonce: str) -> LaunchContext:
    store = lms.store
    user = store.get_user(hint.user_id)
    course = store.get_course(hint.course_id)
    role = store.role_in_course(hint.course_id, hint.user_id) if user and course else None
    if user is None or course is None or role is None:
        raise DemoError("The user of this launch is not enrolled in its course.", 403)
    common: dict[str, Any] = {
        "platform": lms.platform,
        "platform_guid": lms.platform_guid,
        "user": user,
        "course": course,
        "role": role,
        "nonce": nonce,
        "locale": hint.locale,
        "document_target": hint.document_target,
        "product_family": store.get_setting(SETTING_PRODUCT_FAMILY, PRODUCT_FAMILY) or PRODUCT_FAMILY,
    }
    if hint.kind == DEEP_LINK:
        if role != INSTRUCTOR:
            raise DemoError("Only teachers can add content to a course.", 403)
        data = new_deep_link_data(course.id, user.id, hint.accept_types, hint.return_to)
        return_path = "editor" if hint.return_to == "editor" else ""
        return LaunchContext(
            **common,
            return_url=lms.platform.course_url(course.id) + (f"/{return_path}" if return_path else ""),
            accept_types=tuple(hint.accept_types),
            deep_link_data=encode_deep_link_data(lms.secret_key, data),
        )
    link = store.get_resource_link(hint.resource_link_id or "")
    if link is None or link.course_id != course.id:
        raise DemoError("This activity no longer exists.", 404)
    line_items = store.line_items(course.id, resource_link_id=link.id)
    if hint.kind == SUBMISSION_REVIEW:
        return _review_context(lms, hint, common, link)
    return LaunchContext(
        **common,
        return_url=lms.platform.course_url(course.id),
        resource_link=link,
        line_item_id=line_items[0].id if line_items else None,
        target_link_uri=hint.target_link_uri,
    )


def _review_context(lms: DemoLms, hint: MessageHint, common: dict[str, Any], link: Any) -> LaunchContext:
    """LtiSubmissionReviewRequest: only for a line item that offers review, about a student
    of the course, launched by a teacher or by that student."""
    store = lms.store
    course = common["course"]
    item = store.get_line_item(course.id, hint.line_item_id or 0)
    if item is None or item.submission_review is None:
        raise DemoError("This gradebook column does not offer a submission review.", 404)
    student = store.get_user(hint.for_user_id or "")
    if student is None or store.role_in_course(course.id, student.id) != LEARNER:
        raise DemoError("The reviewed user is not a student of this course.", 403)
    if common["role"] != INSTRUCTOR and common["user"].id != student.id:
        raise DemoError("Students can only review their own submission.", 403)
    return LaunchContext(
        **common,
        return_url=lms.platform.course_url(course.id) + "/grader",
        resource_link=link,
        line_item_id=item.id,
        for_user=student,
        review=item.submission_review,
        target_link_uri=item.submission_review.get("url"),
    )
