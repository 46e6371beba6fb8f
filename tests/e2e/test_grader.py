"""Real-browser flow: grading from the LMS's own grading view, and feedback as a dialogue.

``test_review_dialogue`` (nl, en): the teacher opens the feedback activity once (Erbij adds
submissionReview to the LMS's column) → the demo's "Grade in the LMS" page → Review for one
student → Erbij opens that student's composer in the iframe → asks a perspective question,
writes feedback and publishes → the student opens the activity, answers the question and
"What will you do next?" (looked at at phone width, 390 px) and sends → the teacher reviews
the student again: the reply is there, marked new; answers once → the student reads the
answer and can no longer change the reply.

Screenshots of every step are written to test-artifacts/shots/grader-*.png.
"""

from __future__ import annotations

import re

import pytest

from .driver import COURSE, FEEDBACK_LINK, TEACHER
from .harness import ARTIFACTS
from .texts import tr

pytestmark = pytest.mark.e2e

SHOTS = ARTIFACTS / "shots"
STUDENT = {"nl": "tim.vandijk", "en": "noah.smit"}
NAME = {"nl": "Tim van Dijk", "en": "Noah Smit"}
QUESTION = {
    "nl": "Over welk deel van je betoog ben je zelf het meest tevreden?",
    "en": "Which part of your essay are you most satisfied with yourself?",
}
FEEDBACK = {
    "nl": "Je inleiding maakt meteen duidelijk waar je staat. Ik houd je aan de eis dat elk argument een bron heeft: bij argument 2 ontbreekt die nog. Volgende stap: zoek een betrouwbare bron voor argument 2. Ik weet dat je dit kunt.",
    "en": "Your introduction makes your position clear at once. I'm holding you to the standard that every argument has a source: argument 2 still lacks one. Next step: find a reliable source for argument 2. I know you can do this.",
}
NEXT_STEP = {
    "nl": "Ik zoek vrijdag een bron voor argument 2 in de mediatheek.",
    "en": "On Friday I will find a source for argument 2 in the library.",
}
PERSPECTIVE = {"nl": "Mijn slot: dat vond ik sterk.", "en": "My conclusion: I thought it was strong."}
NOTE = {"nl": "Ik was twee weken ziek.", "en": "I was ill for two weeks."}
ANSWER = {
    "nl": "Goed plan. Kom gerust langs als je hulp zoekt bij de bron.",
    "en": "Good plan. Come and see me if you want help with the source.",
}


def shot(target, name: str, lang: str, frame=None, top: str | None = None) -> None:
    """A full-page screenshot; `top` (a selector in `frame`) is scrolled to the top of the iframe first."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SHOTS / f"grader-{name}-{lang}.png")
    if frame is not None:
        # The tool's own page, as the teacher sees it inside the LMS's frame (a full-page
        # shot of the LMS paints a scrolled iframe blank).
        if top:
            frame.locator(top).first.evaluate("el => el.scrollIntoView({block: 'start'})")
        frame.frame_element().screenshot(path=path)
        return
    target.screenshot(path=path, full_page=True)


def review(b, lang: str):
    """From the LMS's grading page, Review the student: Erbij opens in the iframe."""
    b.page.goto(b.lms(f"/courses/{COURSE}/grader"))
    row = b.page.locator("tr", has_text=NAME[lang])
    row.get_by_role("link", name=re.compile("Review")).first.click()
    b.wait_lms(r"open=review")
    return b.wait_tool(re.compile(r"/feedback/students/\d+"), timeout=30)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_review_dialogue(open_browser, lang):
    t = open_browser("grader", lang, "allowed", "off")
    t.page.set_viewport_size({"width": 1280, "height": 1500})
    t.sign_in(TEACHER)
    t.open_activity(FEEDBACK_LINK, re.compile(r"/feedback/grading"))

    frame = review(t, lang)
    t.expect_text(frame, NAME[lang], "composer opened by the review")
    assert frame.locator("a[rel=next]").count() == 1, "the composer offers the next student"
    frame.locator("#fb-question").fill(QUESTION[lang])
    frame.locator("#fb-text").fill(FEEDBACK[lang])
    # The coach's finding, not the label of the same name in the five-part guide.
    t.expect_text(frame.locator("#coach-findings"), {"nl": "Voorzichtige opening", "en": "Tentative opener"}[lang], "the coach reads along", timeout=20)
    shot(t.page, "composer-question", lang, frame, ".fb-page-head")
    t.check("composer with a perspective question", frame)
    frame.get_by_role("button", name=tr(lang, "Publish to the gradebook")).click()
    frame = t.wait_tool(re.compile(r"notice=published"))

    s = open_browser("grader-student", lang, "allowed", "off")
    s.page.set_viewport_size({"width": 1280, "height": 1400})
    s.sign_in(STUDENT[lang])
    sf = s.open_activity(FEEDBACK_LINK, re.compile(r"/feedback/mine"))
    s.expect_text(sf, QUESTION[lang], "the student sees the question")
    # The newest feedback comes first; other flows on this stack may have given the student
    # feedback before, with a reply form of its own.
    latest = sf.locator("article").first
    latest.locator("textarea[name=perspective]").fill(PERSPECTIVE[lang])
    latest.locator("textarea[name=next_step]").fill(NEXT_STEP[lang])
    latest.locator("textarea[name=note]").fill(NOTE[lang])
    shot(s.page, "student-reply-form", lang, sf, "h1")
    s.check("student reply form", sf)
    s.page.set_viewport_size({"width": 390, "height": 1400})
    shot(s.page, "student-reply-phone", lang, sf, ".fb-my-reply")
    latest.get_by_role("button", name=tr(lang, "Send to my teacher")).click()
    sf = s.wait_tool(re.compile(r"notice=sent"))
    s.expect_text(
        sf, tr(lang, "Your reply is sent to your teacher. You can still change it until your teacher has read it."), "sent notice"
    )

    t.page.goto(t.lms(f"/courses/{COURSE}/grader"))
    shot(t.page, "lms-grader-page", lang)
    frame = review(t, lang)
    t.expect_text(frame, NEXT_STEP[lang], "the teacher sees the reply")
    t.expect_text(frame, NOTE[lang], "the teacher sees the note")
    shot(t.page, "teacher-reply-view", lang, frame, ".fb-page-head")
    t.check("teacher's view of the reply", frame)
    frame.locator("#dialogue textarea[name=answer]").first.fill(ANSWER[lang])
    frame.get_by_role("button", name=tr(lang, "Send answer")).first.click()
    frame = t.wait_tool(re.compile(r"notice=answered"))
    t.expect_text(frame, ANSWER[lang], "the answer is shown")
    frame.get_by_role("link", name=tr(lang, "All students")).click()
    frame = t.wait_tool(re.compile(r"/feedback/grading"))
    t.expect_text(frame, tr(lang, "Replies from students"), "the grading view lists the replies")
    shot(t.page, "grading-replies", lang, frame, ".fb-replies")

    s.page.set_viewport_size({"width": 1280, "height": 1400})
    sf = s.open_activity(FEEDBACK_LINK, re.compile(r"/feedback/mine"))
    s.expect_text(sf, ANSWER[lang], "the student reads the answer")
    s.expect_text(sf, tr(lang, "Your teacher has read your reply."), "the reply is final once read")
    assert sf.locator("article").first.locator("textarea[name=next_step]").count() == 0
    shot(s.page, "student-answer", lang, sf, ".fb-my-reply")
