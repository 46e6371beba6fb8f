"""Production shape: several gunicorn workers on PostgreSQL and Redis.

Launch state, consumed nonces and launch sessions live in the database, platform keys in
Redis: whichever worker a request lands on, a login started on one worker completes on
another, a replayed id_token is refused everywhere and a session works on every worker.
Skipped (with the reason) when PostgreSQL or Redis does not answer; CI has both.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ..platform import FakePlatform, JwksServer, landed_at
from ..ports import answers, free_port

ROOT = Path(__file__).resolve().parents[2]
PG = os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/15"


pytestmark = pytest.mark.skipif(
    not (answers(5432) and answers(6379)), reason="needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379"
)


STACK: dict[str, str] = {}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(PG)
    name = f"erbij_gunicorn_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = base.set(database=name).render_as_string(hide_password=False)

    platform = FakePlatform(issuer="http://127.0.0.1:1", key_name="platform-gunicorn")
    jwks = JwksServer(platform)
    platform.issuer = f"http://127.0.0.1:{jwks.port}"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": REDIS,
        "SECRET_KEY": "gunicorn-test-secret",
        "ERBIJ_BASE_URL": f"http://127.0.0.1:{port}",
        "ERBIJ_INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": "0",
        "ERBIJ_ALLOW_LOOPBACK": "1",  # the test platform is http on 127.0.0.1
    }
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    register = (
        "from lti_tool import create_app; from lti_tool.lti.registrations import upsert_registration;"
        "app = create_app();\nwith app.app_context():\n"
        f" upsert_registration(issuer={platform.issuer!r}, client_id={platform.client_id!r}, auth_login_url={platform.auth_url!r},"
        f" auth_token_url={platform.token_url!r}, key_set_url={platform.jwks_url.replace('/jwks/', '/jwks/')!r}, deployment_ids=[{platform.deployment_id!r}])"
    )
    subprocess.run([sys.executable, "-c", register], cwd=ROOT, env=env, check=True, capture_output=True)
    # Two instances, as behind a load balancer: same database, Redis, secret and public URL.
    second_port = free_port()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--bind",
                f"127.0.0.1:{p}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        for p, workers in ((port, 3), (second_port, 2))
    ]
    url = f"http://127.0.0.1:{port}"
    try:
        for check in (url, f"http://127.0.0.1:{second_port}"):
            for _ in range(100):
                try:
                    if requests.get(check + "/healthz", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.1)
            else:
                pytest.fail("gunicorn did not come up")
        STACK["second"] = f"http://127.0.0.1:{second_port}"
        yield platform, url
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait(timeout=20)
        jwks.server.shutdown()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Browser:
    """A cookie jar that, like Chromium, sends Secure cookies to http://127.0.0.1."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kw) -> requests.Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        resp = requests.request(
            method, path if path.startswith("http") else self.base + path, headers=headers, allow_redirects=False, timeout=10, **kw
        )
        for raw in resp.raw.headers.getlist("Set-Cookie"):
            k, v = raw.split(";", 1)[0].split("=", 1)
            if "Max-Age=0" in raw or "expires=Thu, 01 Jan 1970" in raw:
                self.cookies.pop(k, None)
            else:
                self.cookies[k] = v
        return resp


def _login(b: Browser, platform: FakePlatform, user: str):
    resp = b.request(
        "POST",
        "/lti/login",
        data={"iss": platform.issuer, "login_hint": user, "target_link_uri": b.base + "/lti/launch", "client_id": platform.client_id},
    )
    assert resp.status_code == 302, resp.text[:300]
    auth = b.request("GET", resp.headers["Location"]).headers["Location"]
    q = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
    return q["state"], q["nonce"]


def _launch(b: Browser, platform: FakePlatform, user: str):
    state, nonce = _login(b, platform, user)
    claims = platform.claims(nonce=nonce, user=user, activity=None)
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = b.base + "/lti/launch"
    token = platform.sign(claims)
    state_cookie = dict(b.cookies)
    resp = b.request("POST", "/lti/launch", data={"id_token": token, "state": state})
    return resp, token, state, state_cookie


def test_launches_across_workers_and_replays_refused_everywhere(stack):
    platform, url = stack

    def one(i: int):
        b = Browser(url)
        resp, token, state, cookies = _launch(b, platform, f"teacher-{i}")
        assert landed_at(resp), resp.text[:300]
        lid = re.search(r"/l/([^/]+)/", landed_at(resp)).group(1)
        assert b.request("GET", landed_at(resp)).status_code == 200
        # The session is honoured by every worker.
        pages = [b.request("GET", f"/l/{lid}/") for _ in range(6)]
        assert all(p.status_code == 200 for p in pages)
        # A replay, with a copy of the state cookie, is refused by every worker.
        replayer = Browser(url)
        replayer.cookies = cookies
        replays = [replayer.request("POST", "/lti/launch", data={"id_token": token, "state": state}) for _ in range(4)]
        assert all(r.status_code == 401 and 'data-error-code="replayed"' in r.text for r in replays)
        return True

    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        assert all(pool.map(one, range(12)))


def test_platform_keys_are_cached_in_redis(stack):
    import redis

    platform, url = stack
    b = Browser(url)
    assert landed_at(_launch(b, platform, "teacher-redis")[0])
    keys = redis.Redis.from_url(REDIS).keys("erbij:platform-jwks:*")
    assert keys, "the platform's key set should be in the shared Redis cache"


def test_login_on_one_instance_launch_on_the_other(stack):
    """Stateless instances: the OIDC state, nonce and session work across instances."""
    platform, url = stack
    second = STACK["second"]
    for i in range(4):
        b = Browser(url)
        state, nonce = _login(b, platform, f"student-x{i}")
        claims = platform.claims(nonce=nonce, user=f"student-x{i}", role="learner", activity=None)
        claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = url + "/lti/launch"
        token = platform.sign(claims)
        b.base = second  # the load balancer sends the launch to the other instance
        resp = b.request("POST", "/lti/launch", data={"id_token": token, "state": state})
        assert landed_at(resp), resp.text[:300]
        b.base = url  # and the page back to the first
        assert b.request("GET", landed_at(resp)).status_code == 200
        # A replay at either instance is refused.
        for base in (url, second):
            b.base = base
            again = b.request("POST", "/lti/launch", data={"id_token": token, "state": state})
            code = re.search(r'data-error-code="([a-z_]+)"', again.text)
            assert again.status_code == 401 and code and code.group(1) in ("replayed", "state_mismatch"), again.text[:300]
