"""Driving the demo LMS and the Erbij iframe in a real Chromium.

``Browser`` is one browser profile (a persistent context: the only way to set the
third-party-cookie preference) with one tab. It signs in to the demo LMS as someone,
sets the launch language and Platform Storage, opens activities and waits for Erbij
to settle in the iframe (or for its error page), with failure messages that say where
it stopped and which screenshot shows it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Frame, Page

from .audit import Audit
from .harness import SCREENSHOTS, Stack

FRAME = "#tool-frame"
FRAME_NAME = "erbij-tool-frame"
COURSE = "course-nl2"
CHECKIN_LINK = "rl-nl2-checkin"
FEEDBACK_LINK = "rl-nl2-betoog"
TEACHER = "anouk.devries"

# A page inside a launch: /l/<lid>/<anything>
IN_LAUNCH = re.compile(r"/l/[^/]+/")


class FlowFailure(AssertionError):
    pass


@dataclass
class Browser:
    stack: Stack
    context: object
    page: Page
    lang: str
    regime: str  # allowed / blocked / nocookies
    viewport: str  # desktop / phone
    profile_dir: Path
    audit: Audit | None = None
    storage: str = "on"

    # ------------------------------------------------------------ failures
    def fail(self, message: str, target: Page | Frame | None = None) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"FAIL-{self.audit.flow if self.audit else 'flow'}-{self.lang}-{self.regime}-storage{self.storage}-{self.viewport}-{int(time.time() * 1000) % 100000}.png"
        path = SCREENSHOTS / name
        try:
            self.page.screenshot(path=str(path), full_page=True)
        except Exception:
            pass
        url = ""
        body = ""
        try:
            t = target or self.tool_frame(required=False) or self.page
            url = t.url
            body = t.locator("main").first.inner_text(timeout=1000)[:600] if t.locator("main").count() else ""
        except Exception:
            pass
        details = [message, f"at {url or self.page.url}", f"LMS page {self.page.url}", f"screenshot {path}"]
        if body:
            details.append("Erbij page says: " + body.replace("\n", " | "))
        log = self.stack.tail("erbij", 15)
        if "Traceback" in log or " 500 " in log:
            details.append("Erbij log (tail):\n" + log)
        if self.audit:
            self.audit.save(f"flow failed: {message[:200]}")
            if self.audit.problems or self.audit.notes:
                details.append(self.audit.report())
        raise FlowFailure("\n".join(details))

    # ------------------------------------------------------------ the LMS
    def lms(self, path: str) -> str:
        return self.stack.lms(path)

    def sign_in(self, user: str, lang: str | None = None) -> None:
        """Become `user` in the LMS and set their launch language."""
        r = self.page.request.get(self.lms(f"/switch-user?user={user}&next=/"))
        assert r.ok, f"switch-user {user}: HTTP {r.status}"
        r = self.page.request.post(self.lms("/settings"), form={"locale": lang or self.lang, "next": "/"})
        assert r.ok, f"POST /settings locale: HTTP {r.status}"

    def set_storage(self, value: str) -> None:
        """LTI Platform Storage on (like Canvas, Brightspace) or off (like Moodle) — for the whole LMS."""
        r = self.page.request.post(self.lms("/settings"), form={"platform_storage": value, "document_target": "iframe", "next": "/"})
        assert r.ok, f"POST /settings platform_storage={value}: HTTP {r.status}"
        self.storage = value

    def tool_frame(self, required: bool = True) -> Frame | None:
        frame = self.page.frame(name=FRAME_NAME)
        if frame is None and required:
            self.fail("The LMS page has no Erbij iframe")
        return frame

    def open_activity(self, link_id: str, expect: str | re.Pattern = IN_LAUNCH, course: str = COURSE) -> Frame:
        self.page.goto(self.lms(f"/courses/{course}/activities/{link_id}"))
        return self.wait_tool(expect)

    def open_add_activity(self, course: str = COURSE) -> Frame:
        self.page.goto(self.lms(f"/courses/{course}/add-activity"))
        return self.wait_tool(re.compile(r"/l/[^/]+/deep-link"))

    # ------------------------------------------------------------ waiting for Erbij
    def wait_tool(
        self, expect: str | re.Pattern = IN_LAUNCH, timeout: float = 20, target: Page | Frame | None = None, allow_error: bool = False
    ) -> Frame:
        """Wait until the Erbij frame (or `target`) shows a loaded page whose URL matches
        `expect`; fail at once on Erbij's error page (unless `allow_error`)."""
        pattern = re.compile(expect) if isinstance(expect, str) else expect
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            t = target or self.tool_frame(required=False)
            if t is not None:
                try:
                    url = t.url
                    last = url
                    state = t.evaluate("() => document.readyState")
                    if state == "complete" and url.startswith(self.stack.erbij_url):
                        if t.locator("[data-error-code]").count() and not allow_error:
                            code = t.locator("[data-error-code]").get_attribute("data-error-code")
                            self.fail(f"Erbij showed an error page (code {code}) instead of {pattern.pattern}", t)
                        if pattern.search(url) and t.locator("main").count():
                            return t
                except FlowFailure:
                    raise
                except Exception:
                    pass  # navigating: the execution context is being replaced
            time.sleep(0.1)
        self.fail(f"Erbij did not reach {pattern.pattern} within {timeout}s (last URL {last})", target)
        raise AssertionError  # unreachable

    def wait_lms(self, pattern: str, timeout: float = 20) -> None:
        try:
            self.page.wait_for_url(re.compile(pattern), timeout=timeout * 1000)
            self.page.wait_for_load_state()
        except Exception:
            self.fail(f"The LMS page did not reach {pattern} within {timeout}s")

    def expect_text(self, target: Page | Frame, text: str | re.Pattern, where: str, timeout: float = 10) -> None:
        loc = target.get_by_text(text).first
        try:
            loc.wait_for(state="visible", timeout=timeout * 1000)
        except Exception:
            self.fail(f"{where}: expected text {text!r} did not appear", target if isinstance(target, Frame) else None)

    def check(self, step: str, target: Frame | Page | None = None, **kwargs) -> Frame | Page:
        t = target or self.tool_frame()
        if self.audit is not None:
            frame_element = FRAME if isinstance(t, Frame) and t.parent_frame is not None else None
            page = self.page if frame_element else t
            self.audit.check_page(page, t, step, frame_element=frame_element, **kwargs)
        return t

    # ------------------------------------------------------------ cookies
    def probe_cookies(self, frame: Frame) -> dict[str, bool]:
        """Which kinds of cookie does the browser keep for Erbij inside this iframe?"""
        return frame.evaluate(
            """() => {
                const stamp = Date.now();
                document.cookie = 'e2e_plain=' + stamp + '; SameSite=None; Secure; path=/';
                document.cookie = 'e2e_part=' + stamp + '; SameSite=None; Secure; Partitioned; path=/';
                const has = (n) => document.cookie.split('; ').some(c => c === n + '=' + stamp);
                const result = {unpartitioned: has('e2e_plain'), partitioned: has('e2e_part')};
                document.cookie = 'e2e_plain=; Max-Age=0; SameSite=None; Secure; path=/';
                document.cookie = 'e2e_part=; Max-Age=0; SameSite=None; Secure; Partitioned; path=/';
                return result;
            }"""
        )
