"""Launches: the happy paths and every refusal, each a translated 4xx page, never a 500."""

from __future__ import annotations

import dataclasses
import logging
import re
import time

import pytest

from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.models import Course, LaunchSession, Membership, ResourceLink, User

from ..platform import BASE_URL, LTI, ROLE_INST_ADMIN, ROLE_LEARNER, FakePlatform, landed_at, start_login
from ..statements import StatementLog


def error_code(resp) -> str | None:
    m = re.search(r'data-error-code="([^"]+)"', resp.get_data(as_text=True))
    return m.group(1) if m else None


def post_launch(client, platform, *, step=None, mutate=None, sign_kwargs=None, user="teacher-1", role="instructor", **claims_kw):
    step = step or start_login(client, platform, login_hint=user)
    c = platform.claims(nonce=step.nonce, user=user, role=role, **claims_kw)
    if mutate:
        mutate(c)
    token = platform.sign(c, **(sign_kwargs or {}))
    return client.post("/lti/launch", data={"id_token": token, "state": step.state}), token, step


def state_cookie(step) -> tuple[str, str]:
    """The state cookie a login set (name, value): the random id inside the signed state."""
    from itsdangerous import URLSafeTimedSerializer

    sid = URLSafeTimedSerializer("test-secret", salt="erbij-oidc-state").loads(step.state)["i"]
    return f"erbij_st_{sid}", sid


# ------------------------------------------------------------------ happy paths
def test_instructor_launch_records_course_user_and_role(app, launch):
    result = launch("instructor", user="teacher-1", activity=None, name="Anouk de Vries")
    page = result.response.get_data(as_text=True)
    assert result.response.status_code == 200
    assert "Nederlands 2" in page and "Anouk de Vries" in page  # header: course and user
    assert 'lang="nl"' in page
    with app.app_context():
        session = db.session.get(LaunchSession, result.lid)
        assert session.role == "instructor"
        ms = db.session.execute(db.select(Membership)).scalar_one()
        assert ms.role == "instructor"
        assert db.session.get(Course, session.course_id).context_id == "course-1"


def test_learner_launch_of_unconfigured_link_says_not_set_up(launch):
    result = launch("learner", activity=None, locale="en-GB")
    page = result.response.get_data(as_text=True)
    assert result.response.status_code == 200
    assert "Not set up yet" in page and 'lang="en"' in page


def test_the_launch_address_leads_straight_to_its_page(client, launch):
    """/l/<lid>/ (a reload, a link made before the fast path) redirects once, to the page
    the launch landed on: not to the activity's entry and from there on."""
    learner = launch("learner", user="s21")
    resp = client.get(f"/l/{learner.lid}/")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/l/{learner.lid}/checkin/week"
    teacher = launch("instructor", user="t21")
    resp = client.get(f"/l/{teacher.lid}/")
    assert resp.status_code == 302 and resp.headers["Location"].startswith(f"/l/{teacher.lid}/checkin/dashboard")


def test_instructor_chooses_activity_once_for_unconfigured_link(app, client, launch):
    result = launch("instructor", activity=None)
    page = result.response.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post(f"/l/{result.lid}/setup", data={"activity": "feedback", "csrf_token": token})
    assert resp.status_code == 302
    from lti_tool.models import ResourceLink

    with app.app_context():
        assert db.session.execute(db.select(ResourceLink)).scalar_one().activity == "feedback"


def test_names_missing_like_moodle_privacy_settings(app, launch):
    result = launch("learner", activity=None, user="4711", name="")
    assert result.response.status_code == 200
    assert "User 4711" in result.response.get_data(as_text=True) or "Gebruiker 4711" in result.response.get_data(as_text=True)


@pytest.mark.parametrize(
    "roles, expected",
    [
        ([ROLE_INST_ADMIN, ROLE_LEARNER], "learner"),  # Canvas: institution role next to the course role
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor", ROLE_INST_ADMIN], "instructor"),
        ([ROLE_INST_ADMIN], "other"),  # no course role: no course access
        (["Instructor"], "instructor"),  # short names
        (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"], "instructor"),
    ],
)
def test_roles_come_from_context_roles_first(app, client, platform, roles, expected):
    resp, _, _ = post_launch(client, platform, mutate=lambda c: c.__setitem__(LTI + "roles", roles))
    assert landed_at(resp)
    with app.app_context():
        assert db.session.execute(db.select(LaunchSession)).scalar_one().role == expected


# ------------------------------------------------------------------ refusals
REFUSAL_CASES = {
    "wrong aud": (lambda c: c.__setitem__("aud", "someone-else"), "wrong_audience", 401),
    "wrong iss": (lambda c: c.__setitem__("iss", "https://evil.example"), "wrong_issuer", 401),
    "azp mismatch": (lambda c: c.update(aud=["client-1", "other"], azp="other"), "wrong_audience", 401),
    "several aud without azp": (lambda c: c.update(aud=["client-1", "other"]), "wrong_audience", 401),
    "missing exp": (lambda c: c.pop("exp"), "token_expired", 401),
    "expired exp": (lambda c: c.update(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000), "token_expired", 401),
    "missing iat": (lambda c: c.pop("iat"), "token_time_invalid", 401),
    "iat far in the future": (lambda c: c.update(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200), "token_time_invalid", 401),
    "unknown deployment": (lambda c: c.__setitem__(LTI + "deployment_id", "dep-unknown"), "unknown_deployment", 403),
    "missing message_type": (lambda c: c.pop(LTI + "message_type"), "invalid_message", 400),
    "unsupported message_type": (lambda c: c.__setitem__(LTI + "message_type", "LtiStartProctoring"), "unsupported_message", 400),
    "missing version": (lambda c: c.pop(LTI + "version"), "invalid_message", 400),
    "wrong version": (lambda c: c.__setitem__(LTI + "version", "1.1"), "invalid_message", 400),
    "missing roles": (lambda c: c.pop(LTI + "roles"), "invalid_message", 400),
    "missing sub": (lambda c: c.pop("sub"), "invalid_message", 400),
    "missing resource_link": (lambda c: c.pop(LTI + "resource_link"), "invalid_message", 400),
    "missing context": (lambda c: c.pop(LTI + "context"), "invalid_message", 400),
    "target_link_uri on another host": (lambda c: c.__setitem__(LTI + "target_link_uri", "https://evil.example/lti/launch"), "target_link_not_ours", 400),
    "nonce differs": (lambda c: c.__setitem__("nonce", "not-the-login-nonce"), "nonce_mismatch", 401),
}


@pytest.mark.parametrize("case", sorted(REFUSAL_CASES))
def test_each_refusal_is_a_translated_4xx_page(app, client, platform, case, caplog):
    mutate, code, status = REFUSAL_CASES[case]
    caplog.set_level(logging.INFO)
    resp, token, _ = post_launch(client, platform, mutate=mutate)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert error_code(resp) == code
    page = resp.get_data(as_text=True)
    assert re.search(r"<code>[0-9a-f]{12}</code>", page)  # an error id to quote
    assert 'lang="' in page
    assert token not in caplog.text  # logged without the token
    assert f"code={code}" in caplog.text
    with app.app_context():
        assert db.session.execute(db.select(LaunchSession)).first() is None


def test_refusal_page_is_in_dutch_by_default(client, platform):
    resp, _, _ = post_launch(client, platform, mutate=lambda c: c.pop("exp"))
    page = resp.get_data(as_text=True)
    assert "Deze start is verlopen" in page and 'lang="nl"' in page


def test_refusal_page_follows_the_browser_language(client, platform):
    step = start_login(client, platform)
    c = platform.claims(nonce=step.nonce)
    c.pop("exp")
    resp = client.post("/lti/launch", data={"id_token": platform.sign(c), "state": step.state}, headers={"Accept-Language": "en-US,en"})
    assert "This launch has expired" in resp.get_data(as_text=True)


def test_alg_none_is_refused(client, platform):
    resp, _, _ = post_launch(client, platform, sign_kwargs={"alg": "none"})
    assert resp.status_code == 401 and error_code(resp) == "bad_signature"


def test_hs256_with_public_key_is_refused(client, platform):
    import jwt as pyjwt

    step = start_login(client, platform)
    token = pyjwt.encode(platform.claims(nonce=step.nonce), "secret-guess", algorithm="HS256", headers={"kid": platform.kid})
    resp = client.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert resp.status_code == 401 and error_code(resp) == "bad_signature"


def test_bad_signature_is_refused(client, platform):
    from ..platform import _rsa_key

    resp, _, _ = post_launch(client, platform, sign_kwargs={"key": _rsa_key("attacker")})
    assert resp.status_code == 401 and error_code(resp) == "bad_signature"


def test_tampered_payload_is_refused(client, platform):
    step = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=step.nonce))
    head, body, sig = token.split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims[LTI + "roles"] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    claims["sub"] = "someone-else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    resp = client.post("/lti/launch", data={"id_token": f"{head}.{forged}.{sig}", "state": step.state})
    assert resp.status_code == 401 and error_code(resp) == "bad_signature"


def test_malformed_token_is_a_400_not_a_500(client, platform):
    step = start_login(client, platform)
    for garbage in ("abc", "a.b.c", "e30.e30.", "x" * 5000):
        resp = client.post("/lti/launch", data={"id_token": garbage, "state": step.state})
        assert resp.status_code in (400, 401), (garbage[:10], resp.status_code)
        assert error_code(resp) in ("malformed_token", "unknown_key", "bad_signature", "nonce_mismatch")


def test_replayed_id_token_is_refused(client, platform):
    resp, token, step = post_launch(client, platform)
    assert landed_at(resp)
    # Without the state cookie (deleted after the launch) the replay fails at the state…
    again = client.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert again.status_code == 401 and error_code(again) == "state_mismatch"
    # …and a replayer who kept a copy of the cookie is stopped by the consumed nonce.
    name, value = state_cookie(step)
    client.set_cookie(name, value, path="/lti/")
    again = client.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert again.status_code == 401 and error_code(again) == "replayed"


def test_replay_is_refused_by_another_worker(app, client, platform):
    """A second app instance (another gunicorn worker) on the same database refuses the replay."""
    resp, token, step = post_launch(client, platform)
    assert landed_at(resp)
    other_worker = create_app({**{k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "ERBIJ_BASE_URL", "SQLALCHEMY_ENGINE_OPTIONS")}, "TESTING": True, "CACHE_TYPE": "SimpleCache"})
    other = other_worker.test_client()
    other.environ_base["wsgi.url_scheme"] = "https"
    # The attacker has the state cookie too (same browser, replaying its own launch).
    other.set_cookie(*state_cookie(step), path="/lti/")  # a replayer's copy
    again = other.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert again.status_code == 401 and error_code(again) == "replayed"
    with other_worker.app_context():
        db.engine.dispose()


def test_unknown_kid_refetches_once_then_refuses(client, platform, rsps):
    assert landed_at(post_launch(client, platform)[0])  # the key set is now cached
    resp, _, _ = post_launch(client, platform, sign_kwargs={"kid": "never-published"})
    assert resp.status_code == 401 and error_code(resp) == "unknown_key"
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) == 2  # cached set + one refetch


def test_rotated_platform_key_is_found_by_refetch(client, platform, rsps):
    from ..platform import _rsa_key

    assert landed_at(post_launch(client, platform)[0])  # caches the key set (max-age=300)
    new_key = _rsa_key("platform-a-rotated")
    rsps.replace("GET", platform.jwks_url, json=platform.jwks(kid="rotated", key=new_key), headers={"Cache-Control": "max-age=300"})
    resp, _, _ = post_launch(client, platform, sign_kwargs={"kid": "rotated", "key": new_key})
    assert landed_at(resp)


def test_jwks_no_cache_is_kept_only_a_minute(client, app, platform, rsps):
    """no-cache would let every launch (or every forged token) fetch the key set: a minute at least."""
    from lti_tool.extensions import cache
    from lti_tool.lti.platform_keys import MIN_TTL, _local

    rsps.replace("GET", platform.jwks_url, json=platform.jwks(), headers={"Cache-Control": "no-cache"})
    for _ in range(2):
        assert landed_at(post_launch(client, platform)[0])
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) == 1
    assert MIN_TTL == 60
    with app.app_context():  # a minute later
        cache.delete(f"platform-jwks:{platform.jwks_url}")
    _local.clear()
    assert landed_at(post_launch(client, platform)[0])
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) == 2


def test_jwks_cache_is_used_with_max_age(client, platform, rsps):
    for _ in range(3):
        assert landed_at(post_launch(client, platform)[0])
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) == 1


def test_platform_jwks_down_is_a_clear_refusal(client, platform, rsps):
    rsps.replace("GET", platform.jwks_url, status=503)
    resp, _, _ = post_launch(client, platform)
    assert resp.status_code == 401 and error_code(resp) == "platform_keys_unavailable"


def test_disabled_registration_is_refused_at_login_and_launch(app, client, platform):
    from lti_tool.lti.registrations import set_enabled

    step = start_login(client, platform)
    with app.app_context():
        set_enabled(platform.registration_id, False)
    resp, _, _ = post_launch(client, platform, step=step)
    assert resp.status_code == 403 and error_code(resp) == "unknown_platform"
    login = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "x", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id})
    assert login.status_code == 403 and error_code(login) == "unknown_platform"


def test_unknown_platform_at_login(client):
    resp = client.post("/lti/login", data={"iss": "https://nobody.example", "login_hint": "1", "target_link_uri": f"{BASE_URL}/lti/launch"})
    assert resp.status_code == 403 and error_code(resp) == "unknown_platform"


def test_login_with_missing_parameters(client, platform):
    resp = client.get("/lti/login", query_string={"iss": platform.issuer})
    assert resp.status_code == 400 and error_code(resp) == "missing_params"


def test_login_target_link_uri_on_another_host(client, platform):
    resp = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "1", "client_id": platform.client_id, "target_link_uri": "https://evil.example/lti/launch"})
    assert resp.status_code == 400 and error_code(resp) == "target_link_not_ours"


def test_login_sends_a_proper_oidc_request(client, platform):
    step = start_login(client, platform)
    q = step.auth_query
    assert q["scope"] == "openid" and q["response_type"] == "id_token" and q["response_mode"] == "form_post"
    assert q["prompt"] == "none" and q["client_id"] == platform.client_id
    assert q["redirect_uri"] == f"{BASE_URL}/lti/launch" and q["lti_message_hint"].startswith("hint-")


def test_state_from_another_browser_is_refused(client, new_browser, platform):
    step = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=step.nonce))
    resp = new_browser().post("/lti/launch", data={"id_token": token, "state": step.state})
    assert resp.status_code == 401 and error_code(resp) == "state_mismatch"


def test_unknown_state_is_refused(client, platform):
    resp = client.post("/lti/launch", data={"id_token": "a.b.c", "state": "made-up"})
    assert resp.status_code == 400 and error_code(resp) == "state_not_found"


def test_expired_state_is_refused(app, client, platform, monkeypatch):
    step = start_login(client, platform)
    later = time.time() + 11 * 60  # the state lives ten minutes
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    resp, _, _ = post_launch(client, platform, step=step)
    assert resp.status_code == 400 and error_code(resp) == "state_not_found"


def test_altered_state_is_refused(client, platform):
    step = start_login(client, platform)
    forged = step.state[:-3] + ("AAA" if not step.state.endswith("AAA") else "BBB")
    resp, _, _ = post_launch(client, platform, step=dataclasses.replace(step, state=forged))
    assert resp.status_code == 400 and error_code(resp) == "state_not_found"


def test_missing_id_token(client, platform):
    step = start_login(client, platform)
    resp = client.post("/lti/launch", data={"state": step.state})
    assert resp.status_code == 400 and error_code(resp) == "missing_params"


# ------------------------------------------------------------------ no third-party cookies
def test_login_without_cookies_offers_a_new_window(client, platform):
    resp = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "teacher-1", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id, "lti_message_hint": "m1"})
    client._cookies.clear()  # the browser dropped the state cookie
    page = client.get(resp.headers["Location"])
    assert page.status_code == 403 and error_code(page) == "cookies_blocked"
    link = re.search(r'href="([^"]+)" target="_blank"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    # The new window starts the login again, first-party, with the same parameters.
    again = client.get(link)
    assert again.status_code == 302
    assert client.get(again.headers["Location"]).headers["Location"].startswith(platform.auth_url)


def storage_login(client, platform, user="teacher-1"):
    """A login with Platform Storage; returns (secret put into storage, state, nonce)."""
    from urllib.parse import parse_qs, urlsplit

    data = {"iss": platform.issuer, "login_hint": user, "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id, "lti_storage_target": "_parent"}
    page = client.post("/lti/login", data=data).get_data(as_text=True)
    secret = re.search(r'data-value="([^"]+)"', page).group(1)
    key = re.search(r'data-key="([^"]+)"', page).group(1)
    auth = re.search(r'data-next="([^"]+)"', page).group(1).replace("&amp;", "&")
    q = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
    return secret, key, q["state"], q["nonce"]


OURS = {"Origin": BASE_URL, "Sec-Fetch-Site": "same-origin"}  # what Erbij's own storage page sends


def test_platform_storage_binds_state_without_cookies(app, client, platform):
    secret, key, state, nonce = storage_login(client, platform)
    client._cookies.clear()  # no cookies at all in this iframe
    token = platform.sign(platform.claims(nonce=nonce))
    first = client.post("/lti/launch", data={"id_token": token, "state": state}, headers={"Origin": platform.issuer})
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert 'data-mode="get"' in html and f'data-key="{key}"' in html
    wrong = client.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": "guess"}, headers=OURS)
    assert wrong.status_code == 401 and error_code(wrong) == "state_mismatch"


def test_platform_storage_round_trip_hands_over_to_a_new_window(app, client, new_browser, platform):
    """No cookie came back, so the session cookie is known missing: only now a hand-off
    token is made — single use, and not in any URL of a launch whose cookies work."""
    secret, _, state, nonce = storage_login(client, platform)
    client._cookies.clear()
    token = platform.sign(platform.claims(nonce=nonce, activity=None))
    page = client.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": secret}, headers=OURS)
    assert page.status_code == 403 and error_code(page) == "cookies_blocked"
    link = re.search(r'href="([^"]+)" target="_blank"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert link.startswith("/lti/handoff?t=")
    window = new_browser()
    opened = window.get(link, follow_redirects=True)
    text = opened.get_data(as_text=True)
    assert opened.status_code == 200 and ("Set up this activity" in text or "Deze activiteit instellen" in text)
    again = new_browser().get(link)
    assert again.status_code == 400 and error_code(again) == "handoff_invalid"


def test_a_new_window_goes_straight_to_the_activitys_page(app, client, new_browser, platform):
    """The hand-off redirects to the page the launch lands on (the student's check-in form),
    not to the activity's entry and from there on; that entry still leads to the same page."""
    secret, _, state, nonce = storage_login(client, platform, user="s11")
    client._cookies.clear()
    token = platform.sign(platform.claims(nonce=nonce, user="s11", role="learner"))
    page = client.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": secret}, headers=OURS)
    link = re.search(r'href="([^"]+)" target="_blank"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    window = new_browser()
    opened = window.get(link)
    assert opened.status_code == 302 and opened.headers["Location"].endswith("/checkin/week"), opened.headers.get("Location")
    form = window.get(opened.headers["Location"])
    assert form.status_code == 200 and 'class="checkin-form"' in form.get_data(as_text=True)
    entry = window.get(opened.headers["Location"].removesuffix("week"))
    assert entry.status_code == 302 and entry.headers["Location"] == opened.headers["Location"]


def test_handoff_token_is_short_lived(app, client, new_browser, platform, monkeypatch):
    secret, _, state, nonce = storage_login(client, platform)
    client._cookies.clear()
    token = platform.sign(platform.claims(nonce=nonce, activity=None))
    page = client.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": secret}, headers=OURS)
    link = re.search(r'href="([^"]+)" target="_blank"', page.get_data(as_text=True)).group(1).replace("&amp;", "&")
    from datetime import timedelta

    from lti_tool import timeutil

    later = timeutil.utcnow() + timedelta(minutes=3)
    monkeypatch.setattr("lti_tool.lti.context.utcnow", lambda: later)
    late = new_browser().get(link)
    assert late.status_code == 400 and error_code(late) == "handoff_invalid"


def test_no_handoff_token_when_cookies_work(client, platform, rsps):
    """A launch whose cookies work carries no hand-off token anywhere and makes none."""
    resp, _, _ = post_launch(client, platform)
    assert landed_at(resp) and "?" not in landed_at(resp) and "/lti/handoff" not in resp.get_data(as_text=True)
    from lti_tool.models import HandoffToken

    with client.application.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(HandoffToken)).scalar() == 0


def test_login_csrf_through_platform_storage_is_refused(app, client, new_browser, platform):
    """The attack: the attacker logs in with Platform Storage in their own browser, gets
    their own id_token from the LMS, and makes a victim's browser post id_token + state +
    storage secret to /lti/launch (an auto-submitting form on the attacker's site). The
    victim must not end up in the attacker's launch."""
    secret, _, state, nonce = storage_login(client, platform, user="attacker")
    token = platform.sign(platform.claims(nonce=nonce, user="attacker", activity=None))
    victim = new_browser()
    for headers in ({"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"}, {}, {"Origin": "null"}):
        resp = victim.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": secret}, headers=headers)
        assert resp.status_code == 401 and error_code(resp) == "state_mismatch", headers
        assert bound_launches(app, resp) == []
        assert "handoff" not in resp.get_data(as_text=True)
    # Without a secret the victim gets Erbij's storage page, which reads *the victim's*
    # platform storage: it holds no secret for the attacker's state, so that fails too.
    page = victim.post("/lti/launch", data={"id_token": token, "state": state}, headers={"Origin": "https://attacker.example"})
    assert page.status_code == 200 and 'data-mode="get"' in page.get_data(as_text=True)
    empty = victim.post("/lti/launch", data={"id_token": token, "state": state, "storage_secret": ""}, headers=OURS)
    assert empty.status_code == 401 and error_code(empty) == "state_mismatch"
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(LaunchSession)).scalar() == 0


def bound_launches(app, resp) -> list:
    """The launches the session cookie set by `resp` binds the browser to."""
    for header in resp.headers.getlist("Set-Cookie"):
        if header.startswith("erbij_session="):
            value = header.split(";", 1)[0].split("=", 1)[1]
            return app.session_interface.get_signing_serializer(app).loads(value).get("lids", [])
    return []


def test_launch_without_cookie_or_storage_binds_nobody(client, new_browser, platform):
    """A launch never binds a browser that did not start its login."""
    step = start_login(client, platform)
    token = platform.sign(platform.claims(nonce=step.nonce))
    resp = new_browser().post("/lti/launch", data={"id_token": token, "state": step.state})
    assert resp.status_code == 401 and error_code(resp) == "state_mismatch"
    assert bound_launches(client.application, resp) == []


def test_state_cookie_is_partitioned_secure_samesite_none(client, platform):
    resp = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "t", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id})
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "SameSite=None" in cookie and "Partitioned" in cookie and "HttpOnly" in cookie


def test_session_cookie_is_partitioned_secure_samesite_none(client, platform):
    resp, _, _ = post_launch(client, platform)
    cookies = resp.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("erbij_session="))
    assert "Secure" in session_cookie and "SameSite=None" in session_cookie and "Partitioned" in session_cookie


# ------------------------------------------------------------------ launch context and isolation
def test_launch_url_in_another_browser_shows_nothing(launch, new_browser):
    result = launch("instructor", activity=None)
    resp = new_browser().get(f"/l/{result.lid}/")
    assert resp.status_code == 401 and error_code(resp) == "session_expired"
    assert "Nederlands 2" not in resp.get_data(as_text=True)


def test_two_tabs_keep_their_own_launch(client, launch):
    a = launch("instructor", course="course-a", course_title="Course A", activity=None)
    b = launch("instructor", course="course-b", course_title="Course B", activity=None)
    assert "Course A" in client.get(f"/l/{a.lid}/").get_data(as_text=True)
    assert "Course B" in client.get(f"/l/{b.lid}/").get_data(as_text=True)


def test_expired_launch_session(app, client, launch):
    result = launch("instructor", activity=None)
    with app.app_context():
        row = db.session.get(LaunchSession, result.lid)
        row.expires_at = row.created_at.replace(year=2000)
        db.session.commit()
    resp = client.get(f"/l/{result.lid}/")
    assert resp.status_code == 401 and error_code(resp) == "session_expired"


def test_same_context_id_on_two_platforms_are_two_courses(app, client, launch, rsps):
    other = FakePlatform(issuer="https://other-lms.example", client_id="client-x", key_name="platform-b")
    other.register(app)
    other.serve_jwks(rsps)
    a = launch("instructor", course="shared-id", activity=None)
    b = launch("instructor", course="shared-id", activity=None, plat=other)
    with app.app_context():
        ca = db.session.get(LaunchSession, a.lid).course_id
        cb = db.session.get(LaunchSession, b.lid).course_id
        assert ca != cb
        assert db.session.execute(db.select(db.func.count()).select_from(Course)).scalar() == 2
        assert db.session.execute(db.select(db.func.count()).select_from(User)).scalar() == 2


def test_many_client_ids_on_one_issuer(app, client, launch, rsps):
    """Every hosted Canvas shares one issuer: registrations are found by issuer + client_id."""
    school_b = FakePlatform(issuer="https://lms.example.org", client_id="client-2", key_name="platform-c", deployment_id="dep-b")
    school_b.register(app)
    school_b.serve_jwks(rsps)
    a = launch("instructor", activity=None)
    b = launch("instructor", activity=None, plat=school_b)
    with app.app_context():
        assert db.session.get(LaunchSession, a.lid).registration_id != db.session.get(LaunchSession, b.lid).registration_id


def test_language_switch_is_kept_for_the_launch(client, launch):
    result = launch("instructor", activity=None, locale="nl")
    page = result.response.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post(f"/l/{result.lid}/language", data={"lang": "en", "csrf_token": token, "next": "https://evil.example/"})
    assert resp.headers["Location"].endswith(f"/l/{result.lid}/")  # never an open redirect
    assert 'lang="en"' in client.get(f"/l/{result.lid}/").get_data(as_text=True)


def test_forms_need_a_csrf_token(client, launch):
    result = launch("instructor", activity=None)
    resp = client.post(f"/l/{result.lid}/setup", data={"activity": "checkin"})
    assert resp.status_code == 400 and "csrf" not in resp.get_data(as_text=True).lower()[:0]


def test_concurrent_first_launches_of_a_course(app, platform, new_browser):
    """Many students open a new course at once: one course row, no error for anyone."""
    import concurrent.futures
    import threading

    barrier = threading.Barrier(6)

    def one(i):
        b = new_browser()
        step = start_login(b, platform, login_hint=f"student-{i}")
        token = platform.sign(platform.claims(nonce=step.nonce, role="learner", user=f"student-{i}", course="new-course", link="new-link"))
        barrier.wait()
        return bool(landed_at(b.post("/lti/launch", data={"id_token": token, "state": step.state})))

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(one, range(6)))
    assert statuses == [True] * 6
    from lti_tool.models import ResourceLink

    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Course)).scalar() == 1
        assert db.session.execute(db.select(db.func.count()).select_from(ResourceLink)).scalar() == 1
        assert db.session.execute(db.select(db.func.count()).select_from(LaunchSession)).scalar() == 6


def test_unexpected_error_is_a_friendly_500_in_the_launch_language(app, client, launch, caplog):
    result = launch("instructor", activity=None, locale="en")
    original = app.view_functions["lti.entry"]

    def broken():
        raise RuntimeError("database exploded")

    app.view_functions["lti.entry"] = broken
    try:
        resp = client.get(f"/l/{result.lid}/")
    finally:
        app.view_functions["lti.entry"] = original
    page = resp.get_data(as_text=True)
    assert resp.status_code == 500
    assert "Something went wrong on our side" in page and 'lang="en"' in page
    assert "Nederlands 2" in page  # still inside the course's header
    assert "database exploded" not in page and "Traceback" not in page
    assert re.search(r"<code>[0-9a-f]{12}</code>", page)
    assert "database exploded" in caplog.text  # the log has it, with the error id


# ------------------------------------------------------------------ the fast path, counted
def _browse_launch(app, browser, platform, user: str, counter: StatementLog, **claims_kw):
    """A launch as a browser makes it, counting the requests that reach Erbij. The LMS's
    part (its auth endpoint answering with the form post) happens outside Erbij."""
    from urllib.parse import parse_qs, urlsplit

    requests_to_erbij = []

    def erbij(method, url, **kw):
        requests_to_erbij.append(f"{method} {url.split('?')[0]}")
        return browser.open(url, method=method, **kw)

    data = {"iss": platform.issuer, "login_hint": user, "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id, "lti_message_hint": "m"}
    with counter:
        resp = erbij("POST", "/lti/login", data=data)
        while resp.status_code == 302 and resp.headers["Location"].startswith("/lti/"):
            resp = erbij("GET", resp.headers["Location"])
        auth = resp.headers["Location"]
        assert auth.startswith(platform.auth_url), auth
        q = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
        token = platform.sign(platform.claims(nonce=q["nonce"], user=user, **claims_kw))
        resp = erbij("POST", "/lti/launch", data={"id_token": token, "state": q["state"]})
        while resp.status_code == 302:
            resp = erbij("GET", resp.headers["Location"])
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return requests_to_erbij, counter.statements[:], resp


def _assert_every_pooled_connection_commits_synchronously(app) -> None:
    from sqlalchemy import text

    with app.app_context():
        engine = db.engine
        held = [engine.connect() for _ in range(max(1, engine.pool.checkedin()))]
        try:
            settings = [c.execute(text("SHOW synchronous_commit")).scalar() for c in held]
        finally:
            for c in held:
                c.close()
    assert settings and set(settings) == {"on"}, settings


def test_launch_fast_path_counts_requests_and_statements(app, client, platform, monkeypatch):
    """login → LMS → launch, whose response is the activity's page: two requests to Erbij
    once this browser has kept a cookie of ours; 1 SQL statement over both on PostgreSQL and
    2 on SQLite (at most 8 asked), 1 of them a write (the launch session stored, which spends
    the nonce), for a returning user whose name, role and titles are unchanged."""
    # The very first launch in a browser: one round trip checks that cookies stick,
    # before the LMS spends its login (so that a new window can still start over).
    counter = StatementLog(app)
    hops, statements, page = _browse_launch(app, client, platform, "student-1", counter, role="learner")
    assert hops == ["POST /lti/login", "GET /lti/login/continue", "POST /lti/launch"], hops
    assert landed_at(page).endswith("/checkin/week") and 'class="checkin-form"' in page.get_data(as_text=True)
    first_user = statements
    # A user, course, membership and link created (each in a savepoint for the race), the
    # registration and deployment read once into the cache, expired rows purged once.
    assert len(first_user) <= 30, first_user
    # Rows created: the launch's writes are one transaction (they stand or fall together).
    held = dict(zip(first_user, counter.in_transaction, strict=True))
    created = [st for st in first_user if st.startswith(("INSERT INTO users", "INSERT INTO courses", "INSERT INTO launch_sessions"))]
    assert len(created) == 3 and all(held[st] for st in created), held

    # Another student in the same course, from a browser that kept our cookie: 2 requests.
    counter = StatementLog(app)
    hops, statements, page = _browse_launch(app, client, platform, "student-2", counter, role="learner")
    assert hops == ["POST /lti/login", "POST /lti/launch"], hops

    # A returning student: 2 requests, 1 statement on PostgreSQL (their rows and what their
    # page shows read, and the launch session stored, in one) and 2 on SQLite (the read, then
    # the INSERT; the issue allows 8), 1 write.
    from psycopg import _queries

    converted_anew = []  # psycopg_tuning.py: no statement's text is converted anew by psycopg
    original = _queries._query2pg_nocache
    monkeypatch.setattr(_queries, "_query2pg_nocache", lambda *a: converted_anew.append(a[0][:80]) or original(*a))
    counter = StatementLog(app)
    hops, statements, page = _browse_launch(app, client, platform, "student-1", counter, role="learner")
    assert converted_anew == [], converted_anew
    assert hops == ["POST /lti/login", "POST /lti/launch"], hops
    address = landed_at(page)
    assert address.endswith("/checkin/week") and "?" not in address
    on_postgresql = app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert len(statements) == (1 if on_postgresql else 2), statements
    writes = counter.writes
    assert len(writes) == 1, writes
    assert "INSERT INTO launch_sessions" in writes[0]  # which spends the nonce
    assert not any(s.startswith("UPDATE") for s in statements), statements  # nothing changed: no upsert
    # Each statement on its own: no transaction held open, so no BEGIN and COMMIT round trips.
    assert counter.in_transaction == [False] * len(statements), list(zip(statements, counter.in_transaction, strict=True))
    if on_postgresql:
        # The launch session is committed without waiting for the disk, for that statement's
        # own transaction only (is_local): no connection keeps the setting for what follows.
        assert "set_config(" in statements[0], statements[0]
        _assert_every_pooled_connection_commits_synchronously(app)
    # The page names its own address for the address bar; a reload there shows it again.
    html = page.get_data(as_text=True)
    assert f'<meta name="erbij-page-url" content="{address}">' in html and "/static/js/page-url.js" in html
    again = client.get(address)
    assert again.status_code == 200 and 'class="checkin-form"' in again.get_data(as_text=True)
    assert "erbij-page-url" not in again.get_data(as_text=True)  # a page at its own address needs no script
    print(f"\nreturning student: {len(statements)} statements for login + launch (with its page); first launch of a user: {len(first_user)}")


M = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize(
    "roles, expected",
    [
        ([f"{M}#Instructor"], "instructor"),
        ([f"{M}#Learner"], "learner"),
        ([f"{M}/Instructor#TeachingAssistant"], "instructor"),
        ([f"{M}/Learner#Learner"], "learner"),
        (["Instructor"], "instructor"),
        (["Learner"], "learner"),
        (["urn:lti:role:ims/lis/Instructor"], "instructor"),
        (["urn:lti:role:ims/lis/TeachingAssistant"], "instructor"),
        (["TeachingAssistant"], "instructor"),
        # Not an instructor: a path is not a sub-role, and near misses are no role at all.
        ([f"{M}/Learner/Instructor"], "other"),
        ([f"{M}/Learner/Instructor", f"{M}#Learner"], "learner"),
        ([f"{M}#Instructor/x"], "other"),
        ([f"{M}#InstructorX"], "other"),
        ([f"{M}#instructor"], "other"),
        (["https://evil.example/membership#Instructor"], "other"),
        ([f"{M}x#Instructor"], "other"),
        ([f"{M}/Instructor"], "other"),
        ([f"{M}/Instructor#"], "other"),
        (["Instructor#TeachingAssistant"], "other"),
        # Institution and system roles never grant a course role.
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], "other"),
        (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"], "other"),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], "other"),
        (["urn:lti:instrole:ims/lis/Instructor"], "other"),
        ([f"{M}#Mentor"], "other"),
        ([f"{M}#Administrator", f"{M}#Learner"], "learner"),
        ([f"{M}#Learner", f"{M}#Instructor"], "instructor"),
        ([], "other"),
        ([None, 3, f"{M}#Learner"], "learner"),
    ],
)
def test_roles_are_parsed_exactly(roles, expected):
    from lti_tool.lti.roles import erbij_role

    assert erbij_role(roles) == expected


def test_changed_name_is_written_unchanged_is_not(app, client, platform):
    """Upserts only when a name, role or title changed."""
    assert landed_at(post_launch(client, platform, user="s9", role="learner", name="Sam Jansen")[0])
    with StatementLog(app) as counter:
        assert landed_at(post_launch(client, platform, user="s9", role="learner", name="Sam Jansen")[0])
    assert not any(s.startswith("UPDATE users") for s in counter.writes), counter.writes
    with StatementLog(app) as counter:
        assert landed_at(post_launch(client, platform, user="s9", role="learner", name="Sam de Jong")[0])
    assert any(s.startswith("UPDATE users") for s in counter.writes), counter.writes
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(sub="s9")).scalar_one().name == "Sam de Jong"


def test_rows_still_to_make_are_made_before_the_session_is_stored(app, client, platform):
    """On PostgreSQL one statement reads a returning user's rows and stores the launch
    session when they all exist. A known user in a new link, or one whose membership is
    gone, has rows still to make: the session is stored after them, and refers to them."""

    def sessions():
        with app.app_context():
            return db.session.execute(db.select(LaunchSession).order_by(LaunchSession.created_at, LaunchSession.id)).scalars().all()

    assert landed_at(post_launch(client, platform, user="s7", role="learner", link="link-1")[0])
    before = len(sessions())
    # The same user and course, a link not seen before.
    assert landed_at(post_launch(client, platform, user="s7", role="learner", link="link-2")[0])
    with app.app_context():
        link2 = db.session.execute(db.select(ResourceLink).filter_by(link_id="link-2")).scalar_one()
        user = db.session.execute(db.select(User).filter_by(sub="s7")).scalar_one()
        stored = [row for row in sessions() if row.resource_link_id == link2.id]
    assert len(sessions()) == before + 1 and len(stored) == 1 and stored[0].user_id == user.id
    # The membership removed (a roster sync, a privacy erase of the enrolment): made again.
    with app.app_context():
        db.session.execute(db.delete(LaunchSession))
        db.session.execute(db.delete(Membership).where(Membership.user_id == user.id))
        db.session.commit()
    resp, token, step = post_launch(client, platform, user="s7", role="learner", link="link-2")
    assert landed_at(resp)
    with app.app_context():
        assert db.session.execute(db.select(Membership).filter_by(user_id=user.id)).scalar_one().role == "learner"
        assert [(row.user_id, row.resource_link_id) for row in sessions()] == [(user.id, link2.id)]
    # Its replay, now that every row exists, is refused, and stores nothing.
    client.set_cookie(*state_cookie(step), path="/lti/")
    again = client.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert again.status_code == 401 and error_code(again) == "replayed"
    assert len(sessions()) == 1


def test_a_replay_with_changed_claims_writes_nothing(app, client, platform):
    """A replayed token is refused before any row is changed, whatever its claims say now
    (the name here was changed by a later launch)."""
    resp, token, step = post_launch(client, platform, user="s8", role="learner", name="Old Name")
    assert landed_at(resp)
    assert landed_at(post_launch(client, platform, user="s8", role="learner", name="New Name")[0])
    client.set_cookie(*state_cookie(step), path="/lti/")
    with StatementLog(app) as counter:
        again = client.post("/lti/launch", data={"id_token": token, "state": step.state})
    assert again.status_code == 401 and error_code(again) == "replayed"
    assert not any("UPDATE" in st.upper().split()[:1] for st in counter.statements), counter.statements
    with app.app_context():
        assert db.session.execute(db.select(User).filter_by(sub="s8")).scalar_one().name == "New Name"


# ------------------------------------------------------------------ bounded login state
def test_unauthenticated_logins_store_nothing(app, client, platform):
    """Anyone may call /lti/login as often as they like: it writes no row (the state is a
    signed token), so nothing grows; expired hand-off tokens are purged now and then."""
    from lti_tool.models import HandoffToken

    tables = [t for t in db.metadata.sorted_tables]
    with app.app_context():
        before = {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar() for t in tables}
    data = {"iss": platform.issuer, "login_hint": "x", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id}
    with StatementLog(app) as counter:
        for i in range(200):
            assert client.post("/lti/login", data={**data, "login_hint": f"x{i}"}).status_code == 302
    assert [s for s in counter.writes if not s.startswith("DELETE")] == []
    with app.app_context():
        after = {t.name: db.session.execute(db.select(db.func.count()).select_from(t)).scalar() for t in tables}
    assert after == before

    # Expired hand-off tokens are cleared by a later login (a spent nonce lives in its
    # launch session, which retention rolls up).
    from datetime import timedelta

    from lti_tool.extensions import cache
    from lti_tool.timeutil import utcnow

    assert landed_at(post_launch(client, platform)[0])
    with app.app_context():
        lid = db.session.execute(db.select(LaunchSession.id)).scalars().first()
        db.session.add(HandoffToken(token_hash="h" * 64, launch_id=lid, expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
        cache.delete("lti-purge")  # five minutes later
        from lti_tool.lti import login as login_module

        login_module._next_purge_ask[0] = 0.0  # ... so this process asks the shared cache again
    client.post("/lti/login", data=data)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(HandoffToken)).scalar() == 0


# ------------------------------------------------------------------ JWKS amplification
def test_forged_kids_do_not_make_us_fetch_on_every_request(client, platform, rsps):
    """Tokens with made-up kids: one refetch per registration per minute, and a kid found
    unknown is refused from memory; no nonce is spent on an unverified token."""
    assert landed_at(post_launch(client, platform)[0])  # the key set is cached
    fetches = lambda: sum(1 for c in rsps.calls if c.request.url == platform.jwks_url)  # noqa: E731
    assert fetches() == 1
    for i in range(20):
        resp, _, _ = post_launch(client, platform, sign_kwargs={"kid": f"forged-{i}"})
        assert resp.status_code == 401 and error_code(resp) == "unknown_key"
    assert fetches() == 2  # the first forged kid refetched once; the others waited for the minute
    resp, _, _ = post_launch(client, platform, sign_kwargs={"kid": "forged-0"})
    assert error_code(resp) == "unknown_key" and fetches() == 2  # remembered as unknown
    with client.application.app_context():  # a nonce is spent by a stored launch session
        assert db.session.execute(db.select(db.func.count()).select_from(LaunchSession)).scalar() == 1  # only the real launch


def test_bad_signature_spends_no_nonce(client, platform):
    from ..platform import _rsa_key

    step = start_login(client, platform)
    forged = platform.sign(platform.claims(nonce=step.nonce), key=_rsa_key("attacker"))
    resp = client.post("/lti/launch", data={"id_token": forged, "state": step.state})
    assert resp.status_code == 401 and error_code(resp) == "bad_signature"
    good = platform.sign(platform.claims(nonce=step.nonce))
    assert landed_at(client.post("/lti/launch", data={"id_token": good, "state": step.state}))


def test_a_refetch_per_minute_is_allowed_again(app, client, platform, rsps):
    from lti_tool.extensions import cache

    assert landed_at(post_launch(client, platform)[0])
    assert post_launch(client, platform, sign_kwargs={"kid": "a"})[0].status_code == 401
    with app.app_context():
        cache.delete(f"jwks-refetch:{platform.registration_id}")  # a minute later
    assert post_launch(client, platform, sign_kwargs={"kid": "b"})[0].status_code == 401
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) == 3


# ------------------------------------------------------------------ the launch cache
def test_registration_changes_reach_the_cache_at_once(app, client, platform):
    """Registrations and deployments are cached; a change (ORM or bulk) invalidates."""
    from lti_tool.models import Deployment, Registration

    assert landed_at(post_launch(client, platform)[0])
    with StatementLog(app) as counter:
        assert landed_at(post_launch(client, platform)[0])
    assert not any("FROM registrations" in s or "FROM deployments" in s for s in counter.statements), counter.statements
    with app.app_context():  # the admin switches the deployment off (a bulk UPDATE)
        db.session.execute(db.update(Deployment).values(enabled=False))
        db.session.commit()
    resp, _, _ = post_launch(client, platform)
    assert resp.status_code == 403 and error_code(resp) == "unknown_deployment"
    with app.app_context():
        db.session.execute(db.update(Deployment).values(enabled=True))
        reg = db.session.get(Registration, platform.registration_id)
        reg.enabled = False  # through the ORM
        db.session.commit()
    login = client.post("/lti/login", data={"iss": platform.issuer, "login_hint": "x", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id})
    assert login.status_code == 403 and error_code(login) == "unknown_platform"


def test_a_broken_cache_falls_back_to_the_database(app, client, platform, monkeypatch, rsps):
    """Redis down: launches still work (from the database), never a 500."""
    from lti_tool.extensions import cache

    assert landed_at(post_launch(client, platform)[0])

    def broken(*a, **k):
        raise ConnectionError("cache down")

    for name in ("get", "get_many", "set", "add", "delete"):
        monkeypatch.setattr(cache, name, broken)
    resp, _, _ = post_launch(client, platform, user="student-7", role="learner")
    assert landed_at(resp), resp.get_data(as_text=True)[:300]
    assert client.get(landed_at(resp)).status_code == 200
    # The refetch limit holds in this process while the cache is down.
    for i in range(5):
        assert error_code(post_launch(client, platform, sign_kwargs={"kid": f"x{i}"})[0]) == "unknown_key"
    assert sum(1 for c in rsps.calls if c.request.url == platform.jwks_url) <= 2


def test_returning_browser_skips_platform_storage_and_the_cookie_check(client, platform):
    """Once a cookie of ours came back in this browser, the login goes straight to the LMS,
    also where the LMS offers Platform Storage (Canvas, Brightspace)."""
    assert landed_at(post_launch(client, platform)[0])  # sets the "cookies work" cookie
    data = {"iss": platform.issuer, "login_hint": "teacher-1", "target_link_uri": f"{BASE_URL}/lti/launch", "client_id": platform.client_id, "lti_storage_target": "_parent"}
    resp = client.post("/lti/login", data=data)
    assert resp.status_code == 302 and resp.headers["Location"].startswith(platform.auth_url)
    fresh = client.application.test_client()
    fresh.environ_base["wsgi.url_scheme"] = "https"
    assert fresh.post("/lti/login", data=data).status_code == 200  # a new browser: the storage page
