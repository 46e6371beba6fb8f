"""The demo LMS against PyLTI1p3, the library under Erbij's `lti/` layer.

A minimal PyLTI1p3 Flask tool (not Erbij) runs the whole flow against the demo: OIDC login,
launch validation with the platform's JWKS, a service token, NRPS paging and a score.
If these pass, a problem seen with Erbij is Erbij's, not the demo's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from flask import Flask, jsonify, request
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.grade import Grade
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from .conftest import (
    CLIENT_ID,
    COURSE,
    DEPLOYMENT_ID,
    FEEDBACK,
    LMS_URL,
    STUDENT,
    TOKEN_URL,
    TOOL_URL,
    ToolKey,
    parse_page,
    path_of,
    rsa_key,
)


class FlaskClientAdapter(BaseAdapter):
    """A requests transport that sends requests to a Flask test client instead of HTTP."""

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        answer = self.client.open(
            path_of(request.url or ""),
            method=request.method,
            headers=dict(request.headers),
            data=request.body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.data
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def make_tool(lms_session: requests.Session) -> tuple[Flask, str]:
    """A bare PyLTI1p3 tool that launches, reads the roster and posts a score."""
    private = rsa_key("pylti1p3-tool")
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    conf = ToolConfDict(
        {
            LMS_URL: [
                {
                    "default": True,
                    "client_id": CLIENT_ID,
                    "auth_login_url": f"{LMS_URL}/auth",
                    "auth_token_url": TOKEN_URL,
                    "key_set_url": f"{LMS_URL}/.well-known/jwks.json",
                    "key_set": None,
                    "deployment_ids": [DEPLOYMENT_ID],
                }
            ]
        }
    )
    conf.set_private_key(LMS_URL, private_pem, client_id=CLIENT_ID)
    conf.set_public_key(LMS_URL, public_pem, client_id=CLIENT_ID)

    tool = Flask("pylti1p3_tool")
    tool.secret_key = "tool-secret"

    @tool.post("/lti/login")
    def login() -> Any:
        oidc = FlaskOIDCLogin(FlaskRequest(), conf)
        return oidc.redirect(request.form["target_link_uri"])

    @tool.post("/lti/launch")
    def launch() -> Any:
        message = FlaskMessageLaunch(FlaskRequest(), conf, requests_session=lms_session)
        claims = message.get_launch_data()
        members = message.get_nrps().get_members()
        grade = (
            Grade()
            .set_user_id(STUDENT)
            .set_score_given(8)
            .set_score_maximum(10)
            .set_timestamp("2026-03-02T10:00:00+01:00")
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_comment("Het lijkt erop dat je stelling sterk is.")
        )
        message.get_ags().put_grade(grade)
        return jsonify({"sub": claims["sub"], "members": [m["user_id"] for m in members]})

    return tool, Registration.get_jwk(public_pem)["kid"]


@pytest.fixture
def lms_session(lms) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "PyLTI1p3-client"
    session.mount(LMS_URL, FlaskClientAdapter(lms.app.test_client()))
    return session


def test_pylti1p3_tool_launches_reads_the_roster_and_posts_a_score(lms, lms_session):
    tool, kid = make_tool(lms_session)
    lms.jwks.keys.append(ToolKey(rsa_key("pylti1p3-tool"), kid=kid))
    browser_at_tool = tool.test_client()

    # 1. The LMS page's form goes to the tool's login URL …
    fields = lms.launch_fields(f"/courses/{COURSE}/activities/{FEEDBACK}")
    login = browser_at_tool.post("/lti/login", data=fields)
    assert login.status_code == 302
    auth_url = login.headers["Location"]
    assert auth_url.startswith(f"{LMS_URL}/auth?")

    # 2. … which sends the browser to the LMS's /auth, which posts the id_token back.
    answer = lms.client.get(path_of(auth_url))
    assert answer.status_code == 200, answer.text
    form = parse_page(answer.text).forms[0]
    assert urlsplit(form["action"]).path == "/lti/launch"
    assert form["action"].startswith(TOOL_URL)

    # 3. PyLTI1p3 validates the launch and uses NRPS (3 pages) and AGS.
    launched = browser_at_tool.post("/lti/launch", data=form["fields"])
    assert launched.status_code == 200, launched.text
    body = launched.get_json()
    assert body["sub"] == "anouk.devries"
    assert len(body["members"]) == 9

    result = lms.store.get_result(lms.store.line_items(COURSE, resource_link_id=FEEDBACK)[0].id, STUDENT)
    assert result is not None
    assert result.score_given == 8
    assert result.comment == "Het lijkt erop dat je stelling sterk is."
