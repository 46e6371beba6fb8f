"""Steps shared by the feature flows: answering the check-in, keyboard helpers."""

from __future__ import annotations

import re

from lti_tool.checkin import items
from lti_tool.demo.seed import STUDENTS

from .driver import CHECKIN_LINK, Browser

SCALE = items.SCALE_ITEMS  # B1 … A1
NAMES = {s.id: s.name for s in STUDENTS}


def name_pattern(user_id: str) -> re.Pattern:
    """A student's name as Erbij may show it: "Sanne Bakker" or "Bakker, Sanne"."""
    s = next(s for s in STUDENTS if s.id == user_id)
    given, family = re.escape(s.given_name), re.escape(s.family_name)
    return re.compile(rf"{given}.*{family}|{family}.*{given}")


def completion(item_id: str, lang: str) -> str:
    return items.get_item(item_id).text[lang]


def scale_label(lang: str, value: int) -> str:
    return items.scale_labels(lang)[value - items.SCALE_MIN]


def pick(b: Browser, frame, name: str, value: str) -> None:
    """Choose an answer the way this device does: tap the label on a phone, click on a desktop."""
    control = frame.locator(f"input[name={name}][value='{value}']")
    if b.viewport == "phone":
        label = frame.locator(f"label[for='{control.get_attribute('id')}']")
        label.tap()
        if not control.is_checked():
            b.fail(f"Tapping the label of {name}={value} did not select it", frame)
    else:
        control.check()


def fill_checkin(b: Browser, frame, answers: dict[str, int], opt_in: bool, idea: str | None = None) -> None:
    for item_id, value in answers.items():
        pick(b, frame, item_id, str(value))
    box = frame.locator("input[name=O1]")
    if box.is_checked() != opt_in:
        if b.viewport == "phone":
            frame.locator("label[for=O1]").tap()
        else:
            box.click()
    if idea is not None:
        frame.locator("textarea[name=Q]").fill(idea)


def submit_checkin(b: Browser, frame) -> None:
    button = frame.locator("main form.checkin-form button[type=submit]")
    if b.viewport == "phone":
        button.tap()
    else:
        button.click()


def ensure_checked_in(b: Browser, student: str, opt_in: bool = True) -> None:
    """Make sure `student` answered this week (with the opt-in as asked): idempotent, so a
    test can rely on it whatever ran before."""
    b.sign_in(student)
    frame = b.open_activity(CHECKIN_LINK, expect=r"/checkin/week")
    if "/week/done" in frame.url:
        frame.locator("main a[href$='/checkin/week']").first.click()
        frame = b.wait_tool(r"/checkin/week$")
    fill_checkin(b, frame, {i: 3 for i in SCALE}, opt_in=opt_in)
    submit_checkin(b, frame)
    b.wait_tool(r"/checkin/week/done")


# ------------------------------------------------------------------ keyboard
def focused(frame) -> dict:
    return frame.evaluate(
        """() => { const e = document.activeElement; const inside = document.hasFocus() && e && e !== document.body;
                   return {inside, tag: e ? e.tagName.toLowerCase() : '', id: e ? e.id : '', name: e && e.name || '',
                           type: e && e.type || '', value: e && e.value || '', href: e && e.getAttribute && e.getAttribute('href') || '',
                           text: e ? (e.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60) : ''}; }"""
    )


def tab_until(b: Browser, frame, predicate, what: str, max_presses: int = 60, step: str = "keyboard") -> dict:
    """Press Tab until the focused element in `frame` satisfies `predicate`; check that
    every element focused inside Erbij on the way shows a visible focus indicator."""
    for _ in range(max_presses):
        b.page.keyboard.press("Tab")
        info = focused(frame)
        if info["inside"]:
            b.audit.check_focus_visible(frame, f"{step}: Tab to {info['tag']}#{info['id']}[name={info['name']}]")
            if predicate(info):
                return info
    b.fail(f"Keyboard: {what} was not reached with {max_presses} presses of Tab", frame)
    raise AssertionError
