"""Production serving: request ids, JSON logs, proxy headers, HSTS, frame-ancestors."""

from __future__ import annotations

import json
import logging
import re

from lti_tool import create_app
from lti_tool.serving import JsonFormatter, RequestIdFilter, frame_ancestors


def test_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})
    assert given.headers["X-Request-ID"] == "proxy-abc.123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id; <script>" + "x" * 100})
    assert re.fullmatch(r"[0-9a-f]{20}", made.headers["X-Request-ID"]), made.headers["X-Request-ID"]
    other = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{20}", other) and other != made.headers["X-Request-ID"]  # one id per request


def test_json_log_lines_carry_the_request_id(app):
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "rid-1"
        record = logging.LogRecord("lti_tool", logging.WARNING, __file__, 1, "refused code=%s", ("x",), None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "rid-1" and line["message"] == "refused code=x" and line["level"] == "WARNING"


def test_only_registered_platforms_may_frame_erbij(client, platform):
    csp = client.get("/healthz").headers["Content-Security-Policy"]
    ancestors = csp.split("frame-ancestors", 1)[1].strip()
    assert ancestors.startswith("'self'")
    assert platform.issuer in ancestors
    assert "*" not in ancestors.replace("https://*.example.org", "")  # no open wildcard
    assert "default-src 'self'" in csp


def test_frame_ancestors_for_hosted_canvas_schools():
    class Reg:
        issuer = "https://canvas.instructure.com"
        auth_login_url = "https://sso.canvaslms.com/api/lti/authorize_redirect"

    class Moodle:
        issuer = "https://moodle.school.nl"
        auth_login_url = "https://moodle.school.nl/mod/lti/auth.php"

    value = frame_ancestors([Reg(), Moodle()])
    assert value.split() == [
        "'self'",
        "https://canvas.instructure.com",
        "https://sso.canvaslms.com",
        "https://*.instructure.com",
        "https://moodle.school.nl",
        "https://*.school.nl",
    ]


def test_behind_a_tls_proxy_hsts_is_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("ERBIJ_PROXIES", "1")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite'}"})
    c = app.test_client()
    behind = c.get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert behind.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in c.get("/healthz").headers


def test_the_served_app_freezes_what_lives_as_long_as_the_process(tmp_path):
    """wsgi.py (what gunicorn loads) moves the startup objects out of the collector's reach:
    a full collection then no longer pauses every request of a worker for ~100 ms."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "SECRET_KEY": "test-secret",
        "ERBIJ_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "REDIS_URL": "",
    }
    probe = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    frozen, tracked = map(int, out.stdout.split()[-2:])
    assert frozen > 50_000 and tracked < frozen / 5, (frozen, tracked)


def test_a_platform_registered_by_another_process_frames_its_first_launch(app, client, platform, rsps):
    """This process remembers the list of platforms for a few seconds (LOCAL_TTL). A platform
    registered a moment ago elsewhere (dynamic registration in another worker) is not in that
    list yet; the answers to its login, its launch and its pages name it all the same: the
    platform a response is for may always frame it (a refused frame is a blank error)."""
    import time

    from lti_tool.lti import launch_cache
    from tests.platform import FakePlatform

    def ancestors(resp) -> list[str]:
        return resp.headers["Content-Security-Policy"].split("frame-ancestors", 1)[1].split(";")[0].split()

    assert client.get("/healthz").status_code == 200  # the list, as this process now remembers it
    remembered = launch_cache._local["lti-frame-ancestors"]
    second = FakePlatform(issuer="https://lms2.school.example", key_name="platform-b", kid="b-1")
    second.register(app)  # in this test process, it also clears what this process remembers...
    second.serve_jwks(rsps)
    launch_cache._local["lti-frame-ancestors"] = remembered  # ...which another worker would not
    assert "https://lms2.school.example" not in ancestors(client.get("/healthz"))  # the stale list

    login = client.post(
        "/lti/login",
        data={"iss": second.issuer, "login_hint": "s1", "target_link_uri": "https://erbij.test/lti/launch", "client_id": second.client_id},
    )
    assert login.status_code == 302 and "https://lms2.school.example" in ancestors(login)
    auth = login.headers["Location"]
    if auth.startswith("/lti/"):  # this browser's first login: its cookie check first
        auth = client.get(auth).headers["Location"]
    from urllib.parse import parse_qs, urlsplit

    q = {k: v[0] for k, v in parse_qs(urlsplit(auth).query).items()}
    token = second.sign(second.claims(nonce=q["nonce"], user="s1", role="learner"))
    page = client.post("/lti/launch", data={"id_token": token, "state": q["state"]})
    assert page.status_code == 200 and "https://lms2.school.example" in ancestors(page)
    address = page.headers["Content-Location"]
    assert "https://lms2.school.example" in ancestors(client.get(address))
    # Other platforms' pages and Erbij's own pages keep to the list (no origin added there).
    assert launch_cache._local["lti-frame-ancestors"][0] > time.monotonic()
    assert "https://lms2.school.example" not in ancestors(client.get("/healthz"))


def test_templates_name_static_files_under_each_script_root(app, monkeypatch):
    """Static addresses are built once per script root: an app mounted under a prefix and
    the same app at the root each get their own."""
    from flask import render_template_string

    page = "{{ url_for('static', filename='erbij.css') }} {{ url_for('static', filename='erbij.css', v=2) }}"
    for _ in range(2):  # the second time from what was kept
        with app.test_request_context("/", base_url="https://localhost/erbij/"):
            assert render_template_string(page) == "/erbij/static/erbij.css /erbij/static/erbij.css?v=2"
        with app.test_request_context("/"):
            assert render_template_string(page) == "/static/erbij.css /static/erbij.css?v=2"
    monkeypatch.setitem(app.config, "SERVER_NAME", "erbij.test")  # the app is shared by the tests: undone after
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    with app.app_context():  # outside a request: Flask's own, as before
        assert render_template_string("{{ url_for('static', filename='erbij.css') }}") == "https://erbij.test/static/erbij.css"
