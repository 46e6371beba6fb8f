"""The grading view: students from NRPS with their feedback status, line item, search."""

from __future__ import annotations

import json

from .conftest import AGS, members_json, page, student_ids


def test_instructor_launch_lists_students_from_nrps_with_column(teacher, lms):
    resp = teacher(locale="en").response
    html = page(resp)
    assert resp.status_code == 200
    for name in ("Anna de Vries", "Bram Jansen", "Chaïma El Idrissi"):
        assert name in html
    assert "Tess Teacher" not in html  # instructors are not graded
    assert "Betoog H3" in html  # the line item's label, fetched from the LMS
    assert "maximum score 10" in html
    assert html.count("fb-status-none") == 3 and html.count("No feedback") == 3
    assert "Student list from the LMS, updated" in html


def test_grading_view_is_dutch_first(teacher):
    html = page(teacher().response)  # the launch's locale is nl
    assert '<html lang="nl">' in html
    assert "Kolom in de cijferlijst" in html and "maximaal cijfer 10" in html
    assert "Studentenlijst uit het LMS, bijgewerkt" in html and "Geen feedback" in html


def test_statuses_draft_queued_published_failed(app, client, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    composer_for(t.lid, "student-1").publish(text="Het lijkt erop dat je verslag sterk is.", score="8")
    from .conftest import drain

    drain(app)
    composer_for(t.lid, "student-2").save(text="Een eerste opzet.")
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "Published" in html and "In the gradebook since" in html
    assert "Draft" in html
    assert html.count("fb-status-none") == 1
    # a queued one: published while the LMS is not asked yet
    composer_for(t.lid, "student-3").publish(text="Volgende stap: voeg een bron toe.")
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert "Queued" in html and "fb-status-queued" in html


def test_roster_failure_shows_translated_note(launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(f"{platform.issuer}/api/course-1/memberships", status=503)
    rsps.get(f"{platform.issuer}/api/course-1/lineitems/1", json={"id": "x", "label": "L", "scoreMaximum": 10})
    lms_claim = {
        AGS: {
            "scope": [],
            "lineitems": f"{platform.issuer}/api/course-1/lineitems",
            "lineitem": f"{platform.issuer}/api/course-1/lineitems/1",
        }
    }
    html = page(launch("instructor", activity="feedback", claims=lms_claim, locale="nl").response)
    assert "Het LMS was niet bereikbaar om de studentenlijst op te halen" in html
    html_en = page(launch("instructor", activity="feedback", claims=lms_claim, locale="en").response)
    assert "The LMS could not be reached to fetch the student list" in html_en


def test_missing_lineitem_is_created_once_and_remembered(app, client, launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(f"{platform.issuer}/api/course-1/memberships", json=members_json())
    lineitems = f"{platform.issuer}/api/course-1/lineitems"
    rsps.get(lineitems, json=[])  # nothing made for this link yet
    created = rsps.post(
        lineitems, json={"id": lineitems + "/77", "label": "Activity link-1", "scoreMaximum": 10, "resourceLinkId": "link-1"}, status=201
    )
    claims = {AGS: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"], "lineitems": lineitems}}
    html = page(launch("instructor", activity="feedback", claims=claims, locale="en").response)
    assert created.call_count == 1
    body = json.loads(created.calls[0].request.body)
    assert body["label"] == "Activity link-1" and body["scoreMaximum"] == 10 and body["resourceLinkId"] == "link-1"
    assert "maximum score 10" in html
    # A second launch (another tab, later) reuses the remembered line item.
    launch("instructor", activity="feedback", claims=claims)
    assert created.call_count == 1
    from lti_tool.extensions import db
    from lti_tool.models.feedback import FeedbackActivity

    with app.app_context():
        activity = db.session.execute(db.select(FeedbackActivity)).scalar_one()
        assert activity.lineitem_url == lineitems + "/77" and activity.lineitem_created


def test_failing_lineitem_creation_says_so_and_does_not_retry_at_every_click(client, launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(f"{platform.issuer}/api/course-1/memberships", json=members_json())
    lineitems = f"{platform.issuer}/api/course-1/lineitems"
    listed = rsps.get(lineitems, status=503)
    claims = {AGS: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"], "lineitems": lineitems}}
    t = launch("instructor", activity="feedback", claims=claims, locale="en")
    assert "Erbij could not create the gradebook column in the LMS" in page(t.response)
    calls = listed.call_count
    html = page(client.get(f"/l/{t.lid}/feedback/grading"))
    assert listed.call_count == calls  # the next click within a minute does not wait on the LMS again
    assert "Erbij could not create the gradebook column in the LMS" in html


def test_search_filters_without_javascript(client, teacher):
    t = teacher(locale="en")
    html = page(client.get(f"/l/{t.lid}/feedback/grading", query_string={"q": "chaima"}))
    # Every row is rendered (the live filter can widen the search), non-matching ones hidden.
    assert 'data-name="chaima el idrissi">' in html
    assert 'data-name="anna de vries" hidden>' in html
    assert "1 of 3 students shown" in html


def test_composer_offers_next_student_without_the_list(app, client, teacher, composer_for):
    t = teacher(locale="en")
    ids = student_ids(app)
    # Class-list order: El Idrissi, Jansen, de Vries (family names, prefixes ignored).
    c = composer_for(t.lid, "student-3")
    html = page(c.open())
    assert f"/feedback/students/{ids['student-2']}" in html and 'rel="next"' in html
    resp = c.save(text="Een opzet.", action="next")
    assert resp.status_code == 302 and resp.headers["Location"].split("?")[0].endswith(f"/students/{ids['student-2']}")
    last = composer_for(t.lid, "student-1")
    assert 'rel="next"' not in page(last.open())
