"""Building launches: the login-initiation form and the signed id_token.

Pure functions over plain data (no Flask request), so tests can build variants of a
launch with `build_id_token(..., overrides=...)`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .context import PlatformConfig
from .platform_keys import PlatformKey
from .store import INSTRUCTOR, Course, ResourceLink, User

PLATFORM_VERSION = "1.0"

LTI_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM_MESSAGE_TYPE = LTI_CLAIM + "message_type"
CLAIM_VERSION = LTI_CLAIM + "version"
CLAIM_DEPLOYMENT_ID = LTI_CLAIM + "deployment_id"
CLAIM_TARGET_LINK_URI = LTI_CLAIM + "target_link_uri"
CLAIM_ROLES = LTI_CLAIM + "roles"
CLAIM_CONTEXT = LTI_CLAIM + "context"
CLAIM_RESOURCE_LINK = LTI_CLAIM + "resource_link"
CLAIM_LAUNCH_PRESENTATION = LTI_CLAIM + "launch_presentation"
CLAIM_CUSTOM = LTI_CLAIM + "custom"
CLAIM_TOOL_PLATFORM = LTI_CLAIM + "tool_platform"
CLAIM_FOR_USER = LTI_CLAIM + "for_user"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CLAIM_DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
CLAIM_DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
CLAIM_DL_MSG = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
CLAIM_DL_ERRORMSG = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
PRODUCT_FAMILY = "erbij-demo"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS_SCOPES = [
    SCOPE_LINEITEM,
    SCOPE_LINEITEM_READONLY,
    SCOPE_RESULT_READONLY,
    SCOPE_SCORE,
]
ALL_SERVICE_SCOPES = [*AGS_SCOPES, SCOPE_NRPS]

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
# Launch roles are full URIs, a course role plus an institution role (as Canvas sends);
# Erbij must decide by the course (membership) role.
ROLE_URIS = {
    INSTRUCTOR: [_LIS + "membership#Instructor", _LIS + "institution/person#Faculty"],
    "Learner": [_LIS + "membership#Learner", _LIS + "institution/person#Student"],
}
COURSE_OFFERING = _LIS + "course#CourseOffering"


@dataclass(frozen=True)
class LaunchContext:
    """Everything one id_token says. `resource_link` for resource launches,
    `accept_types`/`deep_link_data` for deep-linking requests."""

    platform: PlatformConfig
    platform_guid: str
    user: User
    course: Course
    role: str
    nonce: str
    locale: str
    document_target: str
    return_url: str
    resource_link: ResourceLink | None = None
    line_item_id: int | None = None
    accept_types: tuple[str, ...] = ()
    deep_link_data: str | None = None
    issued_at: int | None = None
    for_user: User | None = None  # set: an LtiSubmissionReviewRequest about this student
    review: dict[str, Any] | None = None  # the reviewed line item's submissionReview
    target_link_uri: str | None = None  # None: the tool's launch URL
    product_family: str = PRODUCT_FAMILY  # "canvas" when the demo plays Canvas

    @property
    def message_type(self) -> str:
        if self.for_user is not None:
            return SUBMISSION_REVIEW_REQUEST
        return RESOURCE_LINK_REQUEST if self.resource_link else DEEP_LINKING_REQUEST


def id_token_claims(ctx: LaunchContext) -> dict[str, Any]:
    """The claims of the id_token, as a real LMS sends them."""
    platform = ctx.platform
    now = ctx.issued_at if ctx.issued_at is not None else int(time.time())
    ags: dict[str, Any] = {
        "scope": list(AGS_SCOPES),
        "lineitems": platform.lineitems_url(ctx.course.id),
    }
    if ctx.line_item_id is not None:
        # Like Moodle: `lineitem` only when the link has a gradebook column.
        ags["lineitem"] = platform.lineitem_url(ctx.course.id, ctx.line_item_id)

    claims: dict[str, Any] = {
        "iss": platform.issuer,
        "aud": platform.client_id,
        "azp": platform.client_id,
        "sub": ctx.user.id,
        "exp": now + 300,
        "iat": now,
        "nonce": ctx.nonce,
        CLAIM_DEPLOYMENT_ID: platform.deployment_id,
        CLAIM_MESSAGE_TYPE: ctx.message_type,
        CLAIM_VERSION: "1.3.0",
        CLAIM_ROLES: list(ROLE_URIS[ctx.role]),
        CLAIM_CONTEXT: {
            "id": ctx.course.id,
            "label": ctx.course.label,
            "title": ctx.course.title,
            "type": [COURSE_OFFERING],
        },
        CLAIM_TARGET_LINK_URI: ctx.target_link_uri or platform.tool_launch_url,
        CLAIM_LAUNCH_PRESENTATION: {
            "locale": ctx.locale,
            "document_target": ctx.document_target,
            "return_url": ctx.return_url,
        },
        "name": ctx.user.name,
        "given_name": ctx.user.given_name,
        "family_name": ctx.user.family_name,
        "email": ctx.user.email,
        CLAIM_TOOL_PLATFORM: {
            "guid": ctx.platform_guid,
            "name": "Demo LMS",
            "product_family_code": ctx.product_family,
            "version": PLATFORM_VERSION,
        },
        CLAIM_AGS: ags,
        CLAIM_NRPS: {
            "context_memberships_url": platform.memberships_url(ctx.course.id),
            "service_versions": ["2.0"],
        },
    }
    if ctx.resource_link is not None:
        link = ctx.resource_link
        claims[CLAIM_RESOURCE_LINK] = {"id": link.id, "title": link.title}
        if link.text:
            claims[CLAIM_RESOURCE_LINK]["description"] = link.text
        claims[CLAIM_CUSTOM] = dict(link.custom)
        if ctx.for_user is not None:
            # The review's own custom parameters come on top of the link's (LTI Submission Review).
            claims[CLAIM_CUSTOM].update((ctx.review or {}).get("custom") or {})
            student = ctx.for_user
            claims[CLAIM_FOR_USER] = {
                "user_id": student.id,
                "given_name": student.given_name,
                "family_name": student.family_name,
                "name": student.name,
                "email": student.email,
                "roles": list(ROLE_URIS["Learner"][:1]),
            }
    else:
        claims[CLAIM_DL_SETTINGS] = {
            "deep_link_return_url": platform.deep_link_return_url,
            "accept_types": list(ctx.accept_types),
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True,
            "auto_create": True,
            "data": ctx.deep_link_data,
        }
    return claims


def build_id_token(
    ctx: LaunchContext,
    key: PlatformKey,
    *,
    overrides: Mapping[str, Any] | None = None,
    header_overrides: Mapping[str, Any] | None = None,
) -> str:
    """Build and sign the id_token (RS256, header kid).

    `overrides` replaces top-level claims; an override of None removes the claim. Tests use
    it to make variants (a missing nonce, an expired token, a context without a title…).
    """
    claims = id_token_claims(ctx)
    for name, value in (overrides or {}).items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return key.sign(claims, headers=dict(header_overrides or {}))


def login_form_fields(
    platform: PlatformConfig,
    *,
    user_id: str,
    message_hint: str,
    platform_storage: bool,
    document_target: str,
    target_link_uri: str | None = None,
) -> dict[str, str]:
    """The fields of the third-party-initiated login POSTed to the tool's login URL."""
    fields = {
        "iss": platform.issuer,
        "login_hint": user_id,
        "target_link_uri": target_link_uri or platform.tool_launch_url,
        "lti_message_hint": message_hint,
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
    }
    # Platform Storage lives in the page that hosts the iframe; a launch in a new window
    # has no parent frame to talk to, so the target is only offered for iframe launches.
    if platform_storage and document_target == "iframe":
        fields["lti_storage_target"] = "_parent"
    return fields
