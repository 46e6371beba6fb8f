"""Opaque, signed values the tool carries back to the LMS unchanged.

- `lti_message_hint` goes out with the login initiation and comes back in the OIDC auth
  request. It says who launched what, so `/auth` does not need the LMS's own cookie —
  which the browser may withhold there, because the auth request runs inside the tool's
  cross-site iframe.
- the Deep Linking `data` claim goes out in the deep-linking request and comes back in the
  response; it says which course, which teacher and which content types were asked for.

Both are JSON signed with the LMS's secret (itsdangerous, HMAC-SHA256) and carry an `exp`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

MESSAGE_HINT_TTL_SECONDS = 15 * 60
DEEP_LINK_DATA_TTL_SECONDS = 60 * 60

RESOURCE_LINK = "resource_link"
DEEP_LINK = "deep_link"
SUBMISSION_REVIEW = "submission_review"


class HintError(Exception):
    """A hint or data value was tampered with, is malformed or has expired."""


@dataclass(frozen=True)
class MessageHint:
    """What one launch is about: who, where, which message, and how it is presented."""

    user_id: str
    course_id: str
    kind: str  # RESOURCE_LINK or DEEP_LINK
    locale: str
    document_target: str  # "iframe" or "window"
    resource_link_id: str | None = None
    accept_types: list[str] = field(default_factory=list)  # deep linking only
    return_to: str = "course"  # deep linking only: "course" or "editor"
    exp: int = 0
    for_user_id: str | None = None  # submission review only: whose work is reviewed
    line_item_id: int | None = None  # submission review only: the reviewed line item
    target_link_uri: str | None = None  # a resource launch of a submission URL (Canvas SpeedGrader)


@dataclass(frozen=True)
class DeepLinkData:
    """The deep-linking request's context, echoed back by the tool in `data`."""

    course_id: str
    user_id: str
    accept_types: list[str]
    return_to: str
    exp: int


def _serializer(secret: str, salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=salt, signer_kwargs={"digest_method": hashlib.sha256})


def encode_message_hint(secret: str, hint: MessageHint, now: float | None = None) -> str:
    """Sign the hint; `exp` is set to now + MESSAGE_HINT_TTL_SECONDS."""
    payload = asdict(hint)
    payload["exp"] = int(now if now is not None else time.time()) + MESSAGE_HINT_TTL_SECONDS
    return _serializer(secret, "lti-message-hint").dumps(payload)


def decode_message_hint(secret: str, value: str, now: float | None = None) -> MessageHint:
    payload = _loads(secret, "lti-message-hint", value, now)
    try:
        return MessageHint(**payload)
    except TypeError as exc:
        raise HintError("lti_message_hint has an unexpected shape") from exc


def encode_deep_link_data(secret: str, data: DeepLinkData) -> str:
    return _serializer(secret, "deep-link-data").dumps(asdict(data))


def new_deep_link_data(
    course_id: str,
    user_id: str,
    accept_types: list[str],
    return_to: str,
    now: float | None = None,
) -> DeepLinkData:
    exp = int(now if now is not None else time.time()) + DEEP_LINK_DATA_TTL_SECONDS
    return DeepLinkData(course_id, user_id, list(accept_types), return_to, exp)


def decode_deep_link_data(secret: str, value: str, now: float | None = None) -> DeepLinkData:
    payload = _loads(secret, "deep-link-data", value, now)
    try:
        return DeepLinkData(**payload)
    except TypeError as exc:
        raise HintError("the deep-linking data has an unexpected shape") from exc


def _loads(secret: str, salt: str, value: str, now: float | None) -> dict[str, Any]:
    if not isinstance(value, str) or not value:
        raise HintError("missing")
    try:
        payload = _serializer(secret, salt).loads(value)
    except BadSignature as exc:
        raise HintError("bad signature") from exc
    if not isinstance(payload, dict):
        raise HintError("unexpected shape")
    if int(payload.get("exp", 0)) < (now if now is not None else time.time()):
        raise HintError("expired")
    return payload
