"""A fake LMS for tests: signs real id_tokens with its own key and serves its JWKS
through `responses`, so every launch test goes through Erbij's real validation."""

from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
ROLE_INST_STUDENT = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"
ROLE_INST_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
BASE_URL = "https://erbij.test"

_KEY_CACHE: dict[str, object] = {}


def _rsa_key(name: str):
    # Key generation is slow; a test run needs only a few.
    if name not in _KEY_CACHE:
        _KEY_CACHE[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEY_CACHE[name]


@dataclass
class FakePlatform:
    issuer: str = "https://lms.example.org"
    client_id: str = "client-1"
    deployment_id: str = "dep-1"
    key_name: str = "platform-a"
    kid: str = "platform-key-1"
    extra_deployments: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.key = _rsa_key(self.key_name)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks/{self.client_id}"

    @property
    def auth_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    def private_pem(self, key=None) -> bytes:
        return (key or self.key).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    def jwks(self, kid: str | None = None, key=None) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk((key or self.key).public_key()))
        jwk.update({"kid": kid or self.kid, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def register(self, app):
        from lti_tool.lti.registrations import upsert_registration

        with app.app_context():
            reg = upsert_registration(
                issuer=self.issuer,
                client_id=self.client_id,
                auth_login_url=self.auth_url,
                auth_token_url=self.token_url,
                key_set_url=self.jwks_url,
                deployment_ids=[self.deployment_id, *self.extra_deployments],
                name="Test LMS",
            )
            return reg.id

    def serve_jwks(self, rsps, *, headers=None, body=None):
        rsps.get(self.jwks_url, json=body or self.jwks(), headers=headers or {"Cache-Control": "max-age=300"})

    def claims(
        self,
        *,
        nonce: str,
        role: str = "instructor",
        user: str = "teacher-1",
        course: str = "course-1",
        course_title: str = "Nederlands 2",
        link: str = "link-1",
        activity: str | None = "checkin",
        locale: str = "nl",
        message_type: str = "LtiResourceLinkRequest",
        name: str | None = None,
    ) -> dict:
        now = int(time.time())
        roles = {"instructor": [ROLE_INSTRUCTOR], "learner": [ROLE_LEARNER, ROLE_INST_STUDENT]}.get(role, [role])
        c = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": user,
            "exp": now + 300,
            "iat": now,
            "nonce": nonce,
            "name": name if name is not None else user.replace("-", " ").title(),
            LTI + "deployment_id": self.deployment_id,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": roles,
            LTI + "context": {"id": course, "title": course_title, "label": course_title[:10], "type": ["CourseSection"]},
            LTI + "target_link_uri": f"{BASE_URL}/lti/launch",
            LTI + "launch_presentation": {"locale": locale, "document_target": "iframe", "return_url": f"{self.issuer}/return"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
                ],
                "lineitems": f"{self.issuer}/api/{course}/lineitems",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.issuer}/api/{course}/memberships",
                "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            c[LTI + "resource_link"] = {"id": link, "title": "Activity " + link}
            if activity:
                c[LTI + "custom"] = {"erbij_activity": activity}
        else:
            c["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "data": "dl-data-123",
            }
        return c

    def sign(self, claims: dict, *, kid: str | None = None, key=None, alg: str = "RS256", headers: dict | None = None) -> str:
        hdr = {"kid": kid or self.kid, **(headers or {})}
        if alg == "none":
            return jwt.encode(claims, None, algorithm="none", headers=hdr)
        return jwt.encode(claims, self.private_pem(key), algorithm=alg, headers=hdr)


@dataclass
class LoginStep:
    state: str
    nonce: str
    redirect_uri: str
    auth_query: dict


def start_login(client, platform: FakePlatform, *, login_hint="teacher-1", storage_target=None, extra=None) -> LoginStep:
    """Run OIDC initiation through Erbij and return what it sent to the platform."""
    data = {
        "iss": platform.issuer,
        "login_hint": login_hint,
        "target_link_uri": f"{BASE_URL}/lti/launch",
        "client_id": platform.client_id,
        "lti_deployment_id": platform.deployment_id,
        "lti_message_hint": "hint-" + secrets.token_hex(4),
    }
    if storage_target:
        data["lti_storage_target"] = storage_target
    data.update(extra or {})
    resp = client.post("/lti/login", data=data)
    if storage_target:
        assert resp.status_code == 200, resp.data[:500]
        html = resp.get_data(as_text=True)
        import re

        auth = re.search(r'data-next="([^"]+)"', html).group(1).replace("&amp;", "&")
    else:
        assert resp.status_code == 302, resp.data[:500]
        auth = resp.headers["Location"]
        if "/lti/login/continue" in auth:  # first login in this browser: the cookie check
            cont = client.get(auth)
            assert cont.status_code == 302, cont.get_data(as_text=True)[:800]
            auth = cont.headers["Location"]
    assert auth.startswith(platform.auth_url), auth
    q = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
    return LoginStep(state=q["state"], nonce=q["nonce"], redirect_uri=q["redirect_uri"], auth_query=q)


class JwksServer:
    """A platform's JWKS endpoint on 127.0.0.1, for tools running in other processes."""

    def __init__(self, platform: FakePlatform):
        body = json.dumps(platform.jwks()).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "max-age=300")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def landed_at(resp) -> str | None:
    """Where a launch landed: the address of the page it answered with (Content-Location)
    or redirected to; None when it did neither (a refusal)."""
    if resp.status_code == 200 and (resp.headers.get("Content-Location") or "").startswith("/l/"):
        return resp.headers["Content-Location"]
    if resp.status_code in (302, 303) and "/l/" in (resp.headers.get("Location") or ""):
        return resp.headers["Location"]
    return None
