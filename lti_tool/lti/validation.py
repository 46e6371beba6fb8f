"""Launch validation: pylti1p3's pipeline plus the checks it leaves to us.

The library checks JWT format, registration, signature, deployment and the message
claims. We add: state bound to the browser (checked by the caller), nonce equal to
the login's and consumed once across all workers, `aud`/`azp`, required `exp` and
`iat`, allowed algorithms only, a JWKS refetch on an unknown kid (rate-limited in
platform_keys.py), and `target_link_uri` on our own host. The nonce is spent last, after
the signature is verified: a forged token costs us no row. Every failure becomes a
LaunchRefused code.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from flask import current_app
from pylti1p3.contrib.flask import FlaskCookieService, FlaskMessageLaunch, FlaskRequest, FlaskSessionService
from pylti1p3.exception import LtiException
from pylti1p3.message_validators import get_validators

from . import claims as C
from . import jws
from .errors import LaunchRefused, refuse_unless_usable
from .http import is_platform_url
from .launch_cache import DeploymentInfo, RegistrationInfo, deployment, registration_by_id
from .platform_keys import find_platform_key
from .registrations import adopt_deployment
from .tool_conf import DbToolConf

ALLOWED_ALGS = ("RS256", "RS384", "RS512")
LEEWAY = 60  # seconds of clock skew we accept between the LMS and us
# A nonce can only be replayed together with its signed state, which expires after
# login.STATE_TTL (10 minutes): keeping used nonces a little longer is enough.


_UNUSED_HTTP = requests.Session()


@dataclass(frozen=True)
class ValidatedLaunch:
    claims: dict
    registration: RegistrationInfo
    deployment: DeploymentInfo


class _ErbijMessageLaunch(FlaskMessageLaunch):
    def __init__(self, id_token: str, login_state):
        request = FlaskRequest(
            cookies={},
            session={},
            request_data={"id_token": id_token, "state": login_state.state},
            request_is_secure=True,
        )
        # The library's own __init__ (pylti1p3 is pinned), but for two things: it would make a
        # requests.Session per launch, which never fetches for us (platform_keys.py does), so
        # every launch shares one that stays unused; and it would draw a uuid4 for a launch
        # id we never use — a system call for randomness, which gives up the GIL (signed.py).
        self._request = request
        self._tool_config = DbToolConf()
        self._session_service = FlaskSessionService(request)
        self._cookie_service = FlaskCookieService(request)
        self._launch_id = "lti1p3-launch-unused"
        self._jwt = {}
        self._jwt_verify_options = {"verify_aud": False}
        self._id_token_hash = None
        self._validated = False
        self._auto_validation = True
        self._restored = False
        self._public_key_cache_data_storage = None
        self._public_key_cache_lifetime = None
        self._requests_session = _UNUSED_HTTP
        self._login_state = login_state
        self._erbij_registration: RegistrationInfo | None = None
        self._erbij_deployment: DeploymentInfo | None = None

    # --- the pipeline, each step mapped to a refusal code ---
    def validate(self):
        self._validated = True  # the library's claim getters must not re-validate
        self._step(self.validate_jwt_format, "malformed_token")
        self._check_nonce_matches_login()
        self._check_audience_and_registration()
        self._check_signature_and_times()
        self._check_deployment()
        self._check_message()
        self._check_target_link_uri()
        return self

    def get_client_id(self) -> str:
        # The library takes aud[0]; with several audiences azp names us.
        if self._erbij_registration is not None:
            return self._erbij_registration.client_id
        return super().get_client_id()

    @staticmethod
    def _step(fn, code: str) -> None:
        try:
            fn()
        except LtiException as exc:
            raise LaunchRefused(code, detail=str(exc)) from exc

    def _body(self) -> dict:
        return self._jwt.get("body") or {}

    def _check_nonce_matches_login(self) -> None:
        nonce = self._body().get("nonce")
        if not nonce or nonce != self._login_state.nonce:
            raise LaunchRefused("nonce_mismatch", detail="nonce differs from the login's")

    def _check_audience_and_registration(self) -> None:
        """The login fixed the registration; the token must come from its issuer and be for its client_id."""
        body = self._body()
        reg = registration_by_id(self._login_state.registration_id)
        if reg is None:
            raise LaunchRefused("unknown_platform", detail="registration removed since the login")
        refuse_unless_usable(reg)
        iss = body.get("iss")
        aud = body.get("aud")
        auds = aud if isinstance(aud, list) else [aud] if aud else []
        if iss != reg.issuer:
            raise LaunchRefused("wrong_issuer", detail=f"iss {str(iss)[:100]!r} is not {reg.issuer!r}")
        if reg.client_id not in auds:
            raise LaunchRefused("wrong_audience", detail="our client_id is not in aud")
        azp = body.get("azp")
        if (len(auds) > 1 or azp is not None) and azp != reg.client_id:
            raise LaunchRefused("wrong_audience", detail="azp missing or not our client_id")
        self._erbij_registration = reg

    def _check_signature_and_times(self) -> None:
        header = self._jwt.get("header") or {}
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in ALLOWED_ALGS:
            raise LaunchRefused("bad_signature", detail=f"alg {alg!r} not allowed")
        if not kid:
            raise LaunchRefused("unknown_key", detail="no kid in header")
        if not isinstance(kid, str):
            raise LaunchRefused("bad_signature", detail="kid is not a string")
        jwk = find_platform_key(self._erbij_registration, kid)
        try:
            public_key = jws.public_key(jwk)
        except Exception as exc:  # a malformed JWK from the platform
            raise LaunchRefused("unknown_key", detail=f"unusable JWK {kid!r}") from exc
        try:
            jws.verify(self._get_id_token(), header, self._body(), public_key, alg, LEEWAY)
        except jws.TokenRefused as exc:
            raise LaunchRefused(exc.code, detail=str(exc)) from exc

    def _check_deployment(self) -> None:
        deployment_id = self._body().get(C.DEPLOYMENT_ID)
        dep = deployment(self._erbij_registration.id, deployment_id)
        if dep is None and deployment_id and self._erbij_registration.registered_via == "dynamic":
            # Moodle and Brightspace add deployments after the registration: a signed
            # launch from an approved dynamic registration brings its new deployment id.
            row = adopt_deployment(self._erbij_registration.id, str(deployment_id))
            if row is not None:
                dep = DeploymentInfo(row.id, row.registration_id, row.deployment_id)
        if dep is None:
            raise LaunchRefused("unknown_deployment", detail="deployment unknown or disabled")
        self._erbij_deployment = dep

    def _check_message(self) -> None:
        body = self._body()
        message_type = body.get(C.MESSAGE_TYPE)
        if not message_type:
            raise LaunchRefused("invalid_message", detail="no message_type")
        if message_type == C.DEEP_LINKING_REQUEST:
            # The library insists on ltiResourceLink; an editor placement asks for html only.
            self._step(lambda: _common_claims(body), "invalid_message")
            settings = body.get(C.DEEP_LINKING) or {}
            accept = settings.get("accept_types") or []
            if not settings.get("deep_link_return_url") or not (
                {"ltiResourceLink", "html"} & set(accept)
            ):
                raise LaunchRefused("invalid_message", detail="deep linking settings unusable")
            if not is_platform_url(settings["deep_link_return_url"], self._erbij_registration):
                raise LaunchRefused("invalid_message", detail="deep_link_return_url not on the platform's host")
        elif message_type == C.RESOURCE_LINK_REQUEST:
            self._step(self.validate_message, "invalid_message")
        elif message_type == C.SUBMISSION_REVIEW_REQUEST:
            # The library checks the line item and for_user.user_id; we also need the link
            # whose line item is reviewed, to find the activity.
            self._step(self.validate_message, "invalid_message")
            link = body.get(C.RESOURCE_LINK)
            if not isinstance(link, dict) or not link.get("id"):
                raise LaunchRefused("invalid_message", detail="submission review without resource_link")
            if not str((body.get(C.FOR_USER) or {}).get("user_id") or "").strip():
                raise LaunchRefused("invalid_message", detail="for_user without user_id")
        else:
            raise LaunchRefused("unsupported_message", detail=str(message_type)[:80])
        if not isinstance(body.get(C.CONTEXT), dict) or not body[C.CONTEXT].get("id"):
            raise LaunchRefused("invalid_message", detail="no context")

    def _check_target_link_uri(self) -> None:
        target = self._body().get(C.TARGET_LINK_URI)
        if target and not is_our_url(target):
            raise LaunchRefused("target_link_not_ours", detail=str(target)[:200])


def _common_claims(body: dict) -> bool:
    for validator in get_validators():
        if validator.can_validate(body):
            validator.run_common_validators(body)
            return True
    raise LtiException("no validator")


def is_our_url(url: str) -> bool:
    """True when url is on ERBIJ_BASE_URL (same scheme, host and port)."""
    ours = urlsplit(current_app.config["ERBIJ_BASE_URL"])
    theirs = urlsplit(str(url))
    return (theirs.scheme, theirs.netloc.lower()) == (ours.scheme, ours.netloc.lower())


def validate_launch(id_token: str, login_state) -> ValidatedLaunch:
    """Validate an id_token for a login state whose browser binding the caller has checked.

    The nonce is spent when the launch session is stored (context.create_launch_session)."""
    launch = _ErbijMessageLaunch(id_token, login_state).validate()
    return ValidatedLaunch(
        claims=launch._body(), registration=launch._erbij_registration, deployment=launch._erbij_deployment
    )
