"""Who may reach what: roles, courses, CSRF on every form and JSON endpoint."""

from __future__ import annotations

import pytest

from lti_tool.extensions import db
from lti_tool.models.feedback import Feedback

from .conftest import AGS, csrf_of, page, student_ids


@pytest.fixture
def course_with_feedback(app, teacher, lms, composer_for):
    """A teacher of course-1 who wrote and published feedback for student-1."""
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    composer_for(t.lid, "student-1").publish(text="Gepubliceerde feedback voor Anna.", score="8")
    with app.app_context():
        fid = db.session.execute(db.select(Feedback.id)).scalar_one()
    return t, fid


def test_student_cannot_reach_teacher_pages(app, launch, new_browser, course_with_feedback, lms):
    t, fid = course_with_feedback
    b = new_browser()
    s = launch("learner", user="student-2", activity="feedback", browser=b, claims={AGS: lms.ags_claim()}, locale="en")
    token = csrf_of(page(s.response))
    anna = student_ids(app)["student-1"]
    base = f"/l/{s.lid}/feedback"
    assert b.get(f"{base}/grading").status_code == 403
    assert b.get(f"{base}/students/{anna}").status_code == 403
    assert b.post(f"{base}/students/{anna}", data={"csrf_token": token, "text": "x"}).status_code == 403
    assert b.post(f"{base}/students/{anna}/publish", data={"csrf_token": token, "text": "x"}).status_code == 403
    assert b.post(f"{base}/students/{anna}/draft", json={"text": "x"}, headers={"X-CSRFToken": token}).status_code == 403
    assert b.post(f"{base}/coach", json={"text": "x"}, headers={"X-CSRFToken": token}).status_code == 403
    assert b.get(f"{base}/bank").status_code == 403
    assert b.post(f"{base}/bank", json={"body": "x"}, headers={"X-CSRFToken": token}).status_code == 403
    assert b.post(f"{base}/feedback/{fid}/retry", data={"csrf_token": token}).status_code == 403
    # And the one page they may see holds only their own (empty) feedback.
    assert "Gepubliceerde feedback voor Anna." not in page(b.get(f"{base}/mine"))


def test_teacher_of_another_course_gets_404(app, launch, new_browser, course_with_feedback):
    t, fid = course_with_feedback
    b = new_browser()
    other = launch("instructor", user="teacher-9", course="course-2", activity="feedback", browser=b, locale="en")
    token = csrf_of(page(other.response))
    anna = student_ids(app)["student-1"]
    base = f"/l/{other.lid}/feedback"
    assert b.get(f"{base}/students/{anna}").status_code == 404
    assert b.post(f"{base}/students/{anna}", data={"csrf_token": token, "text": "overschreven"}).status_code == 404
    assert b.post(f"{base}/students/{anna}/publish", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert b.post(f"{base}/students/{anna}/draft", json={"text": "x"}, headers={"X-CSRFToken": token}).status_code == 404
    assert b.post(f"{base}/feedback/{fid}/retry", data={"csrf_token": token}).status_code == 404
    assert b.post(f"{base}/coach", json={"text": "x", "student_id": anna}, headers={"X-CSRFToken": token}).status_code == 404
    grading = page(b.get(f"{base}/grading"))
    assert "Anna de Vries" not in grading
    with app.app_context():
        assert db.session.get(Feedback, fid).text == "Gepubliceerde feedback voor Anna."


def test_feedback_of_another_activity_in_the_same_course_is_404(app, client, teacher, course_with_feedback, lms):
    t, fid = course_with_feedback
    other_link = teacher(link="link-2", locale="en")
    token = csrf_of(page(other_link.response))
    assert client.post(f"/l/{other_link.lid}/feedback/feedback/{fid}/retry", data={"csrf_token": token}).status_code == 404


def test_csrf_required_on_every_form_and_json_endpoint(app, client, course_with_feedback):
    t, fid = course_with_feedback
    anna = student_ids(app)["student-1"]
    base = f"/l/{t.lid}/feedback"
    html = page(client.get(f"{base}/students/{anna}"))
    assert 'name="csrf-token"' in html and html.count('name="csrf_token"') >= 2
    posts = [
        client.post(f"{base}/students/{anna}", data={"text": "x"}),
        client.post(f"{base}/students/{anna}/publish", data={"text": "x"}),
        client.post(f"{base}/students/{anna}/draft", json={"text": "x"}),
        client.post(f"{base}/coach", json={"text": "x"}),
        client.post(f"{base}/bank", data={"body": "x"}),
        client.post(f"{base}/bank", json={"body": "x"}),
        client.post(f"{base}/feedback/{fid}/retry", data={}),
        client.post(f"{base}/students/{anna}/draft", json={"text": "x"}, headers={"X-CSRFToken": "forged"}),
    ]
    assert [r.status_code for r in posts] == [400] * len(posts)
    with app.app_context():
        assert db.session.get(Feedback, fid).text == "Gepubliceerde feedback voor Anna."


def test_learner_of_the_course_who_is_not_listed_cannot_be_graded_by_id(app, client, course_with_feedback):
    t, _fid = course_with_feedback
    teacher_id = student_ids(app)["teacher-1"]
    assert client.get(f"/l/{t.lid}/feedback/students/{teacher_id}").status_code == 404
    assert client.get(f"/l/{t.lid}/feedback/students/999999").status_code == 404
