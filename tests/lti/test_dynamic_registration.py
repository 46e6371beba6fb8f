"""LTI Dynamic Registration end to end against a test LMS (served through `responses`):
the registration request, the policies, then a real launch with the new client; every
refusal is a clear page and leaves no registration behind."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pytest
import requests

from lti_tool.extensions import db
from lti_tool.lti.tool_configuration import PLATFORM_CONFIGURATION, TOOL_CONFIGURATION
from lti_tool.models import Deployment, Registration, UsedRegistrationToken

from ..platform import BASE_URL, FakePlatform, landed_at, start_login

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def error_code(resp) -> str | None:
    m = re.search(r'data-error-code="([^"]+)"', resp.get_data(as_text=True))
    return m.group(1) if m else None


@dataclass
class RegisteringLms:
    """An LMS that registers tools: its OpenID configuration and registration endpoint.

    It wants `token` as Bearer on both requests (like Canvas) when `token` is set, spends
    it once, assigns `client_id`, and sends a deployment id only when `deployment_id` is set."""

    issuer: str = "https://newlms.example.org"
    token: str | None = None
    client_id: str = "dyn-client-1"
    deployment_id: str | None = "dyn-dep-1"
    family: str = "moodle"
    messages_supported: list | None = None
    issuer_in_config: str | None = None
    received: list = field(default_factory=list)
    config_headers: list = field(default_factory=list)
    spent: bool = False

    @property
    def config_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def config(self) -> dict:
        pc = {"product_family_code": self.family, "version": "4.3"}
        if self.messages_supported is not None:
            pc["messages_supported"] = self.messages_supported
        return {
            "issuer": self.issuer_in_config or self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks/{self.client_id}",
            "registration_endpoint": f"{self.issuer}/register",
            "scopes_supported": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
            ],
            PLATFORM_CONFIGURATION: pc,
        }

    def _authorized(self, request) -> bool:
        return self.token is None or request.headers.get("Authorization") == f"Bearer {self.token}"

    def serve(self, rsps) -> None:
        def get_config(request):
            self.config_headers.append(dict(request.headers))
            if not self._authorized(request):
                return 401, {}, json.dumps({"error": "invalid token"})
            return 200, {"Content-Type": "application/json"}, json.dumps(self.config())

        def post_registration(request):
            if not self._authorized(request) or self.spent:
                return 401, {}, json.dumps({"error": "invalid token"})
            if self.token:
                self.spent = True
            body = json.loads(request.body)
            self.received.append(body)
            answer = {**body, "client_id": self.client_id}
            if self.deployment_id:
                answer[TOOL_CONFIGURATION] = {**body[TOOL_CONFIGURATION], "deployment_id": self.deployment_id}
            return 200, {"Content-Type": "application/json"}, json.dumps(answer)

        rsps.add_callback("GET", self.config_url, callback=get_config)
        rsps.add_callback("POST", f"{self.issuer}/register", callback=post_registration)

    def as_platform(self, deployment_id: str | None = None) -> FakePlatform:
        return FakePlatform(issuer=self.issuer, client_id=self.client_id, deployment_id=deployment_id or self.deployment_id or "dep-x")


def register_url(lms: RegisteringLms, token: str | None = None) -> str:
    query = {"openid_configuration": lms.config_url}
    if token:
        query["registration_token"] = token
    return "/lti/register?" + urlencode(query)


def registrations(app) -> list[Registration]:
    with app.app_context():
        rows = list(db.session.execute(db.select(Registration).where(Registration.registered_via == "dynamic")).scalars())
        for r in rows:
            _ = list(r.deployments)
        db.session.expunge_all()
        return rows


@pytest.fixture
def policy(app):
    def set_policy(name: str, allowlist: str = "") -> None:
        app.config["ERBIJ_REGISTRATION_POLICY"] = name
        app.config["ERBIJ_REGISTRATION_ALLOWLIST"] = allowlist

    yield set_policy
    set_policy("approval")


def launch_new_client(client, rsps, lms: RegisteringLms, *, deployment_id: str | None = None):
    """Login + launch as a teacher with the newly registered client; the final response."""
    plat = lms.as_platform(deployment_id)
    plat.serve_jwks(rsps)
    step = start_login(client, plat)
    token = plat.sign(plat.claims(nonce=step.nonce))
    return client.post("/lti/launch", data={"id_token": token, "state": step.state})


# ---------------------------------------------------------------- the request Erbij sends
def test_open_policy_with_token_registers_and_then_launches(app, client, rsps, policy):
    policy("open")
    token = secrets.token_urlsafe(24)
    lms = RegisteringLms(token=token)
    lms.serve(rsps)
    resp = client.get(register_url(lms, token))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page[:1500]
    assert 'data-registration-status="active"' in page and 'data-product-family="moodle"' in page
    assert "dyn-client-1" in page and "/static/js/registration-close.js" in page
    # The LMS's frame may show the page (Erbij does not know the LMS yet).
    assert "frame-ancestors 'self' https://newlms.example.org" in resp.headers["Content-Security-Policy"]
    # The token went as Bearer on both requests.
    assert lms.config_headers[0]["Authorization"] == f"Bearer {token}"
    body = lms.received[0]
    assert body["initiate_login_uri"] == f"{BASE_URL}/lti/login"
    assert body["redirect_uris"] == [f"{BASE_URL}/lti/launch"]
    assert body["jwks_uri"] == f"{BASE_URL}/lti/jwks" and body["logo_uri"].startswith(BASE_URL)
    assert body["client_name#nl"] == "Erbij" and body["client_name#en"] == "Erbij"
    assert "nrps" in body["scope"] and "lti-ags/scope/score" in body["scope"]
    tc = body[TOOL_CONFIGURATION]
    assert tc["domain"] == "erbij.test" and tc["target_link_uri"] == f"{BASE_URL}/lti/launch"
    assert "email" not in tc["claims"] and "name" in tc["claims"]
    assert tc["https://canvas.instructure.com/lti/privacy_level"] == "name_only"
    types = {m["type"]: m for m in tc["messages"]}
    assert set(types) == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest", "LtiSubmissionReviewRequest"}
    assert {"ContentItemSelectionRequest", "link_selection", "assignment_selection", "editor_button"} <= set(types["LtiDeepLinkingRequest"]["placements"])
    assert all(m["target_link_uri"] == f"{BASE_URL}/lti/launch" for m in tc["messages"])
    assert types["LtiDeepLinkingRequest"]["label#nl"] != types["LtiDeepLinkingRequest"]["label#en"]

    [reg] = registrations(app)
    assert (reg.issuer, reg.client_id, reg.status, reg.product_family) == (lms.issuer, "dyn-client-1", "active", "moodle")
    assert [d.deployment_id for d in reg.deployments] == ["dyn-dep-1"]
    assert reg.auth_login_url == f"{lms.issuer}/auth" and reg.key_set_url == f"{lms.issuer}/jwks/dyn-client-1"
    with app.app_context():
        stored = db.session.execute(db.select(UsedRegistrationToken.token_hash)).scalar_one()
        assert token not in stored  # only a hash

    launched = launch_new_client(client, rsps, lms)
    assert landed_at(launched), launched.get_data(as_text=True)[:800]


def test_without_token_and_only_the_messages_the_lms_supports(app, client, rsps, policy):
    """Moodle: no Bearer token; it lists what it supports, so Erbij offers only that."""
    policy("open")
    lms = RegisteringLms(
        messages_supported=[
            {"type": "LtiResourceLinkRequest"},
            {"type": "LtiDeepLinkingRequest", "placements": ["ContentItemSelectionRequest"]},
        ]
    )
    lms.serve(rsps)
    resp = client.get(register_url(lms))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:1500]
    assert "Authorization" not in lms.config_headers[0]
    messages = lms.received[0][TOOL_CONFIGURATION]["messages"]
    assert [m["type"] for m in messages] == ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"]
    assert messages[1]["placements"] == ["ContentItemSelectionRequest"]
    assert len(registrations(app)) == 1


def test_canvas_next_steps_and_brightspace_next_steps(app, client, rsps, policy):
    policy("open")
    canvas = RegisteringLms(issuer="https://canvas.example.edu", family="canvas", token="t-canvas")
    canvas.serve(rsps)
    page = client.get(register_url(canvas, "t-canvas"), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-product-family="canvas"' in page and "Developer Keys" in page
    d2l = RegisteringLms(issuer="https://d2l.example.edu", family="desire2learn", token="t-d2l", client_id="d2l-1", deployment_id=None)
    d2l.serve(rsps)
    page = client.get(register_url(d2l, "t-d2l"), headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'data-product-family="brightspace"' in page and "Nieuwe implementatie" in page


# ---------------------------------------------------------------- policies
def test_approval_policy_refuses_launches_until_approved(app, client, rsps, policy):
    policy("approval")
    lms = RegisteringLms(token="tok-approval")
    lms.serve(rsps)
    page = client.get(register_url(lms, "tok-approval"), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'data-registration-status="pending"' in page and "approve" in page
    [reg] = registrations(app)
    assert reg.status == "pending"

    plat = lms.as_platform()
    plat.serve_jwks(rsps)
    refused = client.post(
        "/lti/login",
        data={"iss": plat.issuer, "login_hint": "t", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": plat.client_id},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 403 and error_code(refused) == "registration_pending"
    assert "waiting for approval by its operator" in refused.get_data(as_text=True)

    # The registration cache forgets the old status as soon as the operator decides.
    result = app.test_cli_runner().invoke(args=["registrations", "approve", "dyn-client-1"])
    assert result.exit_code == 0 and "approved" in result.output
    launched = launch_new_client(client, rsps, lms)
    assert landed_at(launched), launched.get_data(as_text=True)[:800]


def test_pending_launch_refused_in_dutch(app, client, rsps, policy):
    lms = RegisteringLms()
    lms.serve(rsps)
    client.get(register_url(lms))
    resp = client.post(
        "/lti/login",
        data={"iss": lms.issuer, "login_hint": "t", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": lms.client_id},
        headers={"Accept-Language": "nl"},
    )
    assert error_code(resp) == "registration_pending" and "wacht op goedkeuring" in resp.get_data(as_text=True)


def test_allowlist_policy(app, client, rsps, policy):
    policy("allowlist", "https://*.school.nl, https://other.example")
    ok = RegisteringLms(issuer="https://moodle.school.nl", token="tok-ok")
    ok.serve(rsps)
    assert 'data-registration-status="active"' in client.get(register_url(ok, "tok-ok")).get_data(as_text=True)

    other = RegisteringLms(issuer="https://lms.elsewhere.org", token="tok-no", client_id="c-no")
    other.serve(rsps)
    resp = client.get(register_url(other, "tok-no"), headers={"Accept-Language": "en"})
    assert resp.status_code == 403 and error_code(resp) == "registration_not_allowed"
    assert "not on it" in resp.get_data(as_text=True)
    assert other.received == []  # refused before asking the LMS to register anything
    assert [r.issuer for r in registrations(app)] == ["https://moodle.school.nl"]


# ---------------------------------------------------------------- refusals leave nothing
def test_replayed_token_is_refused(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(token="tok-once")
    lms.serve(rsps)
    assert client.get(register_url(lms, "tok-once")).status_code == 200
    lms.spent = False  # even if the LMS would accept it again, Erbij does not
    lms.client_id = "dyn-client-2"
    resp = client.get(register_url(lms, "tok-once"), headers={"Accept-Language": "en"})
    assert resp.status_code == 409 and error_code(resp) == "registration_replayed"
    assert "already used" in resp.get_data(as_text=True)
    assert len(lms.received) == 1 and len(registrations(app)) == 1


def test_wrong_token_is_refused(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(token="the-right-one")
    lms.serve(rsps)
    resp = client.get(register_url(lms, "a-wrong-one"), headers={"Accept-Language": "en"})
    assert resp.status_code == 403 and error_code(resp) == "registration_token_refused"
    assert "refused the registration token" in resp.get_data(as_text=True)
    assert registrations(app) == []
    # The right token still works afterwards: a refused token is not remembered as used.
    assert client.get(register_url(lms, "the-right-one")).status_code == 200


def test_token_refused_by_the_registration_endpoint_leaves_nothing(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(token="tok-spent")
    lms.spent = True  # the LMS reads the config with it, but refuses the registration
    lms.serve(rsps)
    resp = client.get(register_url(lms, "tok-spent"))
    assert error_code(resp) == "registration_token_refused"
    assert registrations(app) == []
    with app.app_context():
        assert db.session.execute(db.select(UsedRegistrationToken)).first() is None


def test_issuer_mismatch_is_refused(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(issuer_in_config="https://evil.example.com")
    lms.serve(rsps)
    resp = client.get(register_url(lms), headers={"Accept-Language": "en"})
    assert resp.status_code == 400 and error_code(resp) == "registration_issuer_mismatch"
    assert lms.received == [] and registrations(app) == []


def test_unreachable_platform_is_refused(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(issuer="https://down.example.org")
    rsps.get(lms.config_url, body=requests.ConnectionError("refused"))
    resp = client.get(register_url(lms), headers={"Accept-Language": "nl"})
    assert resp.status_code == 502 and error_code(resp) == "registration_unreachable"
    assert "kon je LMS niet bereiken" in resp.get_data(as_text=True)
    assert registrations(app) == []


def test_registration_endpoint_error_leaves_nothing(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms()
    rsps.get(lms.config_url, json=lms.config())
    rsps.post(f"{lms.issuer}/register", json={"error": "invalid_client_metadata"}, status=400)
    resp = client.get(register_url(lms))
    assert resp.status_code == 502 and error_code(resp) == "registration_platform_refused"
    assert registrations(app) == []


@pytest.mark.parametrize(
    "config_url",
    [
        "https://10.1.2.3/.well-known/openid-configuration",
        "https://127.0.0.1/.well-known/openid-configuration",
        "http://newlms.example.org/.well-known/openid-configuration",
        "http://localhost:5001/.well-known/openid-configuration",
        "file:///etc/passwd",
    ],
)
def test_private_or_plain_http_configuration_url_is_refused(app, client, rsps, config_url):
    app.config["ERBIJ_ALLOW_LOOPBACK"] = False
    try:
        resp = client.get("/lti/register?" + urlencode({"openid_configuration": config_url}), headers={"Accept-Language": "en"})
    finally:
        app.config["ERBIJ_ALLOW_LOOPBACK"] = True
    assert resp.status_code == 400 and error_code(resp) == "registration_url_refused"
    assert "private networks" in resp.get_data(as_text=True)
    assert len(rsps.calls) == 0 and registrations(app) == []


def test_missing_configuration_url(client):
    resp = client.get("/lti/register")
    assert resp.status_code == 400 and error_code(resp) == "registration_missing_params"


def test_oversized_configuration_is_refused(app, client, rsps):
    lms = RegisteringLms()
    rsps.get(lms.config_url, body="x" * (app.config["ERBIJ_MAX_RESPONSE_BYTES"] + 10))
    resp = client.get(register_url(lms))
    assert error_code(resp) == "registration_bad_config" and registrations(app) == []


# ---------------------------------------------------------------- deployments added later
def test_deployment_added_later_is_adopted_on_first_launch(app, client, rsps, policy):
    policy("open")
    lms = RegisteringLms(deployment_id=None, family="desire2learn")
    lms.serve(rsps)
    assert client.get(register_url(lms)).status_code == 200
    [reg] = registrations(app)
    assert reg.deployments == []
    launched = launch_new_client(client, rsps, lms, deployment_id="brightspace-dep-7")
    assert landed_at(launched), launched.get_data(as_text=True)[:800]
    [reg] = registrations(app)
    assert [d.deployment_id for d in reg.deployments] == ["brightspace-dep-7"]

    # A deployment the operator switched off is not adopted again.
    with app.app_context():
        db.session.execute(db.update(Deployment).values(enabled=False))
        db.session.commit()
    refused = launch_new_client(client, rsps, lms, deployment_id="brightspace-dep-7")
    assert refused.status_code == 403 and error_code(refused) == "unknown_deployment"


def test_manual_registrations_never_adopt_deployments(client, launch, platform):
    """`flask platforms add` names its deployments: an unknown one stays refused."""
    step = start_login(client, platform)
    claims = platform.claims(nonce=step.nonce)
    claims[LTI + "deployment_id"] = "not-registered"
    resp = client.post("/lti/launch", data={"id_token": platform.sign(claims), "state": step.state})
    assert resp.status_code == 403 and error_code(resp) == "unknown_deployment"


# ---------------------------------------------------------------- operator CLI
def test_cli_list_approve_reject(app, client, rsps, policy):
    lms = RegisteringLms(token="tok-cli")
    lms.serve(rsps)
    client.get(register_url(lms, "tok-cli"))
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["registrations", "list", "--pending"])
    assert "[pending] client_id=dyn-client-1" in listing.output and "moodle" in listing.output
    assert "tok-cli" not in listing.output

    rejected = runner.invoke(args=["registrations", "reject", "dyn-client-1"])
    assert rejected.exit_code == 0 and "rejected" in rejected.output
    assert "[rejected]" in runner.invoke(args=["registrations", "list"]).output
    assert "No registrations waiting" in runner.invoke(args=["registrations", "list", "--pending"]).output
    resp = client.post(
        "/lti/login",
        data={"iss": lms.issuer, "login_hint": "t", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": lms.client_id},
    )
    assert resp.status_code == 403 and error_code(resp) == "unknown_platform"

    assert runner.invoke(args=["registrations", "approve", "nope"]).exit_code != 0
    [reg] = registrations(app)
    approved = runner.invoke(args=["registrations", "approve", f"#{reg.id}"])
    assert approved.exit_code == 0
    assert registrations(app)[0].status == "active" and registrations(app)[0].enabled


def test_existing_manual_registrations_stay_active(app, platform):
    with app.app_context():
        reg = db.session.get(Registration, platform.registration_id)
        assert (reg.status, reg.registered_via) == ("active", "manual")


# ---------------------------------------------------------------- Canvas JSON
def test_canvas_json_has_the_same_placements_and_scopes(app, client, rsps, policy):
    data = client.get("/lti/canvas.json").get_json()
    assert data["title"] == "Erbij" and data["oidc_initiation_url"] == f"{BASE_URL}/lti/login"
    assert data["target_link_uri"] == f"{BASE_URL}/lti/launch" and data["public_jwk_url"] == f"{BASE_URL}/lti/jwks"
    [ext] = data["extensions"]
    assert ext["platform"] == "canvas.instructure.com" and ext["privacy_level"] == "name_only"
    placements = {p["placement"]: p for p in ext["settings"]["placements"]}
    assert set(placements) == {"link_selection", "assignment_selection", "editor_button"}
    assert all(p["message_type"] == "LtiDeepLinkingRequest" for p in placements.values())
    assert isinstance(data["custom_fields"], dict)

    policy("open")
    lms = RegisteringLms(family="canvas")
    lms.serve(rsps)
    client.get(register_url(lms))
    body = lms.received[0]
    assert sorted(body["scope"].split()) == sorted(data["scopes"])
    dl = next(m for m in body[TOOL_CONFIGURATION]["messages"] if m["type"] == "LtiDeepLinkingRequest")
    assert set(placements) <= set(dl["placements"])


def test_registration_attempts_are_limited_per_address(app, client, rsps, policy):
    from lti_tool.lti.dynamic_registration import ATTEMPTS_PER_HOUR

    policy("approval")
    lms = RegisteringLms(issuer_in_config="https://elsewhere.example.org")  # each attempt is refused by the issuer check
    lms.serve(rsps)
    flood = {"REMOTE_ADDR": "203.0.113.7"}
    codes = [error_code(client.get(register_url(lms), environ_base=flood)) for _ in range(ATTEMPTS_PER_HOUR + 1)]
    assert codes[:ATTEMPTS_PER_HOUR] == ["registration_issuer_mismatch"] * ATTEMPTS_PER_HOUR
    resp = client.get(register_url(lms), environ_base=flood, headers={"Accept-Language": "en"})
    assert resp.status_code == 429 and error_code(resp) == "registration_too_many"
    assert "Too many registrations at once" in resp.get_data(as_text=True)
    # Another address is not held back by it.
    assert error_code(client.get(register_url(lms), environ_base={"REMOTE_ADDR": "198.51.100.9"})) == "registration_issuer_mismatch"


def test_no_more_than_the_cap_wait_for_approval(app, client, rsps, policy):
    policy("approval")
    app.config["ERBIJ_MAX_PENDING_REGISTRATIONS"] = 2
    for n in range(3):
        lms = RegisteringLms(issuer=f"https://lms{n}.example.org", client_id=f"c{n}")
        lms.serve(rsps)
        resp = client.get(register_url(lms))
        if n < 2:
            assert 'data-registration-status="pending"' in resp.get_data(as_text=True)
    assert resp.status_code == 429 and error_code(resp) == "registration_too_many"
    assert [r.client_id for r in registrations(app)] == ["c0", "c1"]
    # Under the open policy nothing waits, so the cap does not apply.
    policy("open")
    lms = RegisteringLms(issuer="https://lms9.example.org", client_id="c9")
    lms.serve(rsps)
    assert 'data-registration-status="active"' in client.get(register_url(lms)).get_data(as_text=True)
