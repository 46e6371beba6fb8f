"""Publishing through the durable outbox, end to end against a mocked LMS."""

from __future__ import annotations

import threading
from datetime import timedelta

import requests

from lti_tool import outbox
from lti_tool.extensions import db
from lti_tool.models import OutboxEntry
from lti_tool.models.feedback import FeedbackPublish
from lti_tool.models.outbox import STATUS_FAILED, STATUS_RETRY, STATUS_SENDING, STATUS_SENT
from lti_tool.timeutil import utcnow

from .conftest import drain, make_due, outbox_entries, page

TEXT = "Het lijkt erop dat je verslag een sterke opbouw heeft. Volgende stap: voeg een bron toe."


def _statuses(lms) -> list[int]:
    return [c.response.status_code for c in lms.rsps.calls if c.request.url == lms.scores_url() and c.response is not None]


def test_publish_enqueues_and_drain_posts_the_score(app, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    resp = composer_for(t.lid, "student-1").publish(text=TEXT, score="7,5")
    assert resp.status_code == 302 and "notice=published" in resp.headers["Location"]
    [entry] = outbox_entries(app)
    assert entry.status == "pending" and entry.source == "feedback" and entry.dedupe_key.startswith("feedback:")
    assert drain(app) == 1
    [body] = lms.score_posts()
    assert body["userId"] == "student-1"
    assert body["comment"] == TEXT
    assert body["scoreGiven"] == 7.5 and body["scoreMaximum"] == 10
    assert body["gradingProgress"] == "FullyGraded" and body["activityProgress"] == "Completed"
    assert body["timestamp"].endswith("Z")
    assert outbox_entries(app)[0].status == STATUS_SENT


def test_lms_500_then_200_retries_without_losing_or_duplicating(app, client, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=500, body="down for maintenance")
    lms.rsps.post(lms.scores_url(), status=200)
    composer_for(t.lid, "student-1").publish(text=TEXT)
    drain(app)
    [entry] = outbox_entries(app)
    assert entry.status == STATUS_RETRY and entry.last_status == 500
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "Waiting for the LMS" in html and "Erbij tries again automatically" in html
    assert drain(app) == 0  # not due yet: back-off
    make_due(app)
    drain(app)
    assert outbox_entries(app)[0].status == STATUS_SENT
    assert _statuses(lms) == [500, 200]  # exactly one successful POST
    first, second = lms.score_posts()
    assert first["comment"] == second["comment"] == TEXT
    assert second["timestamp"] >= first["timestamp"]  # a fresh timestamp per attempt
    assert "In the gradebook since" in page(client.get(f"/l/{t.lid}/feedback/grading"))


def test_timeout_is_retried(app, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), body=requests.exceptions.ConnectTimeout())
    composer_for(t.lid, "student-1").publish(text=TEXT)
    drain(app)
    [entry] = outbox_entries(app)
    assert entry.status == STATUS_RETRY and entry.last_status is None


def test_422_fails_with_the_reason_on_the_grading_page_and_retry_button(app, client, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(
        lms.scores_url(), status=422, json={"errors": {"type": "unprocessable", "message": "User not found in course or is not a student"}}
    )
    composer_for(t.lid, "student-1").publish(text=TEXT)
    drain(app)
    [entry] = outbox_entries(app)
    assert entry.status == STATUS_FAILED and entry.last_status == 422
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "fb-status-failed" in html
    assert "this person cannot be graded in this gradebook column" in html
    assert "is not a student" in html  # the LMS's own words, under "What the LMS said"
    assert "Retry now" in html
    # Retry (course-scoped) puts it back in the queue; the LMS now accepts it.
    lms.rsps.replace("POST", lms.scores_url(), status=200)
    from .conftest import csrf_of

    with app.app_context():
        fid = db.session.execute(db.select(FeedbackPublish.feedback_id)).scalar_one()
    resp = client.post(
        f"/l/{t.lid}/feedback/feedback/{fid}/retry", data={"csrf_token": csrf_of(html), "next": f"/l/{t.lid}/feedback/grading"}
    )
    assert resp.status_code == 302 and "notice=retried" in resp.headers["Location"]
    assert outbox_entries(app)[0].status == STATUS_RETRY
    drain(app)
    assert outbox_entries(app)[0].status == STATUS_SENT


def test_worker_dies_mid_publish_and_another_sends_exactly_once(app, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    composer_for(t.lid, "student-1").publish(text=TEXT)
    with app.app_context():
        claimed = outbox._claim("worker-that-dies")  # claimed, then the process is killed
        assert claimed is not None and claimed.status == STATUS_SENDING
        entry_id = claimed.id
    assert drain(app) == 0  # the lease still holds: nobody else may send it
    assert lms.score_posts() == []
    with app.app_context():  # time passes beyond the lease
        db.session.execute(db.update(OutboxEntry).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    with app.app_context():
        assert outbox.drain(owner="worker-2") == 1
        # The dead worker's late outcome cannot overwrite the new owner's result.
        outbox._finish(entry_id, "worker-that-dies", status=STATUS_FAILED)
    assert len(lms.score_posts()) == 1
    entry = outbox_entries(app)[0]
    assert entry.status == STATUS_SENT and entry.lease_owner == "worker-2"


def test_two_workers_post_each_entry_exactly_once(app, launch, lms, composer_for, new_browser):
    from .conftest import AGS, STUDENTS, members_json

    more = STUDENTS + [(f"student-{i}", f"Student Nummer {i}", "Student", f"Nummer {i}") for i in range(4, 9)]
    lms.rsps.replace("GET", lms.memberships_url, json=members_json(more))
    lms.rsps.post(lms.scores_url(), status=200)
    t = launch("instructor", activity="feedback", claims={AGS: lms.ags_claim()}, locale="en")
    for sub, *_ in more:
        composer_for(t.lid, sub).publish(text=f"{TEXT} ({sub})")
    assert len(outbox_entries(app)) == len(more)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with app.app_context():
                barrier.wait()
                outbox.drain(owner=name)
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in (1, 2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert not errors, errors
    users = sorted(body["userId"] for body in lms.score_posts())
    assert users == sorted(sub for sub, *_ in more)  # every entry once, none twice
    assert {e.status for e in outbox_entries(app)} == {STATUS_SENT}


def test_double_submit_is_one_publish(app, client, teacher, lms, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    form = c.form(text=TEXT, score="8")
    first = client.post(c.base + "/publish", data=form)
    second = client.post(c.base + "/publish", data=form)  # the same form, submitted again
    assert first.status_code == second.status_code == 302
    assert "notice=published" in first.headers["Location"]
    assert len(outbox_entries(app)) == 1
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(FeedbackPublish)).scalar() == 1


def test_republish_after_editing_sends_the_new_text(app, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    c = composer_for(t.lid, "student-1")
    c.publish(text=TEXT)
    drain(app)
    resp = c.publish(text=TEXT)  # nothing changed
    assert "notice=already" in resp.headers["Location"]  # the same version: nothing new to send
    c.publish(text=TEXT + " Ik weet dat je dit kunt.")
    drain(app)
    bodies = lms.score_posts()
    assert [b["comment"] for b in bodies] == [TEXT, TEXT + " Ik weet dat je dit kunt."]
    keys = [e.dedupe_key for e in outbox_entries(app)]
    assert len(set(keys)) == 2


def test_canvas_sends_the_comment_only_when_it_changed(app, teacher, lms, composer_for):
    t = teacher(locale="en", platform_name="canvas")
    lms.rsps.post(lms.scores_url(), status=200)
    c = composer_for(t.lid, "student-1")
    c.publish(text=TEXT, score="6")
    drain(app)
    c.publish(text=TEXT, score="7")  # only the score changed
    drain(app)
    c.publish(text=TEXT + " Ik weet dat je dit kunt.", score="7")
    drain(app)
    first, second, third = lms.score_posts()
    assert first["comment"] == TEXT and first["scoreGiven"] == 6
    assert "comment" not in second and second["scoreGiven"] == 7  # no second, identical Canvas comment
    assert third["comment"] == TEXT + " Ik weet dat je dit kunt."


def test_canvas_resends_a_comment_whose_publish_was_refused(app, teacher, lms, composer_for):
    t = teacher(locale="en", platform_name="canvas")
    c = composer_for(t.lid, "student-1")
    # The SpeedGrader submissions recorded when the grading view opened go first.
    lms.rsps.post(lms.scores_url(), status=200)
    drain(app)
    lms.rsps.remove("POST", lms.scores_url())
    lms.rsps.post(lms.scores_url(), status=422, body="not a student")
    lms.rsps.post(lms.scores_url(), status=200)
    c.publish(text=TEXT, score="6")
    drain(app)
    c.publish(text=TEXT, score="7")
    drain(app)
    refused, accepted = lms.score_posts()
    assert accepted["comment"] == TEXT  # the LMS never got the first comment


def test_moodle_always_sends_the_comment(app, teacher, lms, composer_for):
    t = teacher(locale="en", platform_name="moodle")
    lms.rsps.post(lms.scores_url(), status=200)
    c = composer_for(t.lid, "student-1")
    c.publish(text=TEXT, score="6")
    drain(app)
    c.publish(text=TEXT, score="7")
    drain(app)
    first, second = lms.score_posts()
    assert first["comment"] == second["comment"] == TEXT  # a POST without it would erase it
    assert second["scoreGiven"] == 7 and second["gradingProgress"] == "FullyGraded"


def test_publish_without_gradebook_column_is_shown_in_erbij_only(app, client, launch, platform, rsps, composer_for):
    from .conftest import members_json

    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(f"{platform.issuer}/api/course-1/memberships", json=members_json())
    t = launch("instructor", activity="feedback", locale="en", claims={"https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": None})
    assert "no gradebook column" in page(t.response)
    resp = composer_for(t.lid, "student-1").publish(text=TEXT)
    assert "notice=published_local" in resp.headers["Location"]
    assert outbox_entries(app) == []
    assert "Published in Erbij on" in page(client.get(f"/l/{t.lid}/feedback/grading"))


def test_empty_publish_is_refused_kindly(app, teacher, composer_for):
    t = teacher(locale="en")
    resp = composer_for(t.lid, "student-1").publish(text="   ")
    assert "notice=empty" in resp.headers["Location"]
    assert outbox_entries(app) == []
