"""Launch refusals: a code, an HTTP status and a translated explanation for the user.

Every refusal is shown as a friendly page with an error id and logged without the
token. `detail` is for the log only and must never carry a token or secret.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Refusal:
    status: int
    title: object
    message: object


_REOPEN = _l("Open the activity again from your course. If this keeps happening, tell your LMS administrator and give them the error id below.")
_ADMIN = _l("Your LMS administrator can fix this; give them the error id below.")

REFUSALS: dict[str, Refusal] = {
    "missing_params": Refusal(400, _l("This launch is incomplete"), _l("The LMS did not send everything Erbij needs to start.")),
    "unknown_platform": Refusal(403, _l("Erbij is not set up for this LMS"), _l("This LMS is not registered with Erbij, or its registration is switched off.")),
    "unknown_deployment": Refusal(403, _l("Erbij is not set up for this LMS"), _l("This installation of Erbij in your LMS is not known or is switched off.")),
    "target_link_not_ours": Refusal(400, _l("This link does not point to Erbij"), _l("The LMS asked Erbij to open an address on another website.")),
    "state_not_found": Refusal(400, _l("This launch has expired"), _l("The launch took too long or was opened in another browser window.")),
    "state_mismatch": Refusal(401, _l("This launch did not start in this browser"), _l("For your safety Erbij only accepts a launch in the browser window where it started.")),
    "cookies_blocked": Refusal(403, _l("Your browser blocks Erbij inside the course page"), _l("Your browser does not let Erbij remember you inside the LMS page. Open Erbij in a new window to continue; nothing is lost.")),
    "malformed_token": Refusal(400, _l("The launch could not be read"), _l("The LMS sent a launch that Erbij cannot read.")),
    "bad_signature": Refusal(401, _l("The launch could not be verified"), _l("The launch is not signed correctly by your LMS.")),
    "unknown_key": Refusal(401, _l("The launch could not be verified"), _l("The launch is signed with a key your LMS does not publish.")),
    "platform_keys_unavailable": Refusal(401, _l("The launch could not be verified"), _l("Erbij could not fetch your LMS's public keys to check the launch. The LMS may be busy; try again in a minute.")),
    "token_expired": Refusal(401, _l("This launch has expired"), _l("The launch is too old or has no expiry time.")),
    "token_time_invalid": Refusal(401, _l("The launch could not be verified"), _l("The launch has no issue time or one in the future. Check the LMS server's clock.")),
    "wrong_issuer": Refusal(401, _l("This launch comes from another LMS"), _l("The launch was signed by another LMS than the one that started it.")),
    "wrong_audience": Refusal(401, _l("This launch is meant for another tool"), _l("The launch was not addressed to Erbij.")),
    "replayed": Refusal(401, _l("This launch was already used"), _l("Each launch can be used only once.")),
    "nonce_mismatch": Refusal(401, _l("The launch could not be verified"), _l("The launch does not belong to the login that started it.")),
    "invalid_message": Refusal(400, _l("The launch is incomplete"), _l("The launch is missing information Erbij needs (such as the user, roles or the activity).")),
    "unsupported_message": Refusal(400, _l("Erbij cannot handle this kind of launch"), _l("The LMS sent a kind of LTI message that Erbij does not support.")),
    "session_expired": Refusal(401, _l("Your session has ended"), _l("Erbij no longer knows this session, or it belongs to another browser.")),
    "forbidden_role": Refusal(403, _l("This page is not for your role"), _l("Your role in this course does not give access to this page.")),
    "submission_link_invalid": Refusal(400, _l("This grading link cannot be used"), _l("The link to a student's feedback was changed, or it was made for another course, activity or LMS.")),
    "for_user_not_member": Refusal(403, _l("This student is not in this course"), _l("The LMS asked Erbij to open the work of someone who is not a student in this course.")),
    "for_user_forbidden": Refusal(403, _l("You can only open your own feedback"), _l("This link opens another student's feedback. Open the activity from your course to see your own.")),
    "handoff_invalid": Refusal(400, _l("This link can no longer be used"), _l("The link to open Erbij in a new window works once and only for a few minutes.")),
}

HINTS = {code: (_ADMIN if code in {"unknown_platform", "unknown_deployment", "target_link_not_ours", "unknown_key", "wrong_audience", "wrong_issuer"} else _REOPEN) for code in REFUSALS}


class LaunchRefused(Exception):
    """Raised anywhere in the LTI layer; rendered as a friendly, translated 4xx page."""

    def __init__(self, code: str, detail: str = "", *, new_window_url: str | None = None):
        assert code in REFUSALS, code
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.new_window_url = new_window_url

    @property
    def refusal(self) -> Refusal:
        return REFUSALS[self.code]


# ---------------------------------------------------------------- dynamic registration
# The admin installing Erbij from the LMS sees these; `detail` never holds the token.
_RESTART = _l("Start the registration again from your LMS. If it fails again, give the error id below to whoever runs Erbij.")
_OPERATOR = _l("Whoever runs Erbij can change this; give them the error id below.")

REFUSALS.update(
    {
        "registration_pending": Refusal(403, _l("Erbij is waiting for approval by its operator"), _l("Your LMS has registered Erbij, but whoever runs Erbij has not approved this registration yet. Launches work as soon as they have.")),
        "registration_missing_params": Refusal(400, _l("This registration link is incomplete"), _l("Erbij's registration address must be opened by your LMS, which adds where to find its configuration (openid_configuration).")),
        "registration_url_refused": Refusal(400, _l("Erbij will not contact this address"), _l("The LMS's configuration address must be a public https address. Erbij does not contact http addresses or addresses in private networks.")),
        "registration_unreachable": Refusal(502, _l("Erbij could not reach your LMS"), _l("Erbij could not connect to your LMS to read its configuration or to register. The LMS may be busy or unreachable from the internet.")),
        "registration_token_refused": Refusal(403, _l("Your LMS refused the registration token"), _l("The LMS did not accept the registration token. It may be wrong or have expired (tokens are valid for a short time).")),
        "registration_replayed": Refusal(409, _l("This registration link was already used"), _l("Each registration token can register Erbij only once. Erbij is already registered with it.")),
        "registration_issuer_mismatch": Refusal(400, _l("The LMS's configuration does not match its address"), _l("The issuer in the LMS's configuration is not the site the configuration came from, so Erbij cannot trust it.")),
        "registration_bad_config": Refusal(502, _l("Erbij could not read your LMS's configuration"), _l("The LMS's answer is not a usable LTI configuration (it lacks an address Erbij needs, or is not JSON).")),
        "registration_not_allowed": Refusal(403, _l("This LMS may not register Erbij"), _l("Whoever runs Erbij only accepts registrations from the LMSs on their list, and this LMS is not on it.")),
        "registration_too_many": Refusal(429, _l("Too many registrations at once"), _l("Erbij received too many registration attempts from this address, or too many registrations wait for approval. Try again in an hour, or ask whoever runs Erbij.")),
        "registration_platform_refused": Refusal(502, _l("Your LMS did not accept Erbij's registration"), _l("The LMS answered Erbij's registration with an error, so nothing was registered.")),
    }
)
HINTS.update(
    {
        "registration_pending": _OPERATOR,
        "registration_not_allowed": _OPERATOR,
        **{
            code: _RESTART
            for code in REFUSALS
            if code.startswith("registration_") and code not in {"registration_pending", "registration_not_allowed"}
        },
    }
)


def refuse_unless_usable(reg) -> None:
    """Refuse a launch from a registration that waits for approval, or is switched off."""
    if reg.enabled and reg.status == "pending":
        raise LaunchRefused("registration_pending", detail=f"registration #{reg.id} waits for approval")
    if not reg.usable:
        raise LaunchRefused("unknown_platform", detail=f"registration #{reg.id} disabled or {reg.status}")
