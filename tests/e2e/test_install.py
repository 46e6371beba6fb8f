"""Installing Erbij as an LMS admin does: the demo LMS's Admin › Tools page, LTI Dynamic
Registration in the LMS's frame, the close message, then a student's launch.

Its own stack: Erbij starts knowing no LMS at all (no registration behind the scenes),
with the open registration policy as `make demo` runs it. The approval policy is driven
end to end in tests/lti/test_dynamic_registration.py.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .harness import CHROMIUM, CHROMIUM_ARGS, COOKIES_BLOCKED, ROOT, SCREENSHOTS, start_stack, stop_stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bare_stack(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium")
    s = start_stack(tmp_path_factory.mktemp("e2e-install"), register=False, extra_env={"ERBIJ_REGISTRATION_POLICY": "open"})
    yield s
    stop_stack(s)


@pytest.fixture
def browser(tmp_path, playwright_sync):
    # The session's Playwright (conftest): a second sync_playwright in the same thread is refused.
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    # Debian's default: third-party cookies blocked.
    (profile / "Default" / "Preferences").write_text(json.dumps({"profile": {"cookie_controls_mode": COOKIES_BLOCKED}}))
    context = playwright_sync.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )  # fmt: skip
    context.set_default_timeout(20_000)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def _loaded_frame(page, selector: str, url_part: str, timeout: float = 20):
    """The frame of the iframe `selector` once it shows a loaded page whose URL has `url_part`."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            frame = page.locator(selector).element_handle().content_frame()
            last = frame.url if frame else ""
            if frame and url_part in frame.url and frame.evaluate("() => document.readyState") == "complete" and frame.locator("main").count():
                return frame
        except Exception:
            pass  # still navigating
        time.sleep(0.1)
    raise AssertionError(f"the frame {selector} did not load {url_part} (last URL {last!r})")


def test_install_from_the_lms_admin_page_then_launch(bare_stack, browser):
    page = browser
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Before: the LMS knows no tool and Erbij knows no LMS — a launch is refused.
    page.goto(bare_stack.lms("/admin/tools"))
    assert page.locator("[data-no-tool]").is_visible()
    page.locator("#register-url").fill(f"{bare_stack.erbij_url}/lti/register")
    page.locator("[data-start-registration]").click()

    frame = _loaded_frame(page, "#registration-frame", "/lti/register")
    result = frame.locator("[data-registration-status]")
    assert result.get_attribute("data-registration-status") == "active", frame.content()[:2000]
    assert frame.locator("[data-client-id]").inner_text() == "erbij-demo"
    page.screenshot(path=str(SCREENSHOTS / "install-demo-lms-registered.png"), full_page=True)

    # "Done" posts org.imsglobal.lti.close; the LMS closes the frame and shows the tool.
    # The result page (reached after the form above) must have run its script first: a click
    # before registration-close.js has attached its listener does nothing (seen once in CI).
    frame.wait_for_load_state("load")
    installed = re.compile(r"/admin/tools\?installed=1$")
    frame.locator("[data-registration-close]").click()
    try:
        page.wait_for_url(installed, timeout=8000)
    except PlaywrightTimeout:
        # Seen once in a full CI run, never alone (9 runs) nor under CPU load (6): after the
        # click into the cross-site frame, just after a full-page screenshot, the LMS got no
        # request in 20 s, though the frame's page had loaded with its script. When the
        # button's handler did not run (its note is not shown), the click was lost: one more
        # click, for what is tested is what the message does. A handler that ran and an LMS
        # that did not close the frame still fail here.
        note_shown = frame.locator("[data-registration-closed]").is_visible()
        assert not note_shown, "Erbij posted org.imsglobal.lti.close, but the LMS did not close the frame"
        print("\ninstall: the first click on 'Done' reached no handler; clicked again")
        frame.locator("[data-registration-close]").click()
        page.wait_for_url(installed)
    assert page.locator("[data-installed]").is_visible()
    assert "erbij-demo" in page.locator("[data-registered-tool]").inner_text()

    # Erbij has the registration (dynamic, active, with the LMS's deployment).
    out = subprocess.run(  # noqa: S603 (our interpreter, a fixed argument list)
        [sys.executable, "-m", "flask", "--app", "wsgi", "registrations", "list"],
        cwd=ROOT, env=bare_stack.erbij_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    assert "[active] client_id=erbij-demo" in out.stdout and "via=dynamic" in out.stdout and "demo-deployment-1" in out.stdout

    # A student launches the seeded check-in inside the LMS's iframe.
    r = page.request.get(bare_stack.lms("/switch-user?user=sanne.bakker&next=/"))
    assert r.ok
    page.goto(bare_stack.lms("/courses/course-nl2/activities/rl-nl2-checkin"))
    launched = _loaded_frame(page, "iframe[name=erbij-tool-frame]", "/checkin/")
    assert launched.locator("[data-error-code]").count() == 0, launched.content()[:2000]
    assert re.search(r"/l/[^/]+/checkin/", launched.url), launched.url
