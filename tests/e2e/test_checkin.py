"""Real-browser check-in flows: the student answers in the LMS iframe; the teacher sees it.

The launch itself is covered by the full matrix in test_launch.py; these heavier flows
run in fewer combinations, chosen so that every cookie path and both languages are used:

    FEATURE combos (desktop 1280×900)      PHONE combos (360×740, touch, mobile)
    nl · cookies blocked · storage off     nl · cookies blocked · storage off
    en · cookies blocked · storage on      en · cookies allowed · storage on
    nl · cookies allowed · storage off

- ``test_student_checkin`` (3 desktop + 2 phone): answer all seven, opt in, an idea, send;
  the thank-you page; change an answer the same week (the form comes back filled in); the
  thank-you page shows the change; the history shows it. Every page: axe (no serious or
  critical violation), title, lang; on phones also no horizontal scrolling and 24×24 px
  targets (taps on the labels, as a thumb would).
- ``test_dashboard`` (3): a student opted in this week; the teacher's dashboard shows the
  response rate against the class list (8 students, from NRPS) and the student's name under
  "asked to talk".
- ``test_keyboard_checkin`` (1): Tab from the LMS page into the iframe, then Tab, Space and
  the arrow keys only; every focused element must show a visible focus indicator.

Each test uses its own student (the check-in is one response per student per week), so the
tests do not depend on each other or on their order.
"""

from __future__ import annotations

import re

import pytest

from .driver import CHECKIN_LINK, TEACHER
from .flows import completion, ensure_checked_in, fill_checkin, scale_label, submit_checkin, tab_until
from .texts import tr

pytestmark = pytest.mark.e2e

FEATURE = [
    pytest.param("nl", "blocked", "off", id="nl-blocked-storageoff"),
    pytest.param("en", "blocked", "on", id="en-blocked-storageon"),
    pytest.param("nl", "allowed", "off", id="nl-allowed-storageoff"),
]
STUDENT_FLOWS = [
    pytest.param("nl", "blocked", "off", "desktop", "sanne.bakker", id="nl-blocked-storageoff-desktop"),
    pytest.param("en", "blocked", "on", "desktop", "mohammed.elamrani", id="en-blocked-storageon-desktop"),
    pytest.param("nl", "allowed", "off", "desktop", "lisa.jansen", id="nl-allowed-storageoff-desktop"),
    pytest.param("nl", "blocked", "off", "phone", "daan.visser", id="nl-blocked-storageoff-phone"),
    pytest.param("en", "allowed", "on", "phone", "noah.smit", id="en-allowed-storageon-phone"),
]

FIRST = {"B1": 4, "B2": 5, "S1": 4, "P1": 2, "C1": 3, "P2": 4, "A1": 3}
IDEA = {"nl": "Meer tijd om in groepjes te werken.", "en": "More time to work in small groups."}


def _answer_in_summary(b, frame, item_id: str, lang: str) -> str:
    details = frame.locator("details.my-answers")
    if not details.evaluate("(d) => d.open"):
        summary = details.locator("summary")
        summary.tap() if b.viewport == "phone" else summary.click()
    row = details.locator(".answer-row", has=frame.locator("dt", has_text=completion(item_id, lang)))
    if row.count() != 1:
        b.fail(f"The thank-you page does not list the answer to {item_id} ({completion(item_id, lang)!r})", frame)
    return row.locator("dd").inner_text().strip()


def _click(b, locator):
    locator.tap() if b.viewport == "phone" else locator.click()


@pytest.mark.parametrize(("lang", "regime", "storage", "viewport", "student"), STUDENT_FLOWS)
def test_student_checkin(open_browser, lang, regime, storage, viewport, student):
    b = open_browser("checkin", lang, regime, storage, viewport)
    b.sign_in(student)
    frame = b.open_activity(CHECKIN_LINK, expect=r"/checkin/week$")
    b.expect_text(frame, tr(lang, "How was this week?"), "check-in form")
    b.check("form")

    fill_checkin(b, frame, FIRST, opt_in=True, idea=IDEA[lang])
    submit_checkin(b, frame)
    frame = b.wait_tool(r"/checkin/week/done")
    b.expect_text(frame, tr(lang, "Thank you for checking in!"), "thank-you page")
    if _answer_in_summary(b, frame, "B1", lang) != scale_label(lang, FIRST["B1"]):
        b.fail(f"The thank-you page shows the wrong answer for B1 (expected {scale_label(lang, FIRST['B1'])!r})", frame)
    b.check("thank-you")

    # Change an answer the same week: the form comes back as the student left it.
    _click(b, frame.get_by_role("link", name=tr(lang, "Change my answers")))
    frame = b.wait_tool(r"/checkin/week$")
    for item_id, value in FIRST.items():
        if not frame.locator(f"input[name={item_id}][value='{value}']").is_checked():
            b.fail(f"Changing answers: {item_id}={value} is not filled in any more", frame)
    if not frame.locator("input[name=O1]").is_checked():
        b.fail("Changing answers: the opt-in is not ticked any more", frame)
    if frame.locator("textarea[name=Q]").input_value() != IDEA[lang]:
        b.fail("Changing answers: the open answer is not filled in any more", frame)
    b.check("change")
    fill_checkin(b, frame, {"B1": 2}, opt_in=True)
    submit_checkin(b, frame)
    frame = b.wait_tool(r"/checkin/week/done")
    if _answer_in_summary(b, frame, "B1", lang) != scale_label(lang, 2):
        b.fail(f"After changing B1 to 2 the thank-you page does not show {scale_label(lang, 2)!r}", frame)
    b.check("changed")

    # The history shows this week with the changed answer.
    _click(b, frame.get_by_role("link", name=tr(lang, "See my check-ins")))
    frame = b.wait_tool(r"/checkin/history")
    b.expect_text(frame, tr(lang, "Your check-ins"), "history page")
    row = frame.locator("table.history-table tbody tr", has=frame.locator("th", has_text=completion("B1", lang)))
    if row.count() != 1 or row.locator("td").last.inner_text().strip() != "2":
        b.fail(f"The history table does not show B1 = 2 this week (row: {row.all_inner_texts()})", frame)
    b.check("history")
    b.audit.assert_clean()


@pytest.mark.parametrize(("lang", "regime", "storage"), FEATURE)
def test_dashboard(open_browser, lang, regime, storage):
    b = open_browser("dashboard", lang, regime, storage)
    ensure_checked_in(b, "emma.deboer", opt_in=True)
    b.sign_in(TEACHER)
    frame = b.open_activity(CHECKIN_LINK, expect=r"/checkin/dashboard")
    b.check("dashboard")

    answered = frame.locator(".glance .glance-item").first.locator(".glance-value").inner_text()
    m = re.search(r"(\d+)\s*/\s*(\d+)", answered)
    if not m or int(m.group(1)) < 1 or int(m.group(2)) != 8:
        b.fail(f"The response rate should read '<n ≥ 1> / 8' (8 students in NL2 via NRPS), got {answered!r}", frame)
    if not re.search(r"\d+\s*%", answered):
        b.fail(f"The response rate shows no percentage: {answered!r}", frame)
    contact = frame.locator("#people .person-contact", has_text="Emma de Boer")
    if contact.count() != 1:
        b.fail(
            f"Emma de Boer asked to talk this week but is not listed under 'asked to talk': {frame.locator('#people').inner_text()[:400]!r}",
            frame,
        )
    b.audit.assert_clean()


def test_keyboard_checkin(open_browser):
    """Keyboard only: Tab, Space, arrow keys, Enter. Jesse (BIO1) answers the check-in."""
    lang = "nl"
    b = open_browser("keyboard-checkin", lang, "blocked", "off")
    b.sign_in("jesse.kok")
    frame = b.open_activity("rl-bio1-checkin", expect=r"/checkin/week$", course="course-bio1")
    b.check("form")
    # Start from the top of the LMS page: the first Tabs go through the LMS, then into Erbij.
    b.page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")

    wanted = {"B1": 4, "B2": 3, "S1": 5, "P1": 1, "C1": 4, "P2": 2, "A1": 3}
    for item_id, value in wanted.items():
        tab_until(b, frame, lambda f, i=item_id: f["name"] == i and f["type"] == "radio", f"the first answer of {item_id}")
        b.page.keyboard.press("Space")
        for _ in range(value - 1):
            b.page.keyboard.press("ArrowRight")
        b.audit.check_focus_visible(frame, f"keyboard: {item_id} after arrows")
        checked = frame.locator(f"input[name={item_id}]:checked")
        if checked.count() != 1 or checked.get_attribute("value") != str(value):
            b.fail(
                f"Keyboard: Space + {value - 1}× ArrowRight did not select {item_id}={value} (selected {checked.get_attribute('value') if checked.count() else None})",
                frame,
            )
    tab_until(b, frame, lambda f: f["name"] == "O1", "the opt-in checkbox")
    b.page.keyboard.press("Space")
    if not frame.locator("input[name=O1]").is_checked():
        b.fail("Keyboard: Space did not tick the opt-in", frame)
    tab_until(b, frame, lambda f: f["name"] == "Q", "the open question")
    b.page.keyboard.type("Uitleg op het bord.")
    tab_until(b, frame, lambda f: f["tag"] == "button" and f["type"] == "submit" and f["name"] != "lang", "the send button")
    b.page.keyboard.press("Enter")
    frame = b.wait_tool(r"/checkin/week/done")
    b.expect_text(frame, tr(lang, "Thank you for checking in!"), "thank-you page after the keyboard-only check-in")
    b.check("done")
    # The next step is reachable by keyboard too.
    info = tab_until(
        b, frame, lambda f: f["tag"] == "a" and f["href"].endswith("/checkin/history"), "the 'see my check-ins' link", step="keyboard done"
    )
    b.page.keyboard.press("Enter")
    b.wait_tool(r"/checkin/history")
    assert info["inside"]
    b.audit.assert_clean()
