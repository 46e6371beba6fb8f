"""AGS and NRPS clients: tokens cached per registration, pagination, User-Agent, errors."""

import json

import pytest
import requests

from lti_tool.lti import PlatformServices, ServiceError
from lti_tool.lti.services import SCOPE_NRPS, SCOPE_SCORE

MEMBERS = "https://lms.example.org/api/course-1/memberships"


def _token(rsps, platform, token="tok-1", expires_in=3600):
    return rsps.post(platform.token_url, json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


def _page(n, next_url=None):
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    members = [{"user_id": f"u{n}{i}", "name": f"Student {n}{i}", "given_name": "S", "family_name": f"{n}{i}", "roles": ["Learner"], "status": "Active"} for i in range(2)]
    return {"json": {"id": MEMBERS, "members": members}, "headers": headers}


def test_roster_follows_pages_and_caches_token(app, platform, rsps):
    token_call = _token(rsps, platform)
    rsps.get(MEMBERS, **_page(1, MEMBERS + "?page=2&Cursor=AbC"))
    rsps.get(MEMBERS + "?page=2&Cursor=AbC", **_page(2))
    rsps.get(MEMBERS + "-other", **_page(3))
    with app.app_context():
        svc = PlatformServices(platform.registration_id)
        members = svc.roster(MEMBERS)
        members_again = PlatformServices(platform.registration_id).roster(MEMBERS + "-other")
    assert [m.user_id for m in members] == ["u10", "u11", "u20", "u21"]
    assert len(members_again) == 2
    assert token_call.call_count == 1  # cached across service objects (and requests)
    nrps_calls = [c for c in rsps.calls if "memberships" in c.request.url]
    assert all(c.request.headers["Authorization"] == "Bearer tok-1" for c in nrps_calls)
    assert all(c.request.headers["User-Agent"].startswith("Erbij") for c in rsps.calls)
    assert "Cursor=AbC" in nrps_calls[1].request.url  # the next URL is used as given (case kept)


def test_token_request_is_a_signed_client_assertion(app, client, platform, rsps):
    import jwt
    from jwt.algorithms import RSAAlgorithm

    call = _token(rsps, platform)
    rsps.get(MEMBERS, json={"members": []})
    with app.app_context():
        PlatformServices(platform.registration_id).roster(MEMBERS)
    form = dict(x.split("=", 1) for x in call.calls[0].request.body.split("&"))
    from urllib.parse import unquote_plus

    form = {k: unquote_plus(v) for k, v in form.items()}
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert form["scope"] == SCOPE_NRPS
    keys = {k["kid"]: k for k in client.get("/lti/jwks").get_json()["keys"]}
    kid = jwt.get_unverified_header(form["client_assertion"])["kid"]
    claims = jwt.decode(form["client_assertion"], RSAAlgorithm.from_jwk(keys[kid]), algorithms=["RS256"], audience=platform.token_url)
    assert claims["iss"] == claims["sub"] == platform.client_id and claims["jti"]


def test_token_cache_expires(app, platform, rsps):
    call = _token(rsps, platform, expires_in=30)  # shorter than the safety margin: not cached
    rsps.get(MEMBERS, json={"members": []})
    with app.app_context():
        PlatformServices(platform.registration_id).roster(MEMBERS)
        PlatformServices(platform.registration_id).roster(MEMBERS)
    assert call.call_count == 2


def test_revoked_token_is_refetched_once(app, platform, rsps):
    call = _token(rsps, platform)
    rsps.get(MEMBERS, status=401)
    rsps.get(MEMBERS, json={"members": [{"user_id": "x", "roles": ["Learner"]}]})
    with app.app_context():
        assert len(PlatformServices(platform.registration_id).roster(MEMBERS)) == 1
    assert call.call_count == 2


def test_post_score_and_errors(app, platform, rsps):
    _token(rsps, platform)
    li = "https://lms.example.org/api/course-1/lineitems/7?type_id=3"
    ok = rsps.post("https://lms.example.org/api/course-1/lineitems/7/scores?type_id=3", status=200)
    with app.app_context():
        PlatformServices(platform.registration_id).post_score(li, {"userId": "u1", "scoreGiven": 7, "scoreMaximum": 10})
    assert ok.call_count == 1
    assert ok.calls[0].request.headers["Content-Type"] == "application/vnd.ims.lis.v1.score+json"
    assert json.loads(ok.calls[0].request.body)["scoreGiven"] == 7

    rsps.replace("POST", "https://lms.example.org/api/course-1/lineitems/7/scores?type_id=3", status=422, body="not a student")
    with app.app_context(), pytest.raises(ServiceError) as err:
        PlatformServices(platform.registration_id).post_score(li, {"userId": "teacher"})
    assert err.value.status == 422 and not err.value.retryable and "not a student" in err.value.body

    rsps.replace("POST", "https://lms.example.org/api/course-1/lineitems/7/scores?type_id=3", body=requests.exceptions.ConnectTimeout())
    with app.app_context(), pytest.raises(ServiceError) as err:
        PlatformServices(platform.registration_id).post_score(li, {"userId": "u1"})
    assert err.value.status is None and err.value.retryable


def test_token_endpoint_down(app, platform, rsps):
    rsps.post(platform.token_url, status=503)
    with app.app_context(), pytest.raises(ServiceError) as err:
        PlatformServices(platform.registration_id).post_score("https://lms.example.org/li/1", {"userId": "u"})
    assert err.value.status == 503 and err.value.retryable


def test_scope_key_differs_per_scope_set(app, platform, rsps):
    call = _token(rsps, platform)
    rsps.get(MEMBERS, json={"members": []})
    rsps.post("https://lms.example.org/li/1/scores", status=204)
    with app.app_context():
        svc = PlatformServices(platform.registration_id)
        svc.roster(MEMBERS)
        svc.post_score("https://lms.example.org/li/1", {"userId": "u"})
    scopes = [c.request.body for c in call.calls]
    assert len(scopes) == 2 and SCOPE_SCORE.replace(":", "%3A").replace("/", "%2F") in scopes[1]


def test_query_parameters_are_encoded(app, platform, rsps):
    _token(rsps, platform)
    items = rsps.get("https://lms.example.org/api/course-1/lineitems", json=[{"id": "x", "label": "A"}])
    results = rsps.get("https://lms.example.org/li/7/results", json=[])
    with app.app_context():
        svc = PlatformServices(platform.registration_id)
        assert svc.lineitems("https://lms.example.org/api/course-1/lineitems", resource_link_id="a&b c") == [{"id": "x", "label": "A"}]
        svc.results("https://lms.example.org/li/7?type=4", user_id="u+1")
    assert items.calls[0].request.url.endswith("?resource_link_id=a%26b+c")
    assert results.calls[0].request.url.endswith("/li/7/results?type=4&user_id=u%2B1")
