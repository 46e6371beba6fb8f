"""Real-browser feedback flows: coached feedback in the grading view → the LMS gradebook →
the student reads it.

Combinations (see test_checkin.py for why these): desktop nl·blocked·storage off,
en·blocked·storage on, nl·allowed·storage off; the student's reading also on phones
(nl·blocked·storage off, en·allowed·storage on); the composer once keyboard-only (en).

- ``test_feedback_publish_and_read`` (3): the teacher opens the seeded feedback activity
  (gradebook column "Betoog", max 10) → the grading view lists the class (NRPS) → the
  composer for one student → types a judgemental draft: the coach's findings (R1 "why"
  question, R3 label) appear while typing → rewrites it into wise feedback: R1 and R3 go
  → score → Publish → the demo gradebook shows the score and the comment (the outbox
  drains in-process; polled up to 20 s) → the composer says published → the student
  opens the activity and reads the feedback and score in Erbij.
- ``test_feedback_read_on_phone`` (2): published from a desktop browser, read by the
  student on a phone (reflow, 24 px targets).
- ``test_keyboard_composer`` (1): from the grading view with Tab/Enter only; types the
  feedback and the score, publishes with Enter; focus visible at every stop.

Each test writes feedback for its own student.
"""

from __future__ import annotations

import re
import time

import pytest

from .driver import FEEDBACK_LINK, TEACHER
from .flows import name_pattern, tab_until
from .texts import tr

pytestmark = pytest.mark.e2e

BAD = {
    "nl": "Waarom heb je de bronnen niet gecontroleerd? Je bent lui.",
    "en": "Why didn't you check your sources? You're careless.",
}
GOOD = {
    "nl": (
        "Het lijkt erop dat je veel tijd in je betoog hebt gestoken, en dat is te zien aan je "
        "heldere inleiding. Een sterk betoog vraagt meer dan een mening: ik houd je aan de eis dat "
        "elk argument met een bron onderbouwd is. Bij argument 2 en 3 ontbreekt die bron nog. "
        "Volgende stappen: 1. Zoek voor argument 2 een betrouwbare bron. 2. Verwerk een citaat bij "
        "argument 3. 3. Lees je slot hardop voor. Ik weet dat je dit niveau kunt halen."
    ),
    "en": (
        "It looks like you put a lot of time into your essay, and that shows in your clear "
        "introduction. A strong argument needs more than an opinion: I'm holding you to the "
        "standard that every argument is supported by a source. In arguments 2 and 3 that source "
        "is still missing. Next steps:\n1. Find a reliable source for argument 2.\n"
        "2. Add a quotation to argument 3.\n3. Read your conclusion aloud.\n"
        "Many students find this step hard, which makes sense. I know you can reach this level."
    ),
}
SCORE = {"nl": ("7,5", "7.5"), "en": ("7.5", "7.5")}  # (typed, as the gradebook shows it)

FLOWS = [
    pytest.param("nl", "blocked", "off", "sanne.bakker", id="nl-blocked-storageoff"),
    pytest.param("en", "blocked", "on", "mohammed.elamrani", id="en-blocked-storageon"),
    pytest.param("nl", "allowed", "off", "lisa.jansen", id="nl-allowed-storageoff"),
]


def _rules(frame) -> set[str]:
    return {t.strip() for t in frame.locator("#coach-findings .fb-rule").all_inner_texts()}


def _wait_rules(b, frame, present: set[str], absent: set[str], where: str, timeout: float = 10) -> set[str]:
    deadline = time.monotonic() + timeout
    rules: set[str] = set()
    while time.monotonic() < deadline:
        rules = _rules(frame)
        if present <= rules and not (absent & rules):
            return rules
        time.sleep(0.2)
    b.fail(f"{where}: the coach shows {sorted(rules)}; expected {sorted(present)} present and {sorted(absent)} gone", frame)
    raise AssertionError


def open_composer(b, student: str, audit: bool = True):
    frame = b.open_activity(FEEDBACK_LINK, expect=r"/feedback/grading")
    if audit:
        b.check("grading")
    link = frame.locator("a.fb-student-link", has_text=name_pattern(student))
    if link.count() != 1:
        b.fail(
            f"The grading view does not list {student} once (found {link.count()}); it lists {frame.locator('a.fb-student-link').all_inner_texts()}",
            frame,
        )
    link.click()
    return b.wait_tool(r"/feedback/students/\d+")


def expect_in_gradebook(b, student: str, score: str, snippet: str, timeout: float = 20) -> None:
    """Poll the demo LMS's gradebook until the student's Betoog cell has the score and comment."""
    deadline = time.monotonic() + timeout
    cell_text = ""
    while time.monotonic() < deadline:
        b.page.goto(b.lms("/courses/course-nl2/gradebook"))
        column = b.page.locator("#gradebook thead th", has_text="Feedback: betoog").first
        lineitem = column.get_attribute("data-lineitem") if column.count() else None
        cell = b.page.locator(f"#gradebook td[data-user='{student}'][data-lineitem='{lineitem}']")
        if cell.count() == 1:
            cell_text = " ".join(cell.inner_text().split())
            comment = " ".join(cell.locator(".comment").all_inner_texts())
            if f"{score} / 10" in cell_text and snippet in " ".join(comment.split()):
                return
        time.sleep(1)
    b.fail(f"The LMS gradebook did not show {score} / 10 with the comment for {student} within {timeout}s (cell: {cell_text!r})", b.page)


def publish_feedback(b, student: str, lang: str, audit: bool = True) -> None:
    frame = open_composer(b, student, audit=audit)
    if audit:
        b.check("composer")
    text = frame.locator("#fb-text")
    text.fill(BAD[lang])
    rules = _wait_rules(b, frame, {"R1", "R3"}, set(), "judgemental draft")
    if audit:
        b.check("composer-coached")
    text.fill(GOOD[lang])
    _wait_rules(b, frame, set(), {"R1", "R3"}, "rewritten draft")
    assert rules
    frame.locator("#fb-score").fill(SCORE[lang][0])
    frame.locator("button[formaction$='/publish']").click()
    frame = b.wait_tool(r"/feedback/students/\d+\?notice=published")
    b.expect_text(
        frame, tr(lang, "Published. Erbij is sending it to the gradebook; the status is shown below."), "composer after publishing"
    )
    if audit:
        b.check("published")


@pytest.mark.parametrize(("lang", "regime", "storage", "student"), FLOWS)
def test_feedback_publish_and_read(open_browser, lang, regime, storage, student):
    b = open_browser("feedback", lang, regime, storage)
    b.sign_in(TEACHER)
    publish_feedback(b, student, lang)

    expect_in_gradebook(b, student, SCORE[lang][1], GOOD[lang].split(".")[0])
    b.audit.screenshot(b.page, "lms-gradebook")

    # Back in Erbij the status says it reached the gradebook.
    frame = open_composer(b, student, audit=False)
    badge = frame.locator(".fb-page-head .fb-badges")
    if tr(lang, "Published") not in badge.inner_text():
        b.fail(f"After the gradebook received it, the composer's status is {badge.inner_text()!r}, not {tr(lang, 'Published')!r}", frame)
    b.check("composer-after-gradebook")

    # The student reads it.
    b.sign_in(student)
    frame = b.open_activity(FEEDBACK_LINK, expect=r"/feedback/mine")
    body = " ".join(frame.locator("main").inner_text().split())
    if " ".join(GOOD[lang].split())[:80] not in body:
        b.fail("The student does not see the published feedback text", frame)
    if SCORE[lang][1].replace(".", "," if lang == "nl" else ".") not in body and SCORE[lang][1] not in body:
        b.fail(f"The student does not see the score {SCORE[lang][1]}", frame)
    b.check("student-reads")
    b.audit.assert_clean()


@pytest.mark.parametrize(
    ("lang", "regime", "storage", "student"),
    [
        pytest.param("nl", "blocked", "off", "daan.visser", id="nl-blocked-storageoff-phone"),
        pytest.param("en", "allowed", "on", "noah.smit", id="en-allowed-storageon-phone"),
    ],
)
def test_feedback_read_on_phone(open_browser, lang, regime, storage, student):
    teacher = open_browser("feedback-teacher", lang, regime, storage)
    teacher.sign_in(TEACHER)
    publish_feedback(teacher, student, lang, audit=False)
    teacher.context.close()

    b = open_browser("feedback-phone", lang, regime, storage, "phone")
    b.sign_in(student)
    frame = b.open_activity(FEEDBACK_LINK, expect=r"/feedback/mine")
    body = " ".join(frame.locator("main").inner_text().split())
    if " ".join(GOOD[lang].split())[:80] not in body:
        b.fail("The student does not see the published feedback text on the phone", frame)
    b.check("student-reads")
    b.audit.assert_clean()


def test_keyboard_composer(open_browser):
    lang, student = "en", "emma.deboer"
    b = open_browser("keyboard-composer", lang, "blocked", "off")
    b.sign_in(TEACHER)
    frame = b.open_activity(FEEDBACK_LINK, expect=r"/feedback/grading")
    b.page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    pattern = name_pattern(student)
    tab_until(b, frame, lambda f: f["tag"] == "a" and bool(pattern.search(f["text"])), f"the link to {student}", max_presses=80)
    b.page.keyboard.press("Enter")
    frame = b.wait_tool(r"/feedback/students/\d+")
    tab_until(b, frame, lambda f: f["id"] == "fb-text", "the feedback text", max_presses=60)
    b.page.keyboard.type(BAD[lang])
    _wait_rules(b, frame, {"R1"}, set(), "keyboard: judgemental draft")
    b.page.keyboard.press("Control+A")
    b.page.keyboard.type(GOOD[lang].replace("\n", " "))
    _wait_rules(b, frame, set(), {"R1", "R3"}, "keyboard: rewritten draft")
    tab_until(b, frame, lambda f: f["id"] == "fb-score", "the score field", max_presses=10)
    b.page.keyboard.type("8")
    publish_label = tr(lang, "Publish to the gradebook")
    tab_until(b, frame, lambda f: f["tag"] == "button" and publish_label in f["text"], "the publish button", max_presses=10)
    b.page.keyboard.press("Enter")
    frame = b.wait_tool(r"/feedback/students/\d+\?notice=published")
    b.check("published")
    b.audit.assert_clean()
    assert re.search(r"notice=published", frame.url)
