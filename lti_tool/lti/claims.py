"""LTI claim names and small readers. Only the lti/ layer reads claims."""

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
RESOURCE_LINK = LTI + "resource_link"
TARGET_LINK_URI = LTI + "target_link_uri"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
CUSTOM = LTI + "custom"
TOOL_PLATFORM = LTI + "tool_platform"
FOR_USER = LTI + "for_user"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"
# Messages that open a resource link (the review launch names the link whose line item it reviews).
LINK_MESSAGES = (RESOURCE_LINK_REQUEST, SUBMISSION_REVIEW_REQUEST)

CANVAS_ISSUERS = frozenset(
    {"https://canvas.instructure.com", "https://canvas.beta.instructure.com", "https://canvas.test.instructure.com"}
)


def locale_of(claims: dict) -> str:
    """'nl' or 'en' from launch_presentation.locale ('nl-NL', 'en_GB', …); nl by default."""
    raw = str((claims.get(LAUNCH_PRESENTATION) or {}).get("locale") or "")
    lang = raw.replace("_", "-").split("-")[0].lower()
    return lang if lang in ("nl", "en") else "nl"


ADMIN_PATH = "/admin"


def asks_for_admin(claims: dict) -> bool:
    """The launch asks for the admin console: its target link is Erbij's /admin, or the
    placement carries the custom parameter erbij_view=admin. Whether the user may have
    it is decided by their role (roles.is_institution_admin), not here."""
    from urllib.parse import urlsplit

    target = urlsplit(str(claims.get(TARGET_LINK_URI) or "")).path.rstrip("/")
    custom = claims.get(CUSTOM) if isinstance(claims.get(CUSTOM), dict) else {}
    return target == ADMIN_PATH or str(custom.get("erbij_view") or "").strip().lower() == "admin"


def course_end_of(claims: dict):
    """The course's end from the custom parameter erbij_course_end, when the LMS filled it
    in (Canvas: $Canvas.course.endAt; Brightspace and others: $CourseSection.timeFrame.end).
    A naive UTC datetime, or None (absent, unsubstituted or unreadable)."""
    from datetime import UTC, datetime

    custom = claims.get(CUSTOM) if isinstance(claims.get(CUSTOM), dict) else {}
    raw = str(custom.get("erbij_course_end") or "").strip()
    if not raw or raw.startswith("$"):
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value
