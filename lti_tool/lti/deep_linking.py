"""Deep Linking responses: the content items Erbij returns to the LMS."""

from __future__ import annotations

import secrets

from flask import current_app
from pylti1p3.deep_link import DeepLink

from ..extensions import db
from ..models import Deployment
from . import keys
from .context import LaunchContext
from .tool_conf import to_lib_registration


class _Item:
    """A content item as a plain dict; the library only calls to_dict()."""

    def __init__(self, data: dict):
        self._data = data

    def to_dict(self) -> dict:
        return self._data


def activity_item(kind: str, title: str, text: str = "", score_maximum: float | None = None) -> dict:
    """An ltiResourceLink that launches Erbij's activity `kind`; feedback gets a gradebook column."""
    item = {
        "type": "ltiResourceLink",
        "title": title,
        "url": current_app.config["ERBIJ_BASE_URL"] + "/lti/launch",
        "custom": {"erbij_activity": kind},
    }
    if text:
        item["text"] = text
    if score_maximum is not None:
        item["lineItem"] = {
            "scoreMaximum": score_maximum,
            "label": title,
            "resourceId": f"erbij-{kind}-{secrets.token_hex(6)}",
            "tag": f"erbij-{kind}",
        }
    return item


def html_item(html: str, title: str = "") -> dict:
    item = {"type": "html", "html": html}
    if title:
        item["title"] = title
    return item


def response_jwt(launch: LaunchContext, items: list[dict]) -> tuple[str, str]:
    """Signed LtiDeepLinkingResponse and the URL to post it to."""
    from ..models import Registration

    reg = db.session.get(Registration, launch.registration_id)
    dep = db.session.get(Deployment, launch.deployment_id)
    settings = launch.deep_link or {}
    message = DeepLink(to_lib_registration(reg), dep.deployment_id, settings).get_message_jwt(
        [_Item(i) for i in items]
    )
    if settings.get("data") is None:
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data", None)
    return keys.sign(message), settings["deep_link_return_url"]
