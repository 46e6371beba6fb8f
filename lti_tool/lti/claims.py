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
