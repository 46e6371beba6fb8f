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
