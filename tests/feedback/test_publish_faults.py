"""Publishing while parts of Erbij's own infrastructure fail (issue #12, faults)."""

from __future__ import annotations

from lti_tool import outbox
from lti_tool.models.outbox import STATUS_RETRY, STATUS_SENT
from tests.test_cache_down import redis_down  # noqa: F401 - the fixture

from .conftest import drain, make_due, outbox_entries, page

TEXT = "Je betoog is helder opgebouwd. Werk de conclusie nog uit."


def test_publishing_while_redis_is_down_reaches_the_gradebook(app, client, teacher, lms, composer_for, redis_down):  # noqa: F811
    """The token cache and the line-item cool-down live in Redis: without it the score is
    sent all the same (a fresh token is asked for), never stuck in "sending"."""
    t = teacher(locale="en")
    scores = lms.rsps.post(lms.scores_url(), status=200)
    assert client.get(f"/l/{t.lid}/feedback/grading").status_code == 200  # the roster, from the LMS
    resp = composer_for(t.lid, "student-1").publish(text=TEXT, score="8")
    assert resp.status_code in (200, 302)
    drain(app)
    [entry] = outbox_entries(app)
    assert entry.status == STATUS_SENT and scores.call_count == 1
    assert "Published" in page(client.get(f"/l/{t.lid}/feedback/grading"))


def test_a_failure_inside_erbij_shows_the_teacher_why_and_is_retried(app, client, teacher, lms, composer_for, monkeypatch):
    t = teacher(locale="en")
    scores = lms.rsps.post(lms.scores_url(), status=200)
    composer_for(t.lid, "student-1").publish(text=TEXT, score="8")

    def broken(_entry):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(outbox, "_send", broken)
    drain(app)
    [entry] = outbox_entries(app)
    assert entry.status == STATUS_RETRY and entry.lease_until is None
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "Waiting for the LMS" in html
    assert "Erbij itself could not send the score just now" in html
    monkeypatch.undo()
    make_due(app)
    drain(app)
    assert outbox_entries(app)[0].status == STATUS_SENT and scores.call_count == 1


def test_the_reason_in_dutch(app, client, teacher, lms, composer_for, monkeypatch):
    t = teacher(locale="nl")
    composer_for(t.lid, "student-1").publish(text=TEXT, score="8")
    monkeypatch.setattr(outbox, "_send", lambda _e: (_ for _ in ()).throw(RuntimeError("boom")))
    drain(app)
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "Wacht op het LMS" in html and "Erbij kon het cijfer zelf even niet versturen" in html
