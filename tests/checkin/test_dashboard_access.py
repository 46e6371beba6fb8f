"""Who can open the dashboard, the export and the settings — and whose data they see."""

from __future__ import annotations

import json

import pytest

from ..platform import FakePlatform
from .test_dashboard_support import add_students, answer, csrf_token, get_dashboard, teacher_klas, text_of

PAGES = [
    ("get", "/checkin/dashboard"),
    ("get", "/checkin/dashboard/export.csv"),
    ("get", "/checkin/dashboard/export.json"),
    ("get", "/checkin/settings"),
    ("post", "/checkin/settings"),
    ("post", "/checkin/dashboard/reflection"),
]


@pytest.mark.parametrize(("method", "path"), PAGES)
def test_a_student_can_never_open_the_teachers_pages(app, client, launch, method, path):
    student = launch("learner", user="student-1", follow=False)
    page = client.get(f"/l/{student.lid}/checkin/week").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "timezone": "UTC", "privacy_mode": "anonymous", "notes": "x"}
    resp = getattr(client, method)(f"/l/{student.lid}{path}", **({"data": data} if method == "post" else {}))
    assert resp.status_code == 403
    assert "Erbij horen" not in resp.get_data(as_text=True)  # nothing of the dashboard leaks into the refusal


def test_another_browser_cannot_use_the_teachers_link(app, client, launch, new_browser):
    klas = teacher_klas(app, launch)
    add_students(klas, 6)
    for sid in klas.ids:
        answer(klas, sid, klas.this_week, text="iets persoonlijks")
    other = new_browser()
    for path in ("/checkin/dashboard", "/checkin/dashboard/export.csv", "/checkin/dashboard/export.json", "/checkin/settings"):
        resp = other.get(f"/l/{klas.lid}{path}")
        assert resp.status_code == 401, path
        assert "iets persoonlijks" not in resp.get_data(as_text=True)


def test_a_teacher_of_another_course_cannot_reach_this_courses_export(app, client, launch, new_browser):
    klas_a = teacher_klas(app, launch, course="course-a", user="teacher-a")
    add_students(klas_a, 5)
    for sid in klas_a.ids:
        answer(klas_a, sid, klas_a.this_week, text="alleen voor docent A", opt_in=True)

    browser_b = new_browser()
    klas_b = teacher_klas(app, launch, course="course-b", user="teacher-b", browser=browser_b)
    # B asks for A's export with A's launch id: B's browser does not own that launch.
    assert browser_b.get(f"/l/{klas_a.lid}/checkin/dashboard/export.json").status_code == 401
    # B's own export is about B's course only: no trace of course A's answers or names.
    own = browser_b.get(f"/l/{klas_b.lid}/checkin/dashboard/export.json")
    assert own.status_code == 200
    data = json.loads(own.get_data(as_text=True))
    assert all(w["respondents"] == 0 for w in data["weeks"])
    assert "alleen voor docent A" not in own.get_data(as_text=True)
    assert "Student 01" not in own.get_data(as_text=True)
    page = get_dashboard(browser_b, klas_b)
    assert "Student 01" not in page and "alleen voor docent A" not in page


def test_the_same_course_id_on_another_platform_is_another_course(app, client, launch, rsps, new_browser):
    klas = teacher_klas(app, launch, course="course-1")
    add_students(klas, 5)
    for sid in klas.ids:
        answer(klas, sid, klas.this_week, opt_in=True)

    other = FakePlatform(issuer="https://other-lms.example.org", client_id="client-2", key_name="platform-b", kid="pb")
    other.register(app)
    other.serve_jwks(rsps)
    browser = new_browser()
    klas_other = teacher_klas(app, launch, course="course-1", plat=other, browser=browser)
    assert klas_other.course_id != klas.course_id
    text = text_of(get_dashboard(browser, klas_other))
    assert "Student 0" not in text
    assert "0 / 0" in text


def test_a_feedback_launch_does_not_open_the_checkin_dashboard(app, client, launch):
    feedback = launch("instructor", activity="feedback", link="link-fb", follow=False)
    assert client.get(f"/l/{feedback.lid}/checkin/dashboard").status_code == 404
    assert client.get(f"/l/{feedback.lid}/checkin/dashboard/export.csv").status_code == 404


def test_the_teacher_lands_on_the_dashboard(app, client, launch):
    launched = launch("instructor", locale="en")
    assert launched.response.status_code == 200
    assert "Who might need you" in launched.response.get_data(as_text=True)
