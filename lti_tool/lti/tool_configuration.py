"""What Erbij tells an LMS about itself: one description, two formats.

The messages Erbij answers, where each LMS should offer them (placements), the services
it asks for (scopes), the personal claims it wants, and its name and description in
Dutch and English. Both the LTI Dynamic Registration request (`client_registration`) and
the Canvas developer-key JSON (`canvas_json`) are built from this one description, so
they can never offer different things.

Every message targets the one launch URL: Erbij routes on the message type and the
link's custom parameters, and Moodle only accepts a redirect URI that was registered.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from . import claims as C
from .services import SCOPE_LINEITEM, SCOPE_LINEITEM_RO, SCOPE_NRPS, SCOPE_RESULT_RO, SCOPE_SCORE

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
CANVAS_PRIVACY_LEVEL = "https://canvas.instructure.com/lti/privacy_level"
CANVAS_TOOL_ID = "https://canvas.instructure.com/lti/tool_id"
SUBMISSION_REVIEW_REQUEST = "LtiSubmissionReviewRequest"

NAME = {"en": "Erbij", "nl": "Erbij"}
DESCRIPTION = {
    "en": "Wise feedback and a weekly belonging check-in, inside your course.",
    "nl": "Wijze feedback en een wekelijkse check-in over erbij horen, in je cursus.",
}
# Names, never e-mail: teachers see who wrote what; Erbij works without them too.
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "locale")
# Canvas sends no names unless asked ("anonymous" is its default).
CANVAS_PRIVACY = "name_only"
SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_RO, SCOPE_RESULT_RO, SCOPE_SCORE, SCOPE_NRPS)

# Placement names per LMS: Moodle's content-item selection (the activity chooser's
# "Select content"), Canvas's link and assignment selection and its rich content editor.
MOODLE_CONTENT_ITEM = "ContentItemSelectionRequest"
CANVAS_LINK_SELECTION = "link_selection"
CANVAS_ASSIGNMENT_SELECTION = "assignment_selection"
CANVAS_EDITOR_BUTTON = "editor_button"
CANVAS_PLACEMENTS = (CANVAS_LINK_SELECTION, CANVAS_ASSIGNMENT_SELECTION, CANVAS_EDITOR_BUTTON)


@dataclass(frozen=True)
class Message:
    """One LTI message type Erbij answers, and where an LMS should offer it."""

    type: str
    label: dict[str, str]
    placements: tuple[str, ...] = ()


MESSAGES: tuple[Message, ...] = (
    Message(C.RESOURCE_LINK_REQUEST, {"en": "Erbij", "nl": "Erbij"}),
    Message(
        C.DEEP_LINKING_REQUEST,
        {"en": "Erbij: add a check-in or feedback", "nl": "Erbij: check-in of feedback toevoegen"},
        (MOODLE_CONTENT_ITEM, *CANVAS_PLACEMENTS),
    ),
    # Opened from the LMS's gradebook on one student's submission; /lti/launch routes it.
    Message(SUBMISSION_REVIEW_REQUEST, {"en": "Erbij: review the submission", "nl": "Erbij: inzending bekijken"}),
)


def tool_urls(base_url: str) -> dict[str, str]:
    """The URLs an LMS needs, all under ERBIJ_BASE_URL."""
    base = base_url.rstrip("/")
    return {
        "login": f"{base}/lti/login",
        "launch": f"{base}/lti/launch",
        "jwks": f"{base}/lti/jwks",
        "logo": f"{base}/static/erbij-logo.png",
        "register": f"{base}/lti/register",
        "canvas_json": f"{base}/lti/canvas.json",
    }


def _localized(field: str, values: dict[str, str]) -> dict[str, str]:
    """{"field": en, "field#nl": nl, "field#en": en} — OpenID Connect's language tags."""
    return {field: values["en"], f"{field}#en": values["en"], f"{field}#nl": values["nl"]}


def _supported(platform_config: dict | None) -> dict[str, set[str] | None] | None:
    """The platform's advertised messages and their placements, or None when it says nothing.

    {message type: set of placements, or None when the platform lists no placements}."""
    pc = (platform_config or {}).get(PLATFORM_CONFIGURATION)
    listed = pc.get("messages_supported") if isinstance(pc, dict) else None
    if not isinstance(listed, list) or not listed:
        return None
    out: dict[str, set[str] | None] = {}
    for entry in listed:
        if isinstance(entry, dict) and isinstance(entry.get("type"), str):
            placements = entry.get("placements")
            out[entry["type"]] = {p for p in placements if isinstance(p, str)} if isinstance(placements, list) else None
    return out


def registration_messages(base_url: str, platform_config: dict | None = None) -> list[dict]:
    """The messages for the registration request.

    When the platform lists the messages (and placements) it supports, only those are
    offered: Canvas, say, knows no submission review and no Moodle placement names."""
    launch = tool_urls(base_url)["launch"]
    supported = _supported(platform_config)
    out = []
    for message in MESSAGES:
        placements = list(message.placements)
        if supported is not None:
            if message.type not in supported:
                continue
            known = supported[message.type]
            if known is not None:
                placements = [p for p in placements if p in known]
            if message.placements and not placements:
                continue  # the platform offers none of the places this message is for
        entry = {"type": message.type, "target_link_uri": launch, **_localized("label", message.label)}
        if placements:
            entry["placements"] = placements
        out.append(entry)
    return out


def client_registration(base_url: str, platform_config: dict | None = None) -> dict:
    """The body Erbij POSTs to the platform's registration endpoint (LTI Dynamic Registration 1.0)."""
    urls = tool_urls(base_url)
    domain = urlsplit(urls["launch"]).netloc
    platform_scopes = (platform_config or {}).get("scopes_supported")
    scopes = [s for s in SCOPES if not isinstance(platform_scopes, list) or s in platform_scopes]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls["login"],
        "redirect_uris": [urls["launch"]],
        **_localized("client_name", NAME),
        "jwks_uri": urls["jwks"],
        "logo_uri": urls["logo"],
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIGURATION: {
            "domain": domain,
            "target_link_uri": urls["launch"],
            **_localized("description", DESCRIPTION),
            "claims": list(CLAIMS),
            "messages": registration_messages(base_url, platform_config),
            CANVAS_PRIVACY_LEVEL: CANVAS_PRIVACY,
            CANVAS_TOOL_ID: "erbij",
        },
    }


def canvas_json(base_url: str) -> dict:
    """A Canvas developer key's JSON configuration (Admin → Developer Keys → LTI key → Paste JSON)."""
    urls = tool_urls(base_url)
    domain = urlsplit(urls["launch"]).hostname or ""
    placements = []
    for message in MESSAGES:
        for placement in message.placements:
            if placement in CANVAS_PLACEMENTS:
                placements.append(
                    {
                        "placement": placement,
                        "message_type": message.type,
                        "target_link_uri": urls["launch"],
                        "text": message.label["en"],
                        "icon_url": urls["logo"],
                    }
                )
    return {
        "title": NAME["en"],
        "description": DESCRIPTION["en"],
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": list(SCOPES),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": domain,
                "tool_id": "erbij",
                "privacy_level": CANVAS_PRIVACY,
                "settings": {
                    "text": NAME["en"],
                    "icon_url": urls["logo"],
                    "placements": placements,
                },
            }
        ],
        "custom_fields": {},
    }
