"""Deep Linking, platform side: receive the tool's `LtiDeepLinkingResponse`.

The response arrives as a form POST from inside the tool's iframe. The LMS cookie may not
come with it (the POST is initiated by a cross-site page), so who and where come from the
signed `data` claim the LMS sent out with the request.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, render_template, request

from .context import DemoLms, get_lms
from .errors import DemoError
from .hints import HintError, decode_deep_link_data
from .launch import (
    CLAIM_DEPLOYMENT_ID,
    CLAIM_DL_CONTENT_ITEMS,
    CLAIM_DL_DATA,
    CLAIM_DL_ERRORMSG,
    CLAIM_DL_MSG,
    CLAIM_MESSAGE_TYPE,
    CLAIM_VERSION,
    DEEP_LINKING_RESPONSE,
)
from .store import INSTRUCTOR
from .tool_keys import ToolJwtError

bp = Blueprint("demo_deep_linking", __name__)

RESOURCE_LINK_TYPE = "ltiResourceLink"
HTML_TYPE = "html"
DEFAULT_LINK_TITLE = "Erbij activity"


@dataclass(frozen=True)
class LinkItem:
    """An `ltiResourceLink` content item, validated."""

    title: str
    text: str
    custom: dict[str, str]
    line_item: dict[str, Any] | None = None


@dataclass(frozen=True)
class HtmlItem:
    """An `html` content item, validated."""

    html: str
    title: str = ""


@dataclass
class DeepLinkOutcome:
    links: list[LinkItem] = field(default_factory=list)
    html: list[HtmlItem] = field(default_factory=list)


@bp.post("/deep-link/return")
def deep_link_return() -> str:
    """Verify the response, create what it returns, then send the page back to the course."""
    lms = get_lms()
    claims = _verify_response(lms, request.form.get("JWT", ""))
    try:
        data = decode_deep_link_data(lms.secret_key, claims.get(CLAIM_DL_DATA) or "")
    except HintError as exc:
        raise DemoError(f"The data claim does not match the deep-linking request ({exc}).") from exc
    if lms.store.role_in_course(data.course_id, data.user_id) != INSTRUCTOR:
        raise DemoError("Only a teacher of the course can add content to it.", 403)

    outcome = parse_content_items(claims.get(CLAIM_DL_CONTENT_ITEMS, []), data.accept_types, lms.platform.tool_url)
    created_links = [_create_link(lms, data.course_id, item) for item in outcome.links]
    inserted = [lms.store.add_editor_item(data.course_id, data.user_id, item.title, item.html) for item in outcome.html]

    query: dict[str, str] = {}
    if created_links:
        query["added"] = ",".join(created_links)
    if inserted:
        query["inserted"] = ",".join(str(i) for i in inserted)
    for claim, param in (
        (CLAIM_DL_MSG, "lti_msg"),
        (CLAIM_DL_ERRORMSG, "lti_errormsg"),
    ):
        if isinstance(claims.get(claim), str) and claims[claim]:
            query[param] = claims[claim]
    path = f"/courses/{data.course_id}" + ("/editor" if data.return_to == "editor" else "")
    target = path + (f"?{urlencode(query)}" if query else "")
    return render_template("demo/deep_link_done.html", target=target)


def _verify_response(lms: DemoLms, token: str) -> dict[str, Any]:
    platform = lms.platform
    if not token:
        raise DemoError("The deep-linking response has no JWT form field.")
    try:
        claims = lms.tool_keys.verify(
            token,
            audience=platform.issuer,
            issuer=platform.client_id,
            required=("exp", "iat", "nonce"),
        )
    except ToolJwtError as exc:
        raise DemoError(f"The deep-linking response could not be verified: {exc}") from exc
    if claims.get(CLAIM_MESSAGE_TYPE) != DEEP_LINKING_RESPONSE:
        raise DemoError(f"message_type must be {DEEP_LINKING_RESPONSE!r}, got {claims.get(CLAIM_MESSAGE_TYPE)!r}.")
    if claims.get(CLAIM_VERSION) != "1.3.0":
        raise DemoError(f"version must be '1.3.0', got {claims.get(CLAIM_VERSION)!r}.")
    if claims.get(CLAIM_DEPLOYMENT_ID) != platform.deployment_id:
        raise DemoError(f"Unknown deployment_id {claims.get(CLAIM_DEPLOYMENT_ID)!r}.")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise DemoError("The deep-linking response has no nonce.")
    expires = float(claims["exp"]) if isinstance(claims.get("exp"), int | float) else time.time()
    if not lms.store.use_once("deep-link-nonce", nonce, expires + 60):
        raise DemoError("This deep-linking response was already used (replayed nonce).")
    return claims


def parse_content_items(items: object, accept_types: list[str], tool_url: str) -> DeepLinkOutcome:
    """Validate the content items against what was asked for; raise DemoError if invalid."""
    if items is None:
        items = []
    if not isinstance(items, list):
        raise DemoError("content_items must be a list.")
    outcome = DeepLinkOutcome()
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            raise DemoError(f"Content item {position} has no type.")
        kind = item["type"]
        if kind not in accept_types:
            raise DemoError(f"Content item {position} has type {kind!r}, but this request accepted only {', '.join(accept_types)}.")
        if kind == RESOURCE_LINK_TYPE:
            outcome.links.append(_parse_link(item, position, tool_url))
        elif kind == HTML_TYPE:
            html = item.get("html")
            if not isinstance(html, str) or not html.strip():
                raise DemoError(f"Content item {position} (html) has no html.")
            outcome.html.append(HtmlItem(html=html, title=_text(item.get("title"))))
    return outcome


def _parse_link(item: dict[str, Any], position: int, tool_url: str) -> LinkItem:
    url = item.get("url")
    if url and _origin(str(url)) != _origin(tool_url):
        raise DemoError(f"Content item {position} points at {url!r}, which is not on the tool's site {tool_url}.")
    custom_in = item.get("custom") or {}
    if not isinstance(custom_in, dict):
        raise DemoError(f"Content item {position}: custom must be an object of strings.")
    custom: dict[str, str] = {}
    for name, value in custom_in.items():
        if isinstance(value, dict | list) or value is None:
            raise DemoError(f"Content item {position}: custom parameter {name!r} must be a string.")
        custom[str(name)] = _custom_value(value)
    title = _text(item.get("title")) or DEFAULT_LINK_TITLE
    line_item = item.get("lineItem")
    if line_item is not None:
        line_item = _parse_line_item(line_item, position, title)
    return LinkItem(title=title, text=_text(item.get("text")), custom=custom, line_item=line_item)


def _parse_line_item(raw: object, position: int, title: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise DemoError(f"Content item {position}: lineItem must be an object.")
    maximum = raw.get("scoreMaximum")
    valid = isinstance(maximum, int | float) and not isinstance(maximum, bool)
    if not valid or not math.isfinite(maximum) or maximum <= 0:
        raise DemoError(f"Content item {position}: lineItem.scoreMaximum must be a number above 0.")
    return {
        "label": _text(raw.get("label")) or title,
        "score_maximum": float(maximum),
        "resource_id": _text(raw.get("resourceId")) or None,
        "tag": _text(raw.get("tag")) or None,
    }


def _create_link(lms: DemoLms, course_id: str, item: LinkItem) -> str:
    link = lms.store.add_resource_link(course_id, item.title, item.text, item.custom)
    if item.line_item:
        lms.store.add_line_item(course_id, resource_link_id=link.id, **item.line_item)
    return link.id


def _custom_value(value: str | float | bool) -> str:
    """Platforms keep custom parameters as strings (Canvas converts numbers too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc
