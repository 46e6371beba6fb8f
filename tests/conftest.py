"""Shared fixtures: an app on SQLite (or PostgreSQL with TEST_DATABASE_URL), a clean
database per test, a fake LMS, and `launch` — a real OIDC login + launch."""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass

import pytest
import responses as responses_lib
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.extensions import db

from .platform import BASE_URL, FakePlatform, start_login


def _private_postgres(url: str) -> str:
    """A fresh database for this test run, so parallel runs never share state."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _CLEANUP.append((base, name))
    return base.set(database=name).render_as_string(hide_password=False)


_CLEANUP: list = []


def _drop_private_databases() -> None:
    from sqlalchemy import create_engine

    for base, name in _CLEANUP:
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _make_app(tmp_root):
    from lti_tool.translations_build import compile_all

    compile_all()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite'}"
    if not url.startswith("sqlite"):
        url = _private_postgres(url)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"timeout": 15}} if url.startswith("sqlite") else {},
            "ERBIJ_BASE_URL": BASE_URL,
            "CACHE_TYPE": "SimpleCache",
            "ERBIJ_DRAIN_OUTBOX_IN_PROCESS": False,
            "ERBIJ_ALLOW_LOOPBACK": True,  # the fake LMS's names do not resolve here
            "SERVER_NAME": None,
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision="heads")
    return app


@pytest.fixture(scope="session")
def _app_session(tmp_path_factory):
    app = _make_app(tmp_path_factory.mktemp("db"))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _drop_private_databases()


def _clean(app) -> None:
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            with db.engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            with db.engine.begin() as conn:
                # Append-only tables (audit_log) refuse DELETE by trigger: lift it for the clean-up.
                triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
                for name, _sql in triggers:
                    conn.execute(text(f'DROP TRIGGER "{name}"'))
                for t in tables:
                    conn.execute(t.delete())
                for _name, sql in triggers:
                    conn.execute(text(sql))
        from lti_tool.extensions import cache

        cache.clear()
        from lti_tool.lti.platform_keys import _local

        _local.clear()


@pytest.fixture(autouse=True)
def _push_request_context():
    """Overrides pytest-flask's: its request context spans the whole test, so every
    test-client request would share one `g` — unlike production. Use
    `with app.app_context():` where a test needs one."""
    yield


@pytest.fixture
def app(_app_session):
    _clean(_app_session)
    yield _app_session


@pytest.fixture
def client(app):
    """A browser: https, cookies kept (the session cookie is Secure)."""
    return _browser(app)


def _browser(app):
    c = app.test_client()
    c.environ_base["wsgi.url_scheme"] = "https"
    return c


@pytest.fixture
def rsps():
    with responses_lib.RequestsMock(assert_all_requests_are_fired=False) as r:
        yield r


@pytest.fixture
def platform(app, rsps):
    p = FakePlatform()
    p.registration_id = p.register(app)
    p.serve_jwks(rsps)
    return p


@dataclass
class Launched:
    lid: str
    response: object  # the page the launch ends on
    token: str
    path: str = ""  # that page's address


@pytest.fixture
def launch(client, platform):
    """Launch as a user through the real login → launch flow; returns the final page.

    launch(role="learner", user="s1", activity="checkin", course="course-1", locale="en",
           client=other_client, claims={...overrides...})
    """

    def _launch(role="instructor", *, user=None, activity="checkin", course="course-1", link="link-1",
                locale="nl", claims=None, browser=None, follow=True, plat=None, **kw):
        b = browser or client
        p = plat or platform
        user = user or ("teacher-1" if role == "instructor" else "student-1")
        step = start_login(b, p, login_hint=user)
        c = p.claims(nonce=step.nonce, role=role, user=user, course=course, link=link, activity=activity, locale=locale, **kw)
        c.update(claims or {})
        token = p.sign(c)
        resp = b.post("/lti/launch", data={"id_token": token, "state": step.state})
        # The launch answers with its page (naming its address), or redirects to it.
        assert resp.status_code in (200, 302), resp.get_data(as_text=True)[:2000]
        address = resp.headers["Content-Location"] if resp.status_code == 200 else resp.headers["Location"]
        lid = re.search(r"/l/([^/]+)/", address).group(1)
        if follow and resp.status_code == 302:
            resp = b.get(address, follow_redirects=True)
            address = resp.request.path
        return Launched(lid=lid, response=resp, token=token, path=address)

    return _launch


@pytest.fixture
def new_browser(app):
    """Another browser (no cookies shared)."""

    def make():
        return _browser(app)

    return make
