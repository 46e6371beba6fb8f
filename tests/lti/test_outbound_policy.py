"""SSRF: service URLs from launch claims, rel="next" links, redirects and key sets are fetched
only on the registration's hosts, over https, from public addresses, size-capped."""

from __future__ import annotations

import pytest
import responses

from lti_tool.lti import PlatformServices, ServiceError
from lti_tool.lti.http import OutboundRefused, guarded_session, same_origin_as

MEMBERS = "https://lms.example.org/api/course-1/memberships"


@pytest.fixture
def token(rsps, platform):
    return rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})


@pytest.fixture
def production(app):
    """ERBIJ_ALLOW_LOOPBACK off, as in production."""
    before = app.config["ERBIJ_ALLOW_LOOPBACK"]
    app.config["ERBIJ_ALLOW_LOOPBACK"] = False
    yield
    app.config["ERBIJ_ALLOW_LOOPBACK"] = before


def _members(next_url=None):
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return {"json": {"members": [{"user_id": "u1", "roles": ["Learner"]}]}, "headers": headers}


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/api/memberships",  # another host
        "https://lms.example.org.attacker.example/x",  # a look-alike suffix
        "http://lms.example.org/api/course-1/memberships",  # http to a real platform
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "file:///etc/passwd",
        "https://user:pw@lms.example.org/api",
    ],
)
def test_nrps_url_from_a_claim_off_the_platform_is_never_fetched(app, platform, rsps, token, url):
    with app.app_context():
        with pytest.raises(ServiceError) as err:
            PlatformServices(platform.registration_id).roster(url)
    assert err.value.refused and not err.value.retryable
    assert not [c for c in rsps.calls if "memberships" in c.request.url or "attacker" in c.request.url]


def test_a_next_page_on_another_host_is_not_followed(app, platform, rsps, token):
    rsps.get(MEMBERS, **_members("https://attacker.example/steal?page=2"))
    with app.app_context():
        with pytest.raises(ServiceError) as err:
            PlatformServices(platform.registration_id).roster(MEMBERS)
    assert err.value.refused
    assert [c.request.url for c in rsps.calls if "attacker" in c.request.url] == []


def test_redirects_stay_on_the_platform(app, platform, rsps, token):
    rsps.get(MEMBERS, status=302, headers={"Location": "/api/course-1/memberships-moved"})
    rsps.get(MEMBERS + "-moved", **_members())
    with app.app_context():
        assert [m.user_id for m in PlatformServices(platform.registration_id).roster(MEMBERS)] == ["u1"]

    rsps.get(MEMBERS + "-2", status=302, headers={"Location": "https://attacker.example/x"})
    with app.app_context():
        with pytest.raises(ServiceError) as err:
            PlatformServices(platform.registration_id).roster(MEMBERS + "-2")
    assert err.value.refused


def test_oversized_answers_are_refused(app, platform, rsps, token):
    app.config["ERBIJ_MAX_RESPONSE_BYTES"] = 10_000
    try:
        rsps.get(MEMBERS, body=b"[" + b" " * 20_000 + b"]", content_type="application/json")
        with app.app_context():
            with pytest.raises(ServiceError) as err:
                PlatformServices(platform.registration_id).roster(MEMBERS)
        assert err.value.refused
    finally:
        app.config["ERBIJ_MAX_RESPONSE_BYTES"] = 2 * 1024 * 1024


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.5", "192.168.1.10", "[::1]", "169.254.169.254", "0.0.0.0"])
def test_private_and_loopback_addresses_are_refused_in_production(app, production, host):
    with app.test_request_context():
        session = guarded_session(same_origin_as(f"https://{host}"))
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.get(f"https://{host}/x", body="secret")
            with pytest.raises(OutboundRefused):
                session.get(f"https://{host}/x")
            assert len(mock.calls) == 0


def test_http_is_refused_in_production_even_on_the_platform_origin(app, production):
    with app.test_request_context():
        session = guarded_session(same_origin_as("http://localhost:5001"))
        with pytest.raises(OutboundRefused):
            session.get("http://localhost:5001/.well-known/openid-configuration")


def test_platform_key_set_on_a_private_address_refuses_the_launch(app, platform, production):
    from lti_tool.lti.errors import LaunchRefused
    from lti_tool.lti.launch_cache import RegistrationInfo
    from lti_tool.lti.platform_keys import find_platform_key

    reg = RegistrationInfo(987, "https://10.1.2.3", "c", "https://10.1.2.3/auth", "https://10.1.2.3/token", None, "https://10.1.2.3/jwks", True)
    with app.test_request_context():
        with pytest.raises(LaunchRefused) as err:
            find_platform_key(reg, "kid-1")
    assert err.value.code == "platform_keys_unavailable"
