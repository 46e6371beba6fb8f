"""The durable outbox: nothing lost, nothing sent twice, retries with back-off, 4xx stops."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests

from lti_tool import outbox
from lti_tool.extensions import db
from lti_tool.models import Course, Deployment, OutboxEntry
from lti_tool.models.outbox import STATUS_FAILED, STATUS_RETRY, STATUS_SENDING, STATUS_SENT
from lti_tool.timeutil import utcnow

LINEITEM = "https://lms.example.org/api/course-1/lineitems/1"
SCORES = LINEITEM + "/scores"


def _course(app, platform) -> int:
    with app.app_context():
        dep = db.session.execute(db.select(Deployment)).scalars().first()
        course = Course(registration_id=platform.registration_id, deployment_id=dep.id, context_id="c1", title="C1")
        db.session.add(course)
        db.session.commit()
        return course.id


def _enqueue(app, platform, course_id, key="k1", user="student-1", score=None):
    with app.app_context():
        e = outbox.enqueue_score(
            registration_id=platform.registration_id, course_id=course_id, lineitem_url=LINEITEM, user_sub=user,
            score=score or {"scoreGiven": 7, "scoreMaximum": 10, "comment": "Goed bezig", "activityProgress": "Completed", "gradingProgress": "FullyGraded"},
            dedupe_key=key, source="test",
        )
        db.session.commit()
        return e.id


def _entry(app, entry_id) -> OutboxEntry:
    with app.app_context():
        e = db.session.get(OutboxEntry, entry_id)
        db.session.expunge(e)
        return e


def _token(rsps, platform):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})


def test_send_once_with_fresh_timestamp(app, platform, rsps):
    import json

    _token(rsps, platform)
    post = rsps.post(SCORES, status=200)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        assert outbox.drain() == 1
        assert outbox.drain() == 0
    body = json.loads(post.calls[0].request.body)
    assert body["userId"] == "student-1" and body["comment"] == "Goed bezig" and body["timestamp"].endswith("Z")
    assert post.call_count == 1 and _entry(app, eid).status == STATUS_SENT


def test_double_enqueue_is_one_entry(app, platform):
    cid = _course(app, platform)
    assert _enqueue(app, platform, cid, key="same") == _enqueue(app, platform, cid, key="same")
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(OutboxEntry)).scalar() == 1


def test_server_error_retries_later_then_succeeds(app, platform, rsps):
    _token(rsps, platform)
    post = rsps.post(SCORES, status=500)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        outbox.drain()
    e = _entry(app, eid)
    assert e.status == STATUS_RETRY and e.last_status == 500 and e.next_attempt_at > utcnow()
    with app.app_context():
        assert outbox.drain() == 0  # not due yet: back-off
        db.session.get(OutboxEntry, eid).next_attempt_at = utcnow()
        db.session.commit()
        rsps.replace("POST", SCORES, status=200)
        outbox.drain()
    assert _entry(app, eid).status == STATUS_SENT
    assert post.call_count == 1 and sum(c.request.url == SCORES for c in rsps.calls) == 2


def test_timeout_and_429_are_retried_422_is_final(app, platform, rsps):
    _token(rsps, platform)
    cid = _course(app, platform)
    rsps.post(SCORES, body=requests.exceptions.ReadTimeout())
    a = _enqueue(app, platform, cid, key="a")
    with app.app_context():
        outbox.drain()
    assert _entry(app, a).status == STATUS_RETRY and _entry(app, a).last_status is None
    rsps.replace("POST", SCORES, status=429)
    b = _enqueue(app, platform, cid, key="b")
    with app.app_context():
        outbox.drain()
    assert _entry(app, b).status == STATUS_RETRY
    rsps.replace("POST", SCORES, status=422, body='{"error": "User is not a student"}')
    c = _enqueue(app, platform, cid, key="c")
    with app.app_context():
        outbox.drain()
    e = _entry(app, c)
    assert e.status == STATUS_FAILED and e.last_status == 422 and "not a student" in e.last_error


def test_backoff_grows(app):
    assert outbox._backoff(1) < outbox._backoff(4) <= timedelta(seconds=outbox.MAX_DELAY * 1.2)


def test_gives_up_after_max_attempts(app, platform, rsps):
    _token(rsps, platform)
    rsps.post(SCORES, status=503)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        for _ in range(outbox.MAX_ATTEMPTS):
            db.session.get(OutboxEntry, eid).next_attempt_at = utcnow()
            db.session.commit()
            outbox.drain()
    assert _entry(app, eid).status == STATUS_FAILED


def test_dead_worker_lease_is_taken_over_once(app, platform, rsps):
    _token(rsps, platform)
    post = rsps.post(SCORES, status=200)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        claimed = outbox._claim("worker-that-dies")
        assert claimed.id == eid and claimed.status == STATUS_SENDING
        assert outbox.drain(owner="worker-b") == 0  # leased: nobody else sends it
        db.session.get(OutboxEntry, eid).lease_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert outbox.drain(owner="worker-b") == 1
        # The dead worker coming back cannot overwrite the outcome.
        outbox._finish(eid, "worker-that-dies", status=STATUS_FAILED)
    assert _entry(app, eid).status == STATUS_SENT and post.call_count == 1


def test_two_workers_never_double_send(app, platform, rsps):
    _token(rsps, platform)
    post = rsps.post(SCORES, status=200)
    cid = _course(app, platform)
    ids = [_enqueue(app, platform, cid, key=f"k{i}", user=f"s{i}") for i in range(12)]
    barrier = threading.Barrier(3)

    def work(name):
        with app.app_context():
            barrier.wait()
            outbox.drain(owner=name)
            db.session.remove()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    users = sorted(__import__("json").loads(c.request.body)["userId"] for c in post.calls)
    assert users == sorted(f"s{i}" for i in range(12))  # each exactly once
    assert all(_entry(app, i).status == STATUS_SENT for i in ids)


def test_retry_now_is_course_scoped(app, platform, rsps):
    _token(rsps, platform)
    rsps.post(SCORES, status=422)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        outbox.drain()
        assert not outbox.retry_now(eid, cid + 1)
        assert outbox.retry_now(eid, cid)
        assert db.session.get(OutboxEntry, eid).status == STATUS_RETRY


def test_backoff_is_capped_at_ten_minutes(app):
    assert outbox._backoff(30) <= timedelta(seconds=600 * 1.2)


def test_a_killed_workers_entry_is_taken_over_within_a_minute(app, platform, rsps):
    _token(rsps, platform)
    post = rsps.post(SCORES, status=200)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)
    with app.app_context():
        claimed = outbox._claim("worker-killed-with-sigkill")
        assert claimed.lease_until - utcnow() <= timedelta(seconds=60)  # 3 × the 10 s time-out + 15 s
        db.session.get(OutboxEntry, eid).lease_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        assert outbox.drain(owner="worker-b") == 1
    assert _entry(app, eid).status == STATUS_SENT and post.call_count == 1


def test_entries_failed_in_an_outage_are_sent_when_the_lms_answers_again(app, platform, rsps):
    _token(rsps, platform)
    rsps.post(SCORES, status=503)
    cid = _course(app, platform)
    during = _enqueue(app, platform, cid, key="during-outage")
    refused = _enqueue(app, platform, cid, key="refused", user="teacher-1")
    with app.app_context():
        for _ in range(outbox.MAX_ATTEMPTS):
            db.session.execute(db.update(OutboxEntry).values(next_attempt_at=utcnow()))
            db.session.commit()
            outbox.drain()
    assert _entry(app, during).status == STATUS_FAILED
    # The refusal of a non-student stays failed: retrying cannot help it.
    with app.app_context():
        row = db.session.get(OutboxEntry, refused)
        row.last_status, row.last_error = 422, "User is not a student"
        db.session.commit()
    rsps.replace("POST", SCORES, status=200)
    after = _enqueue(app, platform, cid, key="after-outage", user="student-2")
    with app.app_context():
        outbox.drain()
    assert _entry(app, after).status == STATUS_SENT
    assert _entry(app, during).status == STATUS_SENT  # revived and sent, once
    assert _entry(app, refused).status == STATUS_FAILED


def test_an_error_inside_erbij_is_recorded_and_retried_not_left_sending(app, platform, rsps, monkeypatch):
    """Redis (or anything else in Erbij) failing mid-send: the entry waits to retry with the
    reason, instead of sitting in "sending" for the whole lease with none."""
    import redis

    _token(rsps, platform)
    post = rsps.post(SCORES, status=200)
    cid = _course(app, platform)
    eid = _enqueue(app, platform, cid)

    def redis_gone(_entry):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(outbox, "_send", redis_gone)
    with app.app_context():
        assert outbox.drain() == 1
    e = _entry(app, eid)
    assert e.status == STATUS_RETRY and e.lease_until is None and e.last_status is None
    assert e.last_error == "Erbij could not send it: ConnectionError"
    assert e.next_attempt_at > utcnow()
    monkeypatch.undo()
    with app.app_context():
        db.session.get(OutboxEntry, eid).next_attempt_at = utcnow()
        db.session.commit()
        assert outbox.drain() == 1
    assert _entry(app, eid).status == STATUS_SENT and post.call_count == 1
