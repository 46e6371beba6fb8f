"""The composer: drafts (form and autosave), second-tab conflicts, score validation,
guided parts, the coach on the page, the comment bank."""

from __future__ import annotations

import re

from lti_tool.extensions import db
from lti_tool.models.feedback import CommentSnippet, Feedback

from .conftest import csrf_of, page, student_ids


def _feedback(app, sub="student-1") -> Feedback:
    with app.app_context():
        fb = db.session.execute(db.select(Feedback).where(Feedback.student_id == student_ids(app)[sub])).scalar_one()
        db.session.expunge(fb)
        return fb


def test_save_draft_with_the_form(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    resp = c.save(text="Het lijkt erop dat je bronnen mist.", score="7,5", action="save")
    assert resp.status_code == 302 and "notice=saved" in resp.headers["Location"]
    fb = _feedback(app)
    assert fb.text == "Het lijkt erop dat je bronnen mist." and fb.score == 7.5 and fb.revision == 1
    html = page(c.open(notice="saved"))
    assert "Draft saved." in html and "Het lijkt erop dat je bronnen mist." in html
    assert 'name="score" type="text" inputmode="decimal" autocomplete="off" value="7.5"' in html  # English page: dot
    assert 'name="revision" value="1"' in html


def test_autosave_json_endpoint(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    resp = c.autosave({"text": "Eerste versie", "parts": {"opener": "Het lijkt erop dat"}, "score": "6.5", "revision": 0})
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["ok"] and data["changed"] and data["revision"] == 1 and "conflict" not in data
    assert data["message"].startswith("Draft saved at")
    fb = _feedback(app)
    assert fb.text == "Eerste versie" and fb.parts == {"opener": "Het lijkt erop dat"} and fb.score == 6.5
    # The same content again (a retry, or an autosave racing a submit) is not a new revision.
    again = c.autosave({"text": "Eerste versie", "parts": {"opener": "Het lijkt erop dat"}, "score": "6,5", "revision": 0}).get_json()
    assert again["revision"] == 1 and not again["changed"] and "conflict" not in again


def test_stale_revision_from_a_second_tab_is_saved_with_a_visible_warning(app, teacher, composer_for):
    t = teacher(locale="en")
    tab_a = composer_for(t.lid, "student-1")
    tab_b = composer_for(t.lid, "student-1")
    html_b = page(tab_b.open())  # both tabs open at revision 0
    token = csrf_of(html_b)
    assert tab_a.autosave({"text": "Versie uit tab A", "revision": 0}).get_json()["revision"] == 1
    # Tab B still believes revision 0: its save wins, but the other version is not lost.
    data = tab_b.autosave({"text": "Versie uit tab B", "revision": 0}, token=token).get_json()
    assert data["revision"] == 2
    assert data["conflict"]["text"] == "Versie uit tab A"
    assert re.search(r"changed in another tab at \d\d:\d\d", data["conflict"]["message"])
    fb = _feedback(app)
    assert fb.text == "Versie uit tab B" and fb.displaced_text == "Versie uit tab A"
    # The page shows the warning and the other version until the teacher hides it.
    html = page(tab_b.open())
    assert "This draft was changed in another tab at" in html
    assert re.search(r'<textarea id="fb-conflict-text"[^>]*>Versie uit tab A</textarea>', html)
    assert 'id="fb-conflict" class="notice notice-warn fb-conflict" role="alert" hidden' not in html
    resp = tab_b.save(text="Versie uit tab B", action="dismiss_conflict")
    assert resp.status_code == 302
    html = page(tab_b.open())
    assert "This draft was changed in another tab at" not in html


def test_stale_form_submit_without_javascript_shows_the_other_version(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    old_form = c.form()  # revision 0
    c.save(text="Nieuwere tekst uit een ander tabblad")
    resp = c.client.post(c.base, data={**old_form, "text": "Mijn tekst"})
    html = page(resp)
    assert resp.status_code == 200
    assert "This draft was changed in another tab at" in html
    assert "Nieuwere tekst uit een ander tabblad" in html
    assert _feedback(app).text == "Mijn tekst"


def test_publish_with_a_stale_revision_does_not_publish_unseen_changes(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    old_form = c.form()
    c.save(text="Tekst uit het andere tabblad")
    resp = c.client.post(c.base + "/publish", data={**old_form, "text": "Mijn tekst"})
    assert resp.status_code == 409
    assert "Not published yet" in page(resp)
    from .conftest import outbox_entries

    assert outbox_entries(app) == []


def test_score_validation(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    for raw, message in (
        ("11", "The score can be at most 10."),
        ("-1", "The score cannot be negative."),
        ("goed", "Enter the score as a number, for example 7,5."),
        ("7.555", "Use at most two decimals."),
    ):
        resp = c.save(text="Tekst blijft bewaard", score=raw)
        html = page(resp)
        assert resp.status_code == 400, raw
        assert message in html, raw
        assert 'aria-invalid="true"' in html
        assert f'value="{raw}"' in html  # what the teacher typed stays in the field
    fb = _feedback(app)
    assert fb.text == "Tekst blijft bewaard" and fb.score is None  # text saved, invalid score not
    for raw, value in (("7,5", 7.5), ("7.5", 7.5), ("10", 10.0), ("0", 0.0), ("", None)):
        assert c.save(text="Tekst", score=raw).status_code == 302, raw
        assert _feedback(app).score == value, raw
    # The autosave endpoint validates the same way and keeps the saved score.
    c.save(text="Tekst", score="8")
    data = c.autosave({"text": "Tekst 2", "score": "12", "revision": _feedback(app).revision}).get_json()
    assert data["errors"]["score"] == "The score can be at most 10."
    assert _feedback(app).score == 8.0 and _feedback(app).text == "Tekst 2"


def test_guided_parts_assemble_without_javascript(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    parts = {
        "part_opener": "Het lijkt erop dat je betoog een duidelijke opbouw heeft.",
        "part_standard": "Ik houd je aan een hoge standaard: elk argument heeft een bron.",
        "part_next_steps": "1. Zoek een bron voor argument 2.",
        "part_belief": "Ik weet dat je dit kunt.",
    }
    resp = c.save(action="assemble", **parts)
    assert resp.status_code == 302
    assert _feedback(app).text == (
        "Het lijkt erop dat je betoog een duidelijke opbouw heeft. Ik houd je aan een hoge standaard: elk argument heeft een bron."
        "\n\n1. Zoek een bron voor argument 2.\n\nIk weet dat je dit kunt."
    )
    # Submitting with only the parts filled assembles them too (no button needed).
    c2 = composer_for(t.lid, "student-2")
    c2.save(part_belief="Ik weet dat je dit kunt.")
    assert _feedback(app, "student-2").text == "Ik weet dat je dit kunt."
    # Assembling over a different free text keeps the earlier text visible to copy from.
    html = page(c.save(action="assemble", text="Mijn eigen tekst", **parts))
    assert "Your earlier text is below to copy from." in html and "Mijn eigen tekst" in html


def test_coach_findings_are_rendered_and_highlighted_without_javascript(teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    text = "Waarom heb je dit niet gedaan? Je bent lui. <script>alert(1)</script>"
    c.save(text=text)
    html = page(c.open())
    assert '<span class="fb-rule">R1</span>' in html and '<span class="fb-rule">R3</span>' in html
    assert re.search(r'<span class="fb-sev"><span class="fb-sev-icon" aria-hidden="true">.</span> High</span>', html)
    from lti_tool.feedback.coach import review

    r1 = next(f for f in review(text, "en", []) if f.rule == "R1")
    words = text[r1.start : r1.end]
    assert f'<mark class="fb-mark" data-rules="R1">{words}</mark><sup class="fb-mark-rule">R1</sup>' in html
    # The teacher's text is escaped around the highlights.
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_coach_json_endpoint_uses_page_language_and_others_for_r13(app, teacher, composer_for, client):
    t = teacher(locale="en")
    belief = "Ik weet zeker dat jij dit niveau kunt halen."
    for sub in ("student-2", "student-3"):
        composer_for(t.lid, sub).save(text=f"Het lijkt erop dat het goed gaat. {belief}")
    c = composer_for(t.lid, "student-1")
    token = csrf_of(page(c.open()))
    resp = client.post(
        f"/l/{t.lid}/feedback/coach",
        json={"text": "Why didn't you finish? " + belief, "student_id": student_ids(app)["student-1"]},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 200
    data = resp.get_json()
    rules = [f["rule"] for f in data["findings"]]
    assert "R1" in rules
    r1 = next(f for f in data["findings"] if f["rule"] == "R1")
    assert r1["severity"] == "high" and r1["severity_label"] == "High" and r1["quote"] and r1["suggestion"]
    assert r1["message"].isascii()  # English messages for an English page
    assert any(seg["rules"] == ["R1"] for seg in data["segments"])
    assert "".join(seg["text"] for seg in data["segments"]) == "Why didn't you finish? " + belief
    assert data["summary"].startswith("The coach has")


def test_comment_bank_append_without_javascript_and_placeholders(app, teacher, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    resp = c.save(
        text="Begin.", action="add_snippet", snippet_title="Vertrouwen", snippet_body="{first_name}, ik weet dat je dit kunt in {course}."
    )
    assert resp.status_code == 302
    with app.app_context():
        snippet = db.session.execute(db.select(CommentSnippet)).scalar_one()
        snippet_id = snippet.id
    html = page(c.open())
    assert 'data-insert="Anna, ik weet dat je dit kunt in Nederlands 2."' in html
    c.save(text="Begin.", append_snippet=str(snippet_id))
    assert _feedback(app).text == "Begin.\n\nAnna, ik weet dat je dit kunt in Nederlands 2."


def test_inserting_a_snippet_deleted_meanwhile_keeps_the_text_and_says_so(app, teacher, composer_for):
    t = teacher(locale="nl")
    c = composer_for(t.lid, "student-1")
    c.save(action="add_snippet", snippet_body="Ga zo door.")
    with app.app_context():
        snippet = db.session.execute(db.select(CommentSnippet)).scalar_one()
        snippet_id = snippet.id
        db.session.delete(snippet)
        db.session.commit()
    resp = c.save(text="Mijn getypte tekst.", append_snippet=str(snippet_id))
    assert resp.status_code == 302 and "notice=snippet_gone" in resp.headers["Location"]
    assert _feedback(app).text == "Mijn getypte tekst."
    assert "Dat fragment staat niet meer in de zinnenbank" in page(c.client.get(resp.headers["Location"]))


def test_comment_bank_json_create_edit_delete_own_only(app, client, teacher, composer_for, launch, new_browser):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-2")
    token = csrf_of(page(c.open()))
    resp = client.post(
        f"/l/{t.lid}/feedback/bank",
        json={"title": "", "body": "Goed bezig, {voornaam}!", "shared": True, "student_id": student_ids(app)["student-2"]},
        headers={"X-CSRFToken": token},
    )
    data = resp.get_json()
    assert resp.status_code == 200 and data["ok"]
    assert data["snippet"]["filled"] == "Goed bezig, Bram!" and data["snippet"]["title"] == "Goed bezig, {voornaam}!"
    sid = data["snippet"]["id"]
    bank = page(client.get(f"/l/{t.lid}/feedback/bank"))
    assert "Goed bezig, {voornaam}!" in bank
    assert (
        client.post(
            f"/l/{t.lid}/feedback/bank/{sid}",
            data={"csrf_token": token, "title": "Aanmoediging", "body": "Ga zo door, {first_name}.", "shared": "1"},
        ).status_code
        == 302
    )
    # A colleague in the same course sees the shared snippet but cannot change or delete it.
    other = new_browser()
    colleague = launch("instructor", user="teacher-2", activity="feedback", browser=other, locale="en")
    colleague_bank = page(other.get(f"/l/{colleague.lid}/feedback/bank"))
    assert "Ga zo door, {first_name}." in colleague_bank
    ctoken = csrf_of(colleague_bank)
    assert other.post(f"/l/{colleague.lid}/feedback/bank/{sid}", data={"csrf_token": ctoken, "title": "x", "body": "x"}).status_code == 404
    assert other.post(f"/l/{colleague.lid}/feedback/bank/{sid}/delete", data={"csrf_token": ctoken}).status_code == 404
    # Unshared: the colleague no longer sees it; the owner deletes it.
    client.post(f"/l/{t.lid}/feedback/bank/{sid}", data={"csrf_token": token, "title": "Aanmoediging", "body": "Ga zo door, {first_name}."})
    assert "Ga zo door" not in page(other.get(f"/l/{colleague.lid}/feedback/bank"))
    assert client.post(f"/l/{t.lid}/feedback/bank/{sid}/delete", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(CommentSnippet)).first() is None


def test_shared_snippets_stay_in_their_course(app, client, teacher, composer_for, launch, new_browser):
    t = teacher(locale="en")
    token = csrf_of(page(client.get(f"/l/{t.lid}/feedback/bank")))
    client.post(f"/l/{t.lid}/feedback/bank", data={"csrf_token": token, "title": "Gedeeld", "body": "Gedeelde zin.", "shared": "1"})
    other = new_browser()
    elsewhere = launch("instructor", user="teacher-2", course="course-2", activity="feedback", browser=other, locale="en")
    assert "Gedeelde zin." not in page(other.get(f"/l/{elsewhere.lid}/feedback/bank"))
