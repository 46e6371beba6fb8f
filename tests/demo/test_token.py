"""The token endpoint: client_credentials with a JWT client assertion signed by the tool."""

from __future__ import annotations

from .conftest import TOKEN_URL, ToolKey, rsa_key

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def test_valid_assertion_gets_a_bearer_token_with_the_granted_scopes(lms):
    response = lms.request_token([SCORE, NRPS, "https://example.org/unknown-scope"])

    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"].split() == [SCORE, NRPS]
    assert response.headers["Cache-Control"] == "no-store"
    assert lms.client.get("/demo/api/stats").get_json()["tokens_issued"] == 1


def test_assertion_signed_by_another_key_is_refused(lms):
    impostor = ToolKey(rsa_key("impostor"), kid=lms.tool.kid)
    assertion = impostor.sign({"iss": "erbij-demo", "sub": "erbij-demo", "aud": TOKEN_URL, "iat": 1, "exp": 2**31, "jti": "x"})

    response = lms.request_token([SCORE], assertion=assertion)

    assert response.status_code == 401
    assert response.get_json()["error"] == "invalid_client"


def test_request_without_user_agent_is_refused_like_canvas(lms):
    response = lms.request_token([SCORE], user_agent="")

    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_request"
    assert "User-Agent" in response.get_json()["error_description"]


def test_replayed_jti_is_refused(lms):
    assertion = lms.client_assertion()

    assert lms.request_token([SCORE], assertion=assertion).status_code == 200
    replay = lms.request_token([SCORE], assertion=assertion)

    assert replay.status_code == 401
    assert "jti" in replay.get_json()["error_description"]


def test_assertion_claims_are_checked(lms):
    cases = {
        "wrong audience": lms.client_assertion(aud="https://elsewhere.example/token"),
        "wrong issuer": lms.client_assertion(iss="other-client"),
        "sub differs": lms.client_assertion(sub="other-client"),
        "expired": lms.client_assertion(exp=1000, iat=900),
        "no exp": lms.client_assertion(exp=None),
        "no jti": lms.client_assertion(jti=None),
    }
    for case, assertion in cases.items():
        response = lms.request_token([SCORE], assertion=assertion)
        assert response.status_code == 401, case
        assert response.get_json()["error"] == "invalid_client", case


def test_audience_may_be_a_list_containing_the_token_url(lms):
    assertion = lms.client_assertion(aud=[TOKEN_URL, "https://other.example"])
    assert lms.request_token([SCORE], assertion=assertion).status_code == 200


def test_grant_type_assertion_type_and_scope_are_required(lms):
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": lms.client_assertion(),
        "scope": SCORE,
    }
    for field, value, error in [
        ("grant_type", "password", "unsupported_grant_type"),
        ("client_assertion_type", "other", "invalid_request"),
        ("client_assertion", "", "invalid_request"),
        ("scope", "https://example.org/not-offered", "invalid_scope"),
    ]:
        response = lms.client.post("/oauth2/token", data={**form, field: value}, headers={"User-Agent": "pytest"})
        assert response.status_code == 400, field
        assert response.get_json()["error"] == error, field


def test_a_rotated_tool_key_is_picked_up_by_refetching_the_jwks(lms):
    assert lms.request_token([SCORE]).status_code == 200
    fetches = len(lms.jwks.fetched)
    rotated = ToolKey(rsa_key("tool-rotated"), kid="tool-key-2")
    lms.jwks.keys.append(rotated)
    lms.tool = rotated

    assert lms.request_token([SCORE]).status_code == 200
    assert len(lms.jwks.fetched) == fetches + 1
    # A known kid does not refetch.
    assert lms.request_token([SCORE]).status_code == 200
    assert len(lms.jwks.fetched) == fetches + 1
