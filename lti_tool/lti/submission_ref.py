"""A signed, course-bound reference to one student, carried in a launch URL.

Canvas shows a tool's work in SpeedGrader when a score carries the submission extension
with a `basic_lti_launch` URL; SpeedGrader then launches the tool with that URL as the
`target_link_uri`. The URL must say which student is being graded without trusting the
URL: it carries `erbij_submission=<token>`, an HMAC-signed (itsdangerous, SECRET_KEY with
its own salt) payload of registration, course, resource link and student — Erbij's own
ids. Editing any part breaks the signature; a token made for another course, activity or
platform does not match the launch it arrives in. It does not expire: a submission in
the LMS's gradebook stays there for the whole course.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import current_app
from itsdangerous import BadSignature
from itsdangerous.serializer import Serializer

from ..signed import serializer
from .errors import LaunchRefused

PARAM = "erbij_submission"
_SALT = "erbij-canvas-submission-v1"


@dataclass(frozen=True)
class SubmissionRef:
    registration_id: int
    course_id: int
    resource_link_id: int
    student_id: int


def _serializer() -> Serializer:
    return serializer(current_app.secret_key, _SALT, timed=False, signer_kwargs={"digest_method": hashlib.sha256})


def launch_url() -> str:
    """Erbij's one launch URL (the registered redirect URI and every target_link_uri)."""
    return current_app.config["ERBIJ_BASE_URL"].rstrip("/") + "/lti/launch"


def submission_url(ref: SubmissionRef) -> str:
    """The launch URL of one student's feedback thread (the Canvas `submission_data`)."""
    token = _serializer().dumps([ref.registration_id, ref.course_id, ref.resource_link_id, ref.student_id])
    return f"{launch_url()}?{urlencode({PARAM: token})}"


def token_in(target_link_uri: str | None) -> str | None:
    """The reference token in a launch's target_link_uri, if it has one."""
    if not target_link_uri:
        return None
    values = parse_qs(urlsplit(str(target_link_uri)).query).get(PARAM)
    return values[0] if values else None


def read_submission_ref(token: str) -> SubmissionRef:
    """Verify the signature and return the reference; a forged or edited token is refused."""
    try:
        data = _serializer().loads(token)
    except BadSignature as exc:
        raise LaunchRefused("submission_link_invalid", detail="bad signature") from exc
    if not (isinstance(data, list) and len(data) == 4 and all(isinstance(v, int) and not isinstance(v, bool) for v in data)):
        raise LaunchRefused("submission_link_invalid", detail="unexpected shape")
    return SubmissionRef(*data)
