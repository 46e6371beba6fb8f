"""Real-browser launches: Erbij inside the demo LMS's cross-site iframe.

The stack (conftest/harness): Erbij under gunicorn (2 workers) on http://127.0.0.1:<port>,
the demo LMS on http://localhost:<port> — two sites, as a real LMS and tool are — and
Debian's Chromium with a fresh profile per test.

The matrix here is the full one, because the launch is where cookies and Platform
Storage matter:

    language {nl, en} × Platform Storage {on, off} × third-party cookies {allowed, blocked}

- ``test_student_launch`` (8): a student opens the seeded check-in (BIO1); the regime is
  verified inside the iframe (blocked: an unpartitioned cookie is refused and a
  partitioned one kept; allowed: both kept), and the landing page is audited
  (axe, title, lang).
- ``test_deep_linking`` (8): the teacher (BIO1, so that NL2's course page stays readable
  in the other screenshots) adds a check-in and a feedback activity through
  the demo's "Add Erbij activity" page → Erbij's chooser in the iframe → back in the
  course with both new activities listed; the new feedback activity is graded and opens
  the grading view, the new check-in opens the teacher's side.
- ``test_new_window_fallback`` (2): a browser that keeps NO cookie for Erbij in the iframe
  (regime ``nocookies``), with Platform Storage off (Moodle: the login itself restarts
  in the new window) and on (the launch succeeds through storage, then hands over with a
  single-use token). The iframe must offer "Open Erbij in a new window"; the popup
  completes the student's check-in.

Storage off + blocked is the Moodle-like path that only works through
``SameSite=None; Secure; Partitioned`` cookies.
"""

from __future__ import annotations

import itertools
import time
import uuid

import pytest
from playwright.sync_api import Error as PlaywrightError

from .driver import CHECKIN_LINK
from .harness import read_profile_mode
from .texts import tr

pytestmark = pytest.mark.e2e

MATRIX = [
    pytest.param(lang, storage, regime, id=f"{lang}-storage{storage}-{regime}")
    for lang, storage, regime in itertools.product(("nl", "en"), ("on", "off"), ("blocked", "allowed"))
]


@pytest.mark.parametrize(("lang", "storage", "regime"), MATRIX)
def test_student_launch(open_browser, lang, storage, regime):
    b = open_browser("launch-student", lang, regime, storage)
    # Priya (BIO1) never answers in any other test, so she always lands on the form.
    b.sign_in("priya.ramdin")
    frame = b.open_activity("rl-bio1-checkin", expect=r"/checkin/week$", course="course-bio1")

    # The regime is what we asked for: Chromium kept our preference, and the iframe shows it.
    expected_mode = 0 if regime == "allowed" else 1
    assert read_profile_mode(b.profile_dir) == expected_mode, f"profile.cookie_controls_mode is not {expected_mode} in {b.profile_dir}"
    kept = b.probe_cookies(frame)
    if regime == "blocked":
        assert kept == {"unpartitioned": False, "partitioned": True}, f"third-party cookies should be blocked in the iframe, got {kept}"
    else:
        assert kept == {"unpartitioned": True, "partitioned": True}, f"third-party cookies should be allowed in the iframe, got {kept}"

    # Erbij's session cookie is partitioned under the LMS's site (the only kind that survives).
    erbij_cookies = [c for c in b.context.cookies(b.stack.erbij_url) if c["name"].startswith("erbij_")]
    assert any(c["name"] == "erbij_session" for c in erbij_cookies), f"no erbij_session cookie after the launch: {erbij_cookies}"

    b.expect_text(frame, tr(lang, "How was this week?"), "check-in form")
    b.check("landing")

    # The page came as the launch's own response and took its own address: a reload asks
    # for the page (it never posts the launch again, whose nonce is spent).
    frame.evaluate("() => { window.erbijBeforeReload = true; location.reload(); }")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if frame.evaluate("() => document.readyState === 'complete' && !window.erbijBeforeReload"):
                break
        except PlaywrightError:  # the old document is going away
            pass
        time.sleep(0.1)
    else:
        b.fail("the check-in page did not reload", frame)
    frame = b.wait_tool(r"/checkin/week$")
    b.expect_text(frame, tr(lang, "How was this week?"), "check-in form after a reload")
    b.audit.assert_clean()


DL_COURSE, DL_TEACHER = "course-bio1", "pieter.hendriks"  # keeps NL2's course page readable


def _add_activity(b, kind: str, title: str, maximum: str | None = None) -> str:
    """Run one Deep Linking round trip; return the new resource link's id in the LMS."""
    frame = b.open_add_activity(DL_COURSE)
    b.check(f"chooser-{kind}")
    frame.locator(f"input[name=activity][value={kind}]").check()
    frame.locator("input[name=title]").fill(title)
    if maximum is not None:
        frame.locator("input[name=maximum]").fill(maximum)
    frame.locator("main form button[type=submit]:not([name=cancel])").click()
    b.wait_lms(rf"/courses/{DL_COURSE}\?(.*&)?added=")
    notice = b.page.locator(".notice.success")
    link = notice.get_by_role("link", name=title)
    if link.count() != 1:
        b.fail(f"The course page does not announce the new activity {title!r}: {notice.all_inner_texts()}", b.page)
    href = link.get_attribute("href")
    listed = b.page.locator(".activity-list a", has_text=title)
    if listed.count() != 1:
        b.fail(f"The new activity {title!r} is not in the course's activity list", b.page)
    return href.rsplit("/", 1)[-1]


@pytest.mark.parametrize(("lang", "storage", "regime"), MATRIX)
def test_deep_linking(open_browser, lang, storage, regime):
    b = open_browser("deeplink", lang, regime, storage)
    b.sign_in(DL_TEACHER)
    tag = f"{lang}-{storage}-{regime}-{uuid.uuid4().hex[:4]}"

    checkin_title = f"E2E check-in {tag}"
    checkin_id = _add_activity(b, "checkin", checkin_title)
    b.audit.screenshot(b.page, "course-after-checkin")

    feedback_title = f"E2E feedback {tag}"
    feedback_id = _add_activity(b, "feedback", feedback_title, maximum="8")
    row = b.page.locator(".activity-list li", has_text=feedback_title)
    if row.locator(".badge", has_text="graded").count() != 1:
        b.fail(f"The new feedback activity {feedback_title!r} has no gradebook column (no 'graded' badge)", b.page)

    # Cancel adds nothing and brings the teacher back to the course.
    before = b.page.locator(".activity-list li").count()
    frame = b.open_add_activity(DL_COURSE)
    frame.locator("main form button[name=cancel]").click()
    b.wait_lms(rf"/courses/{DL_COURSE}")
    if b.page.locator(".activity-list li").count() != before:
        b.fail("Cancelling the chooser added an activity", b.page)

    # The new links launch into what they were created as.
    b.open_activity(feedback_id, expect=r"/feedback/grading", course=DL_COURSE)
    b.check("new-feedback-activity")
    b.open_activity(checkin_id, expect=r"/checkin/", course=DL_COURSE)
    b.check("new-checkin-activity")
    b.audit.assert_clean()


def _complete_checkin(b, frame, lang: str) -> None:
    for item in ("B1", "B2", "S1", "P1", "C1", "P2", "A1"):
        frame.locator(f"input[name={item}][value='3']").check()
    frame.locator("main form.checkin-form button[type=submit]").click()


@pytest.mark.parametrize(
    ("lang", "storage", "student", "stuck_at"),
    [
        pytest.param("nl", "off", "tim.vandijk", r"/lti/login/continue", id="nl-storageoff-relogin"),
        pytest.param("en", "on", "yasmin.ozturk", r"/lti/launch", id="en-storageon-handoff"),
    ],
)
def test_new_window_fallback(open_browser, lang, storage, student, stuck_at):
    b = open_browser("fallback", lang, "nocookies", storage)
    b.sign_in(student)
    b.page.goto(b.lms(f"/courses/course-nl2/activities/{CHECKIN_LINK}"))
    frame = b.wait_tool(stuck_at, allow_error=True)
    kept = b.probe_cookies(frame)
    assert kept == {"unpartitioned": False, "partitioned": False}, f"the iframe should keep no cookie at all in this regime, got {kept}"
    code = frame.locator("[data-error-code]").get_attribute("data-error-code") if frame.locator("[data-error-code]").count() else None
    if code != "cookies_blocked":
        b.fail(f"Expected the 'cookies blocked' page (code cookies_blocked), got code {code}", frame)
    b.check("cookies-blocked")

    button = frame.get_by_role("link", name=tr(lang, "Open Erbij in a new window"))
    if button.count() != 1:
        b.fail("The cookies-blocked page has no 'Open Erbij in a new window' link", frame)
    with b.page.expect_popup() as popup_info:
        button.click()
    popup = popup_info.value
    popup_frame = b.wait_tool(r"/checkin/week", target=popup)
    b.check("new-window-form", target=popup_frame)
    _complete_checkin(b, popup_frame, lang)
    b.wait_tool(r"/checkin/week/done", target=popup)
    b.expect_text(popup, tr(lang, "Thank you for checking in!"), "thank-you page in the new window")
    b.check("new-window-done", target=popup)
    b.audit.assert_clean()
