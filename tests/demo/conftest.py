"""Fixtures for the demo LMS: a fresh LMS per test (own data dir) and a throwaway "tool".

`lms` is a small driver over the Flask test client that does what a browser and Erbij
would do: open pages, follow the login → /auth round trip, sign deep-linking responses
and client assertions with the tool's key, and fetch service tokens.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from lti_tool.demo import create_demo_app
from lti_tool.demo.launch import (
    CLAIM_DEPLOYMENT_ID,
    CLAIM_DL_CONTENT_ITEMS,
    CLAIM_DL_DATA,
    CLAIM_MESSAGE_TYPE,
    CLAIM_VERSION,
)
from lti_tool.demo.platform_keys import KEY_FILE

LMS_URL = "http://localhost:5001"
TOOL_URL = "http://127.0.0.1:5000"
CLIENT_ID = "erbij-demo"
DEPLOYMENT_ID = "demo-deployment-1"
TOKEN_URL = f"{LMS_URL}/oauth2/token"

TEACHER = "anouk.devries"
STUDENT = "sanne.bakker"
COURSE = "course-nl2"
CHECKIN = "rl-nl2-checkin"
FEEDBACK = "rl-nl2-betoog"

_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def rsa_key(name: str) -> rsa.RSAPrivateKey:
    """Key generation is slow; each named key is made once per test run."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


@dataclass
class ToolKey:
    """The tool's signing key as the LMS learns it: through a JWKS."""

    private_key: rsa.RSAPrivateKey
    kid: str

    @property
    def jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid})


@dataclass
class FakeToolJwks:
    """What the LMS gets when it fetches the tool's JWKS; counts the fetches."""

    keys: list[ToolKey]
    fetched: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        return {"keys": [key.jwk for key in self.keys]}


class FormParser(HTMLParser):
    """Collects forms (attributes + input values), iframes and scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.iframes: list[dict[str, str | None]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append({**attributes, "fields": {}})
        elif tag == "input" and self.forms and attributes.get("name"):
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value") or ""
        elif tag == "iframe":
            self.iframes.append(attributes)
        elif tag == "script":
            self.scripts.append(attributes)


def parse_page(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


def login_form(html: str) -> dict[str, Any]:
    """The launch's login-initiation form on a page (the one posting to the tool)."""
    forms = [f for f in parse_page(html).forms if f.get("action") == f"{TOOL_URL}/lti/login"]
    assert len(forms) == 1, "expected exactly one launch form"
    return forms[0]


class LmsDriver:
    """Drives the demo LMS like a browser plus Erbij would."""

    def __init__(self, app: Any, tool: ToolKey, jwks: FakeToolJwks) -> None:
        self.app = app
        self.client = app.test_client()
        self.tool = tool
        self.jwks = jwks

    @property
    def store(self) -> Any:
        return self.app.extensions["erbij_demo_lms"].store

    # -- pages -----------------------------------------------------------------------

    def switch_user(self, user_id: str) -> None:
        response = self.client.post("/switch-user", data={"user": user_id})
        assert response.status_code == 302

    def set_settings(self, **settings: str) -> None:
        response = self.client.post("/settings", data=settings)
        assert response.status_code == 302

    def launch_fields(self, page: str) -> dict[str, str]:
        response = self.client.get(page)
        assert response.status_code == 200, response.text
        return login_form(response.text)["fields"]

    # -- OIDC ------------------------------------------------------------------------

    def auth_params(self, fields: dict[str, str], **overrides: str | None) -> dict[str, str]:
        """The auth request a tool (PyLTI1p3) sends after receiving the login fields."""
        params: dict[str, str | None] = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": fields["client_id"],
            "redirect_uri": f"{TOOL_URL}/lti/launch",
            "login_hint": fields["login_hint"],
            "lti_message_hint": fields["lti_message_hint"],
            "nonce": "nonce-" + uuid.uuid4().hex,
            "state": "state-" + uuid.uuid4().hex,
        }
        params.update(overrides)
        return {k: v for k, v in params.items() if v is not None}

    def auth(self, fields: dict[str, str], **overrides: str | None) -> Any:
        return self.client.get("/auth", query_string=self.auth_params(fields, **overrides))

    def launch(self, page: str, user: str | None = None) -> dict[str, Any]:
        """Open a launch page, run the OIDC round trip, return the verified id_token claims."""
        if user:
            self.switch_user(user)
        fields = self.launch_fields(page)
        params = self.auth_params(fields)
        response = self.client.get("/auth", query_string=params)
        assert response.status_code == 200, response.text
        form = parse_page(response.text).forms[0]
        assert form["action"] == f"{TOOL_URL}/lti/launch"
        assert form["method"] == "post"
        assert form["fields"]["state"] == params["state"]
        claims = self.decode_id_token(form["fields"]["id_token"])
        assert claims["nonce"] == params["nonce"]
        return claims

    def decode_id_token(self, token: str) -> dict[str, Any]:
        """Verify the id_token as a tool would: with the platform's published JWKS."""
        jwks = self.client.get("/.well-known/jwks.json").get_json()
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
        return jwt.decode(
            token,
            jwt.PyJWK(jwk).key,
            algorithms=["RS256"],
            audience=CLIENT_ID,
            issuer=LMS_URL,
            options={"require": ["exp", "iat", "nonce", "sub"]},
        )

    # -- what the tool signs ---------------------------------------------------------

    def deep_link_jwt(self, request_claims: dict[str, Any], items: list[dict[str, Any]], **overrides: Any) -> str:
        """A PyLTI1p3-shaped LtiDeepLinkingResponse answering a deep-linking request."""
        settings = request_claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": CLIENT_ID,
            "aud": [LMS_URL],
            "exp": now + 600,
            "iat": now,
            "nonce": "nonce-" + uuid.uuid4().hex,
            CLAIM_DEPLOYMENT_ID: DEPLOYMENT_ID,
            CLAIM_MESSAGE_TYPE: "LtiDeepLinkingResponse",
            CLAIM_VERSION: "1.3.0",
            CLAIM_DL_CONTENT_ITEMS: items,
            CLAIM_DL_DATA: settings["data"],
        }
        claims.update(overrides)
        return self.tool.sign({k: v for k, v in claims.items() if v is not None})

    def client_assertion(self, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": TOKEN_URL,
            "iat": now - 5,
            "exp": now + 60,
            "jti": "lti-service-token-" + uuid.uuid4().hex,
        }
        claims.update(overrides)
        return self.tool.sign({k: v for k, v in claims.items() if v is not None})

    def request_token(self, scopes: list[str], assertion: str | None = None, user_agent: str = "pytest") -> Any:
        return self.client.post(
            "/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion or self.client_assertion(),
                "scope": " ".join(scopes),
            },
            headers={"User-Agent": user_agent},
        )

    def service_token(self, *scopes: str) -> dict[str, str]:
        """Authorization headers carrying a fresh token with these scopes."""
        response = self.request_token(list(scopes))
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


@pytest.fixture
def tool_key() -> ToolKey:
    return ToolKey(rsa_key("tool"), kid="tool-key-1")


@pytest.fixture
def tool_jwks(tool_key: ToolKey) -> FakeToolJwks:
    return FakeToolJwks([tool_key])


@pytest.fixture
def make_demo_app(tmp_path: Any, tool_jwks: FakeToolJwks) -> Any:
    """Build a demo LMS app on this test's data dir (call again to "restart" it)."""

    data_dir = tmp_path / "demo_lms"
    data_dir.mkdir()
    # The LMS makes its own key on first start; reusing one per test run keeps tests fast.
    (data_dir / KEY_FILE).write_bytes(
        rsa_key("platform").private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )

    def make(**config: Any) -> Any:
        settings = {
            "TESTING": True,
            "DEMO_DATA_DIR": data_dir,
            "DEMO_TOOL_JWKS_FETCH": tool_jwks,
            "DEMO_TIMEOUT_SLEEP": 0.01,
            **config,
        }
        return create_demo_app(settings)

    return make


@pytest.fixture
def demo_app(make_demo_app: Any) -> Any:
    return make_demo_app()


@pytest.fixture
def lms(demo_app: Any, tool_key: ToolKey, tool_jwks: FakeToolJwks) -> LmsDriver:
    return LmsDriver(demo_app, tool_key, tool_jwks)


def path_of(url: str) -> str:
    """The path and query of an absolute LMS URL, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
