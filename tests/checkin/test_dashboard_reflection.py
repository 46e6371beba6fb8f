"""The teacher's weekly reflection: private to its author, CSRF-checked, never lost on an error."""

from __future__ import annotations

import html
import re

from lti_tool.checkin.reflection import MAX_LENGTH
from lti_tool.extensions import db
from lti_tool.models.checkin import TeacherReflection

from .test_dashboard_support import add_students, answer, csrf_token, get_dashboard, section, teacher_klas, text_of


def _save(client, klas, notes, *, week=None, token=None):
    page = get_dashboard(client, klas, week)
    url = f"/l/{klas.lid}/checkin/dashboard/reflection" + (f"?week={week.isoformat()}" if week else "")
    return client.post(url, data={"csrf_token": csrf_token(page) if token is None else token, "notes": notes})


def _textarea(page: str) -> str:
    return html.unescape(re.search(r'<textarea id="notes"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def test_a_note_is_saved_for_the_week_and_shown_again(app, client, launch):
    klas = teacher_klas(app, launch)
    resp = _save(client, klas, "Daan was stil vandaag.\nVolgende keer in tweetallen starten.")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("saved=reflection#reflection")
    page = get_dashboard(client, klas)
    assert _textarea(page) == "Daan was stil vandaag.\nVolgende keer in tweetallen starten."
    assert "Your note is saved." not in page  # only right after saving
    assert "Your note is saved." in client.get(resp.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(TeacherReflection)).scalar() == 1


def test_earlier_notes_appear_beside_that_weeks_results(app, client, launch):
    klas = teacher_klas(app, launch)
    add_students(klas, 5)
    for sid in klas.ids:
        answer(klas, sid, klas.week(1))
    _save(client, klas, "Vorige week: rustige groep.", week=klas.week(1))
    _save(client, klas, "Deze week: toets.")
    earlier = text_of(section(get_dashboard(client, klas), "reflection"))
    assert "Vorige week: rustige groep." in earlier
    assert "5 answers" in earlier and "4.0" in earlier  # that week's results beside the note
    # The note of the week you look at sits in the form, not in the earlier list.
    assert earlier.count("Deze week: toets.") == 1


def test_notes_are_private_to_the_teacher_who_wrote_them(app, client, launch, new_browser):
    klas = teacher_klas(app, launch, user="teacher-1")
    _save(client, klas, "Alleen voor mij.")
    colleague_browser = new_browser()
    colleague = teacher_klas(app, launch, user="teacher-2", browser=colleague_browser)
    assert colleague.course_id == klas.course_id
    page = get_dashboard(colleague_browser, colleague)
    assert "Alleen voor mij." not in page
    assert _textarea(page) == ""
    # The colleague's own note does not overwrite or reveal the first one.
    _save(colleague_browser, colleague, "Mijn eigen notitie.")
    assert _textarea(get_dashboard(client, klas)) == "Alleen voor mij."
    assert "Alleen voor mij." not in client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True)


def test_an_expired_form_keeps_the_text(app, client, launch):
    klas = teacher_klas(app, launch)
    resp = _save(client, klas, "Een lange gedachte die niet verloren mag gaan.", token="verlopen")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert _textarea(page) == "Een lange gedachte die niet verloren mag gaan."
    assert "This form had expired" in page
    with app.app_context():
        assert db.session.execute(db.select(TeacherReflection)).first() is None


def test_a_note_that_is_too_long_is_refused_and_kept(app, client, launch):
    klas = teacher_klas(app, launch)
    text = "x" * (MAX_LENGTH + 1)
    resp = _save(client, klas, text)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert _textarea(page) == text
    assert 'aria-invalid="true"' in page
    assert f"longer than {MAX_LENGTH} characters" in page


def test_a_note_for_a_week_outside_the_course_is_refused(app, client, launch):
    klas = teacher_klas(app, launch)
    page = get_dashboard(client, klas)
    future = klas.week(-1)
    resp = client.post(
        f"/l/{klas.lid}/checkin/dashboard/reflection?week={future.isoformat()}", data={"csrf_token": csrf_token(page), "notes": "x"}
    )
    assert resp.status_code == 404
