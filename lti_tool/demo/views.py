"""The demo LMS's pages: home, course (with Erbij launched), gradebook, rich text editor.

The signed-in person is kept in the LMS's own first-party session cookie; "switch user"
changes it. Launches start here: the page holds the login-initiation form that posts to
Erbij into the iframe (or a new window).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .context import DemoLms, get_lms
from .errors import DemoError
from .grading import result_score
from .hints import DEEP_LINK, RESOURCE_LINK, MessageHint, encode_message_hint
from .launch import login_form_fields
from .oidc import SESSION_USER_KEY
from .seed import DEFAULT_USER_ID
from .store import INSTRUCTOR, Course, User

bp = Blueprint("demo_pages", __name__)

FRAME_NAME = "erbij-tool-frame"
WINDOW_NAME = "erbij-tool-window"

SETTING_PLATFORM_STORAGE = "platform_storage"  # "on" / "off"
SETTING_DOCUMENT_TARGET = "document_target"  # "iframe" / "window"
DEFAULT_SETTINGS = {SETTING_PLATFORM_STORAGE: "on", SETTING_DOCUMENT_TARGET: "iframe"}


@dataclass(frozen=True)
class LaunchView:
    """What the template needs to render one launch: the form and where it opens."""

    action: str
    fields: dict[str, str]
    document_target: str
    target_name: str
    title: str
    platform_storage: bool


def setting(lms: DemoLms, name: str) -> str:
    return lms.store.get_setting(name, DEFAULT_SETTINGS[name]) or DEFAULT_SETTINGS[name]


def current_user() -> User:
    """The person signed in to the LMS (the first teacher until someone switches)."""
    store = get_lms().store
    user = store.get_user(session.get(SESSION_USER_KEY) or DEFAULT_USER_ID)
    if user is None:
        user = store.get_user(DEFAULT_USER_ID) or store.list_users()[0]
    return user


@bp.app_context_processor
def _page_globals() -> dict[str, Any]:
    lms = get_lms()
    if request.blueprint != bp.name:
        return {}
    return {
        "me": current_user(),
        "all_users": _users_for_switcher(lms),
        "platform_storage": setting(lms, SETTING_PLATFORM_STORAGE) == "on",
        "document_target": setting(lms, SETTING_DOCUMENT_TARGET),
    }


@bp.get("/")
def home() -> str:
    me = current_user()
    courses = get_lms().store.courses_for_user(me.id)
    return render_template("demo/home.html", courses=courses)


@bp.route("/switch-user", methods=["GET", "POST"])
def switch_user() -> Response:
    """Sign in as someone else. GET `?user=<id>&next=<path>` is a shortcut for tests."""
    user_id = request.values.get("user", "")
    if get_lms().store.get_user(user_id) is None:
        raise DemoError(f"There is no user {user_id!r} in the demo LMS.", 404)
    session[SESSION_USER_KEY] = user_id
    return redirect(_landing_page(user_id, _safe_next(request.values.get("next"))))


@bp.post("/settings")
def update_settings() -> Response:
    """Change the launch language (per person) and the platform-wide launch settings."""
    lms = get_lms()
    form = request.form
    locale = form.get("locale")
    if locale in ("nl", "en"):
        lms.store.set_user_locale(current_user().id, locale)
    if form.get(SETTING_PLATFORM_STORAGE) in ("on", "off"):
        lms.store.set_setting(SETTING_PLATFORM_STORAGE, form[SETTING_PLATFORM_STORAGE])
    if form.get(SETTING_DOCUMENT_TARGET) in ("iframe", "window"):
        lms.store.set_setting(SETTING_DOCUMENT_TARGET, form[SETTING_DOCUMENT_TARGET])
    return redirect(_safe_next(form.get("next")) or url_for(".home"))


@bp.get("/courses/<course_id>")
def course(course_id: str) -> str:
    return _course_page(course_id)


@bp.get("/courses/<course_id>/activities/<link_id>")
def activity(course_id: str, link_id: str) -> str:
    lms = get_lms()
    course, _role = _enrolled(course_id)
    link = lms.store.get_resource_link(link_id)
    if link is None or link.course_id != course.id:
        raise DemoError("This activity does not exist in this course.", 404)
    hint = _hint(course, RESOURCE_LINK, resource_link_id=link.id)
    return _course_page(course_id, launch=_launch_view(hint, f"Erbij: {link.title}"), active=link.id)


@bp.get("/courses/<course_id>/add-activity")
def add_activity(course_id: str) -> str:
    course = _teacher_of(course_id)
    hint = _hint(course, DEEP_LINK, accept_types=["ltiResourceLink"], return_to="course")
    return _course_page(course_id, launch=_launch_view(hint, "Erbij: add an activity"), adding=True)


@bp.get("/courses/<course_id>/editor")
def editor(course_id: str) -> str:
    """A rich text editor with an "Insert from Erbij" button (Canvas editor_button,
    Brightspace Insert Stuff): a Deep Linking launch that accepts html only."""
    lms = get_lms()
    course = _teacher_of(course_id)
    launch = None
    if request.args.get("insert"):
        hint = _hint(course, DEEP_LINK, accept_types=["html"], return_to="editor")
        launch = _launch_view(hint, "Erbij: insert into the text")
    inserted = set(_id_list(request.args.get("inserted")))
    items = lms.store.editor_items(course.id, current_user().id)
    return render_template(
        "demo/editor.html",
        course=course,
        launch=launch,
        items=items,
        inserted=inserted,
        lti_msg=request.args.get("lti_msg"),
        lti_errormsg=request.args.get("lti_errormsg"),
    )


@bp.get("/courses/<course_id>/gradebook")
def gradebook(course_id: str) -> str:
    lms = get_lms()
    course = _teacher_of(course_id)
    line_items = lms.store.line_items(course.id)
    links = {link.id: link for link in lms.store.resource_links(course.id)}
    results = lms.store.results_for_course(course.id)
    scaled = {key: result_score(result, item) for item in line_items for key, result in results.items() if key[0] == item.id}
    log = lms.store.recent_service_log(f"/api/lti/courses/{course.id}/lineitems", limit=25)
    return render_template(
        "demo/gradebook.html",
        course=course,
        students=lms.store.learners(course.id),
        line_items=line_items,
        links=links,
        results=results,
        scaled=scaled,
        log=log,
    )


@bp.app_template_filter("score")
def _format_score(value: float | None) -> str:
    """7.5 → "7.5", 10.0 → "10": scores as a teacher would write them."""
    return "" if value is None else f"{value:g}"


@bp.app_template_filter("clock")
def _format_clock(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch))


# -- helpers ---------------------------------------------------------------------------


def _course_page(
    course_id: str,
    launch: LaunchView | None = None,
    active: str | None = None,
    adding: bool = False,
) -> str:
    lms = get_lms()
    course, role = _enrolled(course_id)
    links = lms.store.resource_links(course.id)
    added_ids = set(request.args.get("added", "").split(",")) - {""}
    graded = {item.resource_link_id for item in lms.store.line_items(course.id)}
    return render_template(
        "demo/course.html",
        course=course,
        role=role,
        is_teacher=role == INSTRUCTOR,
        links=links,
        graded=graded,
        members=lms.store.members(course.id),
        launch=launch,
        active=active,
        adding=adding,
        added=[link for link in links if link.id in added_ids],
        lti_msg=request.args.get("lti_msg"),
        lti_errormsg=request.args.get("lti_errormsg"),
    )


def _enrolled(course_id: str) -> tuple[Course, str]:
    lms = get_lms()
    course = lms.store.get_course(course_id)
    if course is None:
        raise DemoError("There is no such course.", 404)
    role = lms.store.role_in_course(course_id, current_user().id)
    if role is None:
        raise DemoError(
            f"{current_user().name} is not enrolled in {course.title}. Use “Switch user”.",
            403,
        )
    return course, role


def _teacher_of(course_id: str) -> Course:
    course, role = _enrolled(course_id)
    if role != INSTRUCTOR:
        raise DemoError("Only the course's teachers can open this page.", 403)
    return course


def _hint(course: Course, kind: str, **extra: Any) -> MessageHint:
    lms = get_lms()
    me = current_user()
    return MessageHint(
        user_id=me.id,
        course_id=course.id,
        kind=kind,
        locale=me.locale,
        document_target=setting(lms, SETTING_DOCUMENT_TARGET),
        **extra,
    )


def _launch_view(hint: MessageHint, title: str) -> LaunchView:
    lms = get_lms()
    storage = setting(lms, SETTING_PLATFORM_STORAGE) == "on"
    fields = login_form_fields(
        lms.platform,
        user_id=hint.user_id,
        message_hint=encode_message_hint(lms.secret_key, hint),
        platform_storage=storage,
        document_target=hint.document_target,
        target_link_uri=hint.target_link_uri,
    )
    return LaunchView(
        action=lms.platform.tool_login_url,
        fields=fields,
        document_target=hint.document_target,
        target_name=FRAME_NAME if hint.document_target == "iframe" else WINDOW_NAME,
        title=title,
        platform_storage=storage and hint.document_target == "iframe",
    )


def _users_for_switcher(lms: DemoLms) -> list[tuple[User, str]]:
    """Everyone, labelled with their roles, teachers first."""
    labelled = []
    for user in lms.store.list_users():
        roles = lms.store.courses_for_user(user.id)
        is_teacher = any(role == INSTRUCTOR for _course, role in roles)
        label = ", ".join(f"{'teacher' if role == INSTRUCTOR else 'student'} {c.label}" for c, role in roles)
        labelled.append((is_teacher, user, label or "no courses"))
    labelled.sort(key=lambda entry: (not entry[0], entry[1].family_name.lower()))
    return [(user, label) for _teacher, user, label in labelled]


def _landing_page(user_id: str, wanted: str | None) -> str:
    """Stay on the same page after switching user when the new user may see it;
    otherwise fall back to the course page, then to home."""
    home_url = url_for(".home")
    parts = (wanted or "").split("?")[0].strip("/").split("/")
    if len(parts) < 2 or parts[0] != "courses":
        return wanted or home_url
    role = get_lms().store.role_in_course(parts[1], user_id)
    if role is None:
        return home_url
    teacher_only = len(parts) > 2 and parts[2] != "activities"
    if teacher_only and role != INSTRUCTOR:
        return url_for(".course", course_id=parts[1])
    return wanted or home_url


def _safe_next(value: str | None) -> str | None:
    """Only local paths, so `next` cannot send the browser to another site."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return None


def _id_list(value: str | None) -> list[int]:
    return [int(part) for part in (value or "").split(",") if part.isdigit()]
