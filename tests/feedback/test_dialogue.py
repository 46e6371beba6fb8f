"""Feedback as a dialogue and "perspective first": the student's reply under a published
feedback, the teacher's one answer, and what neither may do."""

from __future__ import annotations

import re

from lti_tool.extensions import db
from lti_tool.models.dialogue import FeedbackReply
from lti_tool.models.feedback import FeedbackPublish

from .conftest import AGS, csrf_of, outbox_entries, page, student_ids

TEXT = "Het lijkt erop dat je verslag een sterke opbouw heeft. Volgende stap: voeg een bron toe."
QUESTION = "Welk deel vond je zelf het sterkst?"


def publish_ids(app) -> dict[int, int]:
    """publish id → student users.id"""
    with app.app_context():
        return {p.id: p.feedback.student_id for p in db.session.execute(db.select(FeedbackPublish)).scalars()}


class StudentPage:
    """A student's browser on their own feedback page."""

    def __init__(self, lid: str, client):
        self.lid, self.client = lid, client

    def get(self):
        resp = self.client.get(f"/l/{self.lid}/feedback/mine")
        assert resp.status_code == 200
        return page(resp)

    def post(self, publish_id: int, **fields):
        data = {"csrf_token": csrf_of(self.get()), **fields}
        return self.client.post(f"/l/{self.lid}/feedback/mine/{publish_id}/reply", data=data)


def open_student(launch, lms, new_browser, sub="student-1", locale="en"):
    b = new_browser()
    launched = launch("learner", user=sub, activity="feedback", locale=locale, claims={AGS: lms.ags_claim()}, browser=b)
    return StudentPage(launched.lid, b)


def test_perspective_question_is_published_with_the_feedback_but_not_sent_to_the_gradebook(
    app, teacher, lms, composer_for, new_browser, launch
):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    html = page(c.open())
    # Before the wise-feedback parts.
    assert html.index('id="fb-question"') < html.index('class="fb-guide"')
    assert "Perspective first" in html
    resp = c.publish(text=TEXT, score="7", question=QUESTION)
    assert resp.status_code == 302
    [entry] = [e for e in outbox_entries(app) if e.source == "feedback"]
    assert "comment" in entry.payload and QUESTION not in str(entry.payload)
    s = open_student(launch, lms, new_browser)
    mine = s.get()
    assert QUESTION in mine and "Your teacher asks" in mine and 'name="perspective"' in mine
    # Changing only the question is a new publish.
    assert "notice=published" in c.publish(text=TEXT, score="7", question=QUESTION + " En waarom?").headers["Location"]


def test_dialogue_round_trip(app, teacher, lms, composer_for, new_browser, launch):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    c.publish(text=TEXT, question=QUESTION)
    composer_for(t.lid, "student-2").publish(text=TEXT)
    pubs = publish_ids(app)
    ids = student_ids(app)
    pub1 = next(p for p, s in pubs.items() if s == ids["student-1"])
    pub2 = next(p for p, s in pubs.items() if s == ids["student-2"])
    entries_before = len(outbox_entries(app))

    anna = open_student(launch, lms, new_browser, "student-1")
    # A draft is kept, and the teacher does not see it.
    resp = anna.post(pub1, action="draft", next_step="Ik zoek een bron.", perspective="De inleiding.")
    assert resp.status_code == 302 and "notice=draft_saved" in resp.headers["Location"]
    mine = anna.get()
    assert "Ik zoek een bron." in mine and "Only you can see it until you send it" in mine
    grading = page(t_client_get(c, f"/l/{t.lid}/feedback/grading"))
    assert "Replies from students" not in grading and "Replied" not in grading

    # Sending needs "what will you do next?".
    resp = anna.post(pub1, action="send", next_step="", note="x")
    assert resp.status_code == 400 and "Write what you will do next" in page(resp)

    assert (
        "notice=sent"
        in anna.post(
            pub1, action="send", next_step="Ik zoek een bron voor argument 2.", note="Ik was ziek.", perspective="De inleiding."
        ).headers["Location"]
    )
    bram = open_student(launch, lms, new_browser, "student-2")
    assert "notice=sent" in bram.post(pub2, action="send", next_step="Ik herschrijf mijn slot.").headers["Location"]
    # Editable until read.
    assert (
        "notice=updated"
        in anna.post(pub1, action="send", next_step="Ik zoek twee bronnen.", note="Ik was ziek.", perspective="De inleiding.").headers[
            "Location"
        ]
    )

    grading = page(t_client_get(c, f"/l/{t.lid}/feedback/grading"))
    assert "Replies from students" in grading
    # Newest first: Anna changed hers last, but she sent before Bram.
    assert grading.index("Ik herschrijf mijn slot.") < grading.index("Ik zoek twee bronnen.")
    assert grading.count("Replied, not read yet") == 2

    html = page(c.open())  # the teacher reads Anna's thread
    assert "Ik zoek twee bronnen." in html and "Ik was ziek." in html and "De inleiding." in html and QUESTION in html
    grading = page(t_client_get(c, f"/l/{t.lid}/feedback/grading"))
    assert grading.count("Replied, not read yet") == 1 and "Replied</span>" in grading

    # Read: the student can no longer change it.
    resp = anna.post(pub1, action="send", next_step="Toch iets anders.")
    assert "notice=locked" in resp.headers["Location"]
    mine = anna.get()
    assert "Toch iets anders." not in mine and "Your teacher has read your reply." in mine

    with app.app_context():
        reply_id = db.session.execute(db.select(FeedbackReply.id).where(FeedbackReply.publish_id == pub1)).scalar_one()
    answer_url = f"/l/{t.lid}/feedback/students/{ids['student-1']}/replies/{reply_id}/answer"
    token = csrf_of(html)
    resp = c.client.post(answer_url, data={"csrf_token": token, "answer": "Goed plan. Kom gerust langs."})
    assert resp.status_code == 302 and "notice=answered" in resp.headers["Location"]
    again = c.client.post(answer_url, data={"csrf_token": token, "answer": "Nog iets."})
    assert again.status_code == 409 and "a reply can be answered once" in page(again)
    mine = anna.get()
    assert "Goed plan. Kom gerust langs." in mine and "Nog iets." not in mine

    # Replies and answers never reach the gradebook.
    assert len(outbox_entries(app)) == entries_before
    assert all("Ik zoek" not in str(e.payload) and "Goed plan" not in str(e.payload) for e in outbox_entries(app))


def t_client_get(composer, path):
    resp = composer.client.get(path)
    assert resp.status_code == 200
    return resp


def test_a_student_can_never_read_or_answer_another_students_thread(app, teacher, lms, composer_for, new_browser, launch):
    t = teacher(locale="en")
    composer_for(t.lid, "student-1").publish(text="Alleen voor Anna: sterk begin.", question="Geheime vraag voor Anna?")
    composer_for(t.lid, "student-2").publish(text=TEXT)
    ids = student_ids(app)
    pubs = publish_ids(app)
    anna_pub = next(p for p, s in pubs.items() if s == ids["student-1"])
    anna = open_student(launch, lms, new_browser, "student-1")
    anna.post(anna_pub, action="send", next_step="Anna's plan.")

    bram = open_student(launch, lms, new_browser, "student-2")
    mine = bram.get()
    assert "Alleen voor Anna" not in mine and "Geheime vraag" not in mine and "Anna's plan." not in mine
    # By id manipulation: Anna's publish id in Bram's reply URL.
    resp = bram.post(anna_pub, action="send", next_step="Overschreven door Bram")
    assert resp.status_code == 404
    with app.app_context():
        reply = db.session.execute(db.select(FeedbackReply).where(FeedbackReply.publish_id == anna_pub)).scalar_one()
        assert reply.next_step == "Anna's plan." and reply.student_id == ids["student-1"]
    # A student cannot use the teacher's answer form, nor open a composer.
    token = csrf_of(mine)
    answer = f"/l/{bram.lid}/feedback/students/{ids['student-1']}/replies/{reply.id}/answer"
    assert bram.client.post(answer, data={"csrf_token": token, "answer": "x"}).status_code == 403
    assert bram.client.get(f"/l/{bram.lid}/feedback/students/{ids['student-1']}").status_code == 403
    # The teacher cannot answer Anna's reply under Bram's URL either.
    c = composer_for(t.lid, "student-2")
    wrong = f"/l/{t.lid}/feedback/students/{ids['student-2']}/replies/{reply.id}/answer"
    assert c.client.post(wrong, data={"csrf_token": csrf_of(page(c.open())), "answer": "x"}).status_code == 404


def test_new_forms_need_csrf(app, teacher, lms, composer_for, new_browser, launch):
    t = teacher(locale="en")
    composer_for(t.lid, "student-1").publish(text=TEXT)
    [pub] = publish_ids(app)
    anna = open_student(launch, lms, new_browser, "student-1")
    assert anna.client.post(f"/l/{anna.lid}/feedback/mine/{pub}/reply", data={"action": "send", "next_step": "x"}).status_code == 400
    assert re.search(r'action="[^"]+/reply"[^>]*>\s*<input type="hidden" name="csrf_token"', anna.get())
    anna.post(pub, action="send", next_step="x")
    with app.app_context():
        reply_id = db.session.execute(db.select(FeedbackReply.id)).scalar_one()
    c = composer_for(t.lid, "student-1")
    url = f"/l/{t.lid}/feedback/students/{student_ids(app)['student-1']}/replies/{reply_id}/answer"
    assert c.client.post(url, data={"answer": "x"}).status_code == 400
    html = page(c.open())
    assert re.search(r'action="[^"]+/answer"[^>]*>\s*<input type="hidden" name="csrf_token"', html)


def test_a_persons_replies_are_in_their_export_and_go_with_them(app, teacher, lms, composer_for, new_browser, launch, platform):
    from lti_tool.people import delete_person, export_person

    t = teacher(locale="en")
    composer_for(t.lid, "student-1").publish(text=TEXT, question=QUESTION)
    [pub] = publish_ids(app)
    anna = open_student(launch, lms, new_browser, "student-1")
    anna.post(pub, action="send", next_step="Ik zoek een bron.", note="Ik was ziek.", perspective="De inleiding.")
    with app.app_context():
        data = export_person(platform.registration_id, "student-1")
        [reply] = data["feedback_replies"]
        assert (reply["next_step"], reply["note"], reply["perspective"]) == ("Ik zoek een bron.", "Ik was ziek.", "De inleiding.")
        counts = delete_person(platform.registration_id, "student-1")
        db.session.commit()
        assert counts["feedback_replies"] == 1
        assert db.session.execute(db.select(FeedbackReply)).first() is None


def test_two_tabs_saving_the_first_reply_at_once_leave_one_reply(app, teacher, lms, composer_for, monkeypatch):
    from lti_tool.feedback import dialogue

    t = teacher(locale="en")
    composer_for(t.lid, "student-1").publish(text=TEXT)
    [(pub_id, student_id)] = publish_ids(app).items()
    real_reply_under = dialogue._reply_under
    lookups = []

    def save(next_step: str) -> str:
        data = dialogue.ReplyInput(next_step=next_step, note="", perspective="", send=False, errors={})
        return dialogue.save_reply(db.session.get(FeedbackPublish, pub_id), student_id, data).outcome

    def other_tab_in_between(pub):
        lookups.append(pub.id)
        if len(lookups) == 1:
            # This tab finds no reply yet; the other tab (its own session) saves first.
            with app.app_context():
                assert save("Uit de andere tab.") == "draft_saved"
            return real_reply_under(pub).where(db.false())
        return real_reply_under(pub)

    monkeypatch.setattr(dialogue, "_reply_under", other_tab_in_between)
    with app.app_context():
        assert save("Ik zoek een bron.") == "draft_saved"
        [reply] = db.session.execute(db.select(FeedbackReply)).scalars().all()
        assert reply.next_step == "Ik zoek een bron." and reply.sent_at is None
        assert len(lookups) == 3  # this tab, the other tab, this tab again after its insert was refused
