"""Hostile input to the feedback endpoints: absurd JSON, NUL bytes, forged log lines,
a database that is gone, and pages a browser or proxy must not keep."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from lti_tool.extensions import db
from lti_tool.input_safety import log_safe
from lti_tool.models.feedback import Feedback

from .conftest import csrf_of, page, student_ids


@pytest.fixture
def composer(teacher, composer_for):
    t = teacher(locale="en")
    return t, composer_for(t.lid, "student-1")


def _deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize("endpoint", ["draft", "coach", "bank"])
def test_json_nested_50000_deep_is_a_400_not_a_500(client, composer, app, endpoint):
    t, c = composer
    token = csrf_of(page(c.open()))
    url = {"draft": c.base + "/draft", "coach": f"/l/{t.lid}/feedback/coach", "bank": f"/l/{t.lid}/feedback/bank"}[endpoint]
    resp = client.post(url, data=_deep_json(50_000), content_type="application/json", headers={"X-CSRFToken": token})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(Feedback)).first() is None


def test_moderately_nested_json_still_works(client, composer):
    t, c = composer
    resp = c.autosave({"text": "Het lijkt erop dat je verder bent.", "parts": {"opener": ["x"]}})
    assert resp.status_code == 200 and resp.get_json()["ok"] is True


def test_nul_bytes_in_feedback_are_removed_and_the_save_is_kept(client, composer, app):
    _t, c = composer
    resp = c.save(text="Het lijkt\x00 erop dat je verder bent.")
    assert resp.status_code in (200, 302)
    resp = c.autosave({"text": "Tweede\x00 versie."})
    assert resp.status_code == 200
    with app.app_context():
        fb = db.session.execute(db.select(Feedback)).scalar_one()
        assert fb.text == "Tweede versie."


def test_claim_values_cannot_forge_log_lines(app, caplog):
    with app.test_request_context("/"), caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.warning("refused detail=%s", "bad\r\nINFO forged admin login ok")
    line = caplog.records[-1].getMessage()
    assert "\n" not in line and "\r" not in line
    assert "\\r\\nINFO forged" in line
    assert len(log_safe("x" * 5000)) <= 301


def test_database_outage_is_a_translated_503(client, composer, monkeypatch):
    t, c = composer

    def gone(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", gone)
    monkeypatch.setattr(db.session, "get", gone)
    # The launch itself cannot be read now: the browser's language decides.
    resp = client.get(c.base, headers={"Accept-Language": "en"})
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "30"
    assert "briefly unavailable" in page(resp)


def test_database_outage_page_in_dutch(client, launch, monkeypatch, lms):
    s = launch("learner", user="student-2", activity="checkin", locale="nl")

    def gone(*_a, **_k):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", gone)
    monkeypatch.setattr(db.session, "get", gone)
    resp = client.get(f"/l/{s.lid}/checkin/week")
    assert resp.status_code == 503
    assert "even niet bereikbaar" in page(resp)


def test_pages_with_launch_content_are_never_stored(client, composer, app):
    t, c = composer
    anna = student_ids(app)["student-1"]
    for url in (c.base, f"/l/{t.lid}/feedback/", f"/l/{t.lid}/feedback/students/{anna}"):
        resp = client.get(url, follow_redirects=True)
        assert resp.status_code == 200
        assert resp.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/lti/jwks").headers.get("Cache-Control", "")


def test_log_values_are_escaped_once_however_many_apps_a_process_makes(app, caplog):
    from lti_tool import create_app
    from lti_tool.input_safety import SafeLogArgs

    create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert sum(isinstance(f, SafeLogArgs) for f in app.logger.filters) == 1
    with app.test_request_context("/"), caplog.at_level(logging.INFO, logger=app.logger.name):
        app.logger.warning("detail=%s", "a\nb")
    assert caplog.records[-1].getMessage() == "detail=a\\nb"
