"""Fixtures for the real-browser tests: one Erbij + demo LMS for the whole session, and a
fresh Chromium profile per test in the cookie regime the test asks for.

Cookie regimes (profile preference ``profile.cookie_controls_mode``, lms-notes.md):

- ``allowed``   — 0: third-party cookies allowed;
- ``blocked``   — 1: third-party cookies blocked (Debian's Chromium default). Only
  ``SameSite=None; Secure; Partitioned`` cookies survive in the cross-site iframe;
- ``nocookies`` — 1 and, in addition, a cookie content-setting that blocks every cookie
  of Erbij's site while it is embedded in the LMS's site (pattern "<erbij>,<lms>"), so
  even partitioned cookies are refused in the iframe while a first-party window (the
  "open in a new window" fallback) keeps its cookies — a browser that keeps no cookie at
  all in the iframe.

Skipped with a printed reason when /usr/bin/chromium is missing (CI installs it).
"""

from __future__ import annotations

import json
import time

import pytest

from .audit import AXE_LOG, FINDINGS_LOG, Audit
from .driver import Browser
from .harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    COOKIES_ALLOWED,
    COOKIES_BLOCKED,
    LOGS,
    SCREENSHOTS,
    start_stack,
    stop_stack,
)

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}


@pytest.fixture(scope="session")
def _chromium():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: the browser tests need Debian's Chromium (apt-get install chromium); CI installs it"
        print(f"\nSKIP e2e: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
def stack(_chromium, tmp_path_factory):
    """Erbij (gunicorn, 2 workers) on 127.0.0.1 and the demo LMS on localhost."""
    # Other runs (a teammate's `make test`) may be writing here right now: clear only what
    # is left from earlier runs, never the whole folder.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stale = time.time() - 1800
    for old in [*SCREENSHOTS.glob("*.png"), *LOGS.glob("*.log"), AXE_LOG, FINDINGS_LOG]:
        if old.exists() and old.stat().st_mtime < stale:
            old.unlink()
    s = start_stack(tmp_path_factory.mktemp("e2e-stack"))
    print(f"\ne2e stack: Erbij {s.erbij_url}, demo LMS {s.lms_url}, logs {s.logs}")
    yield s
    stop_stack(s)


@pytest.fixture(scope="session")
def playwright_sync(_chromium):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    yield pw
    pw.stop()


def _preferences(regime: str, stack) -> dict:
    mode = COOKIES_ALLOWED if regime == "allowed" else COOKIES_BLOCKED
    prefs: dict = {"profile": {"cookie_controls_mode": mode}}
    if regime == "nocookies":
        prefs["profile"]["content_settings"] = {"exceptions": {"cookies": {f"{stack.erbij_url},{stack.lms_url}": {"setting": 2}}}}
    return prefs


@pytest.fixture
def open_browser(stack, playwright_sync, tmp_path):
    """open_browser(flow, lang, regime, storage, viewport) -> Browser, closed after the test."""
    opened: list[Browser] = []

    def _open(flow: str, lang: str, regime: str, storage: str = "on", viewport: str = "desktop") -> Browser:
        assert regime in ("allowed", "blocked", "nocookies"), regime
        profile = tmp_path / f"profile-{len(opened)}"
        (profile / "Default").mkdir(parents=True)
        (profile / "Default" / "Preferences").write_text(json.dumps(_preferences(regime, stack)))
        options = dict(PHONE if viewport == "phone" else DESKTOP)
        context = playwright_sync.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            locale=LOCALES[lang],
            **options,
        )
        context.set_default_timeout(15_000)
        page = context.pages[0] if context.pages else context.new_page()
        b = Browser(
            stack=stack,
            context=context,
            page=page,
            lang=lang,
            regime=regime,
            viewport=viewport,
            profile_dir=profile,
            audit=Audit(flow=flow, lang=lang, regime=f"{regime}-storage{storage}", viewport=viewport),
        )
        opened.append(b)
        b.set_storage(storage)
        return b

    yield _open
    for b in opened:
        try:
            b.context.close()
        except Exception:
            pass
