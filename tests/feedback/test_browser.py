"""The composer's JavaScript in a real browser (Chromium): live coach, autosave and the
second-tab warning, assemble, snippets at the cursor, copy, live search and keys.

Erbij runs in a thread on 127.0.0.1 with the test app; the LMS's services are the same
`responses` mocks as in the other tests. The launch itself goes through the test client
(the launch flow has its own browser tests); its session cookie is handed to Chromium.
"""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lti_tool.extensions import db
from lti_tool.models.feedback import Feedback

from .conftest import csrf_of, page, student_ids

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live(app, client, lms):
    """Erbij served over HTTP; `live(steps)` runs `steps(open_page)` in Chromium.

    The browser runs in its own thread: the e2e suite keeps a Playwright (with its
    asyncio loop) open in the main thread for the whole session, and Playwright's sync
    API refuses to start inside a running loop.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    base = f"http://127.0.0.1:{port}"
    lms.rsps.add_passthru(base)
    server = make_server("127.0.0.1", port, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()

    def run(steps) -> None:
        outcome: dict = {}

        def browse() -> None:
            errors: list[str] = []
            try:
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
                    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)

                    def open_page(path: str):
                        cookie = client.get_cookie("erbij_session")
                        ctx.add_cookies([{"name": "erbij_session", "value": cookie.value, "url": base}])
                        p = ctx.new_page()
                        p.on("pageerror", lambda e: errors.append(str(e)))
                        p.goto(base + path)
                        return p

                    try:
                        steps(open_page)
                    finally:
                        browser.close()
                assert not errors, errors
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
                outcome["error"] = exc

        thread = threading.Thread(target=browse)
        thread.start()
        thread.join(120)
        if "error" in outcome:
            raise outcome["error"]
        assert not thread.is_alive(), "the browser did not finish in time"

    yield run
    server.shutdown()
    serving.join(5)


def _feedback(app, sub="student-1") -> Feedback:
    with app.app_context():
        fb = db.session.execute(db.select(Feedback).where(Feedback.student_id == student_ids(app)[sub])).scalar_one()
        db.session.expunge(fb)
        return fb


def test_live_coach_and_autosave(app, teacher, live):
    t = teacher(locale="en")
    live(lambda open_page: _live_coach_and_autosave(app, open_page(f"/l/{t.lid}/feedback/students/{student_ids(app)['student-1']}")))


def _live_coach_and_autosave(app, p):
    p.fill("#fb-text", "Het lijkt erop dat je verslag sterk is. Je bent lui.")
    p.locator("#coach-findings .fb-rule", has_text="R3").wait_for()
    assert p.locator("#coach-preview mark[data-rules='R3']").inner_text() == "Je bent lui"
    p.locator("#fb-save-status", has_text="Draft saved at").wait_for()
    assert p.input_value("[data-revision]") == "1"
    assert _feedback(app).text == "Het lijkt erop dat je verslag sterk is. Je bent lui."
    p.fill("#fb-score", "12")
    p.locator("#fb-score-error", has_text="at most 10").wait_for()


def test_second_tab_warning_is_shown_live(app, client, teacher, live, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-1")
    token = csrf_of(page(c.open()))

    def steps(open_page):
        p = open_page(c.base)  # this tab is at revision 0
        c.autosave({"text": "Versie uit het andere tabblad", "revision": 0}, token=token)
        _second_tab(p)

    live(steps)
    assert _feedback(app).text == "Versie uit deze tab"


def _second_tab(p):
    p.fill("#fb-text", "Versie uit deze tab")
    p.locator("#fb-conflict").wait_for(state="visible")
    assert "changed in another tab" in p.inner_text("#fb-conflict-message")
    assert p.input_value("#fb-conflict-text") == "Versie uit het andere tabblad"
    p.locator("#fb-conflict button[data-copy]").click()
    p.locator("#fb-conflict .fb-copy-status", has_text="Copied").wait_for()
    p.locator("#fb-save-status", has_text="Draft saved at").wait_for()


def test_assemble_and_insert_snippet_at_the_cursor(app, client, teacher, live, composer_for):
    t = teacher(locale="en")
    c = composer_for(t.lid, "student-2")
    c.save(text="Begin.", action="add_snippet", snippet_title="Vertrouwen", snippet_body="{first_name}, ik weet dat je dit kunt.")
    client.post(c.base, data=c.form(text=""))  # an empty draft, so the guide is open
    live(lambda open_page: _assemble_and_insert(open_page(c.base), c.base))


def _assemble_and_insert(p, base):
    p.fill("#part-opener", "Het lijkt erop dat je opbouw klopt.")
    p.fill("#part-belief", "Ik weet dat je dit kunt.")
    p.click("button[data-assemble]")
    assert p.input_value("#fb-text") == "Het lijkt erop dat je opbouw klopt.\n\nIk weet dat je dit kunt."
    p.evaluate("() => { const t = document.getElementById('fb-text'); t.focus(); t.setSelectionRange(0, 0); }")
    p.click("button[data-insert]")
    assert p.input_value("#fb-text").startswith("Bram, ik weet dat je dit kunt. Het lijkt erop")
    # A snippet from selected text, saved as JSON and added to the list without leaving the page.
    p.evaluate("() => { const t = document.getElementById('fb-text'); t.focus(); t.setSelectionRange(0, 30); }")
    p.click("button[data-from-selection]")
    assert p.input_value("#snippet-body") == "Bram, ik weet dat je dit kunt."
    p.fill("#snippet-title", "Uit selectie")
    p.click("button[data-snippet-save]")
    p.locator("#fb-snippets .fb-snippet-title", has_text="Uit selectie").wait_for()
    assert p.url.endswith(base)


def test_live_search_and_keyboard_navigation(app, teacher, live):
    t = teacher(locale="en")
    bram = student_ids(app)["student-2"]
    live(lambda open_page: _search_and_keys(open_page(f"/l/{t.lid}/feedback/grading"), bram))


def _search_and_keys(p, bram: int):
    p.keyboard.press("/")
    assert p.evaluate("document.activeElement.id") == "fb-q"
    p.keyboard.type("chaima")
    assert p.locator(".fb-student:visible").count() == 1
    assert p.inner_text("#fb-count") == "1 of 3 students shown"
    p.fill("#fb-q", "")
    p.locator("#fb-q").press("ArrowDown")  # class-list order: El Idrissi, Jansen, de Vries
    assert p.evaluate("document.activeElement.textContent") == "Chaïma El Idrissi"
    p.keyboard.press("ArrowDown")
    assert p.evaluate("document.activeElement.textContent") == "Bram Jansen"
    p.keyboard.press("Enter")
    p.wait_for_url(f"**/students/{bram}")
