"""Checks run on every Erbij page a flow visits, inside the LMS iframe.

- axe-core (axe_playwright_python) on the Erbij frame's own document: zero serious or
  critical violations; every violation of any impact is printed and kept in
  test-artifacts/e2e-axe.jsonl for the report.
- a non-empty <title>, and <html lang> equal to the flow's language;
- on phones: no horizontal scrolling inside the frame, and WCAG 2.2 2.5.8 target size
  (24×24 CSS px) for every visible link, button, form control and summary — for a radio
  or checkbox the clickable label counts. The criterion's own exceptions apply: links
  inside a sentence ("inline"), and undersized targets whose 24 px circle touches no other
  target ("spacing").
- screenshots of the LMS page and of the Erbij frame element, always.

Problems are collected over the whole flow and reported together at the end (``Audit``),
so one run shows every page's findings, not just the first; a functional failure
(an element that never appears) still stops the flow at once, with the findings so far.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from .harness import ARTIFACTS, SCREENSHOTS

AXE = Axe()
AXE_LOG = ARTIFACTS / "e2e-axe.jsonl"
FINDINGS_LOG = ARTIFACTS / "e2e-findings.jsonl"
BLOCKING_IMPACTS = {"serious", "critical"}

# The targets of WCAG 2.5.8, measured inside the frame. Returns the undersized ones with
# whether an exception applies.
_TARGETS_JS = r"""
() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=link], [tabindex]:not([tabindex="-1"])';
  const seen = new Set();
  const out = [];
  function labelOf(el) {
    if (el.type !== 'radio' && el.type !== 'checkbox') return null;
    if (el.closest('label')) return el.closest('label');
    if (el.id) { const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]'); if (l) return l; }
    return null;
  }
  function visible(el, r) {
    if (r.width <= 1 || r.height <= 1) return false;          // visually hidden (clip)
    if (r.right <= 0 || r.bottom <= 0) return false;         // parked off-screen (skip link)
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || cs.display === 'none') return false;
    if (el.closest('[aria-hidden="true"]') && el.tabIndex < 0) return false;
    return true;
  }
  function inSentence(el) {
    // WCAG 2.5.8 "inline": a link in a sentence or block of text.
    if (el.tagName !== 'A') return false;
    if (getComputedStyle(el).display !== 'inline') return false;
    const block = el.parentElement;
    if (!block) return false;
    const text = block.textContent.replace(/\s+/g, ' ').trim();
    const own = el.textContent.replace(/\s+/g, ' ').trim();
    return text.length > own.length + 3;
  }
  function describe(el) {
    const t = (el.getAttribute('aria-label') || el.textContent || el.value || el.name || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.name) s += '[name=' + el.name + ']';
    if (el.type && el.tagName === 'INPUT') s += '[type=' + el.type + ']';
    return s + (t ? ' "' + t + '"' : '');
  }
  const targets = [];
  for (const el of document.querySelectorAll(sel)) {
    const box = labelOf(el) || el;
    if (seen.has(box)) continue;
    seen.add(box);
    // Take the larger of the control and its label: either is clickable.
    const r1 = el.getBoundingClientRect(), r2 = box.getBoundingClientRect();
    const r = (r2.width * r2.height >= r1.width * r1.height) ? r2 : r1;
    if (!visible(el, r1) && !visible(box, r2)) continue;
    targets.push({el, box, r, desc: describe(el) + (box !== el ? ' (via its label)' : '')});
  }
  const small = targets.filter(t => t.r.width < 23.5 || t.r.height < 23.5);
  function circleHits(a, b) {
    // does the 24px circle on a's centre intersect b's box (or b's circle if b is small)?
    const cx = a.r.left + a.r.width / 2, cy = a.r.top + a.r.height / 2;
    const bSmall = small.includes(b);
    if (bSmall) {
      const bx = b.r.left + b.r.width / 2, by = b.r.top + b.r.height / 2;
      return Math.hypot(cx - bx, cy - by) < 24;
    }
    const nx = Math.max(b.r.left, Math.min(cx, b.r.right)), ny = Math.max(b.r.top, Math.min(cy, b.r.bottom));
    return Math.hypot(cx - nx, cy - ny) < 12;
  }
  for (const t of small) {
    let exception = null;
    if (inSentence(t.el)) exception = 'inline';
    else if (!targets.some(o => o !== t && circleHits(t, o))) exception = 'spacing';
    out.push({target: t.desc, width: Math.round(t.r.width * 10) / 10, height: Math.round(t.r.height * 10) / 10, exception});
  }
  return out;
}
"""

_FOCUS_JS = r"""
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: 'body', visible: false, why: 'nothing focused'};
  function shows(e) {
    const cs = getComputedStyle(e);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow && cs.boxShadow !== 'none';
    return outline ? 'outline ' + cs.outlineWidth + ' ' + cs.outlineStyle : (shadow ? 'box-shadow' : null);
  }
  let how = shows(el), on = 'itself';
  if (!how) {
    const label = el.closest('label') || (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]'));
    if (label && (how = shows(label))) on = 'its label';
  }
  if (!how && el.parentElement && (how = shows(el.parentElement))) on = 'its parent';
  return {tag: el.tagName.toLowerCase(), name: el.name || '', type: el.type || '', id: el.id || '',
          text: (el.textContent || el.value || '').replace(/\s+/g, ' ').trim().slice(0, 50),
          visible: !!how, how: how ? how + ' on ' + on : 'no outline or box-shadow'};
}
"""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Audit:
    """One flow's findings. ``name`` is e.g. "checkin-nl-blocked-storageoff-desktop"."""

    flow: str
    lang: str
    regime: str
    viewport: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    @property
    def suffix(self) -> str:
        return f"{self.lang}-{self.regime}-{self.viewport}"

    def shot_path(self, step: str, kind: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = f"{self.flow}-{slug(step)}-{self.suffix}{'-' + kind if kind else ''}.png"
        return SCREENSHOTS / name

    # ------------------------------------------------------------ screenshots
    def screenshot(self, page, step: str, frame_element: str | None = "#tool-frame") -> Path:
        """The LMS page as the user sees it, and the Erbij frame element stretched to its
        content so the whole Erbij page is in one picture."""
        full = self.shot_path(step)
        try:
            page.screenshot(path=str(full), full_page=True)
        except Exception as exc:  # a screenshot must never hide the real failure
            self.notes.append(f"screenshot {full.name} failed: {exc!r}")
        self.shots.append(full)
        if frame_element and page.locator(frame_element).count():
            framed = self.shot_path(step, "frame")
            try:
                el = page.locator(frame_element)
                frame = el.element_handle().content_frame()
                height = frame.evaluate(
                    "() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
                )
                old = el.evaluate("(f) => f.getAttribute('style')")
                height = min(int(height) + 4, 8000)
                el.evaluate("(f, h) => { f.style.height = h + 'px'; }", height)
                # A cross-site iframe is painted only where the viewport shows it: make the
                # viewport tall enough for the whole frame while we take the picture.
                size = page.viewport_size
                top = el.evaluate("(f) => f.getBoundingClientRect().top + window.scrollY")
                page.set_viewport_size({"width": size["width"], "height": int(top) + height + 16})
                try:
                    el.screenshot(path=str(framed))
                finally:
                    page.set_viewport_size(size)
                    el.evaluate("(f, old) => { if (old === null) f.removeAttribute('style'); else f.setAttribute('style', old); }", old)
                self.shots.append(framed)
            except Exception as exc:
                self.notes.append(f"frame screenshot {framed.name} failed: {exc!r}")
        return full

    # ------------------------------------------------------------ page checks
    def check_page(self, page, frame, step: str, *, phone: bool | None = None, frame_element: str | None = "#tool-frame") -> None:
        """All checks on one Erbij page (``frame`` may also be a top-level Page: a popup)."""
        phone = self.viewport == "phone" if phone is None else phone
        url = frame.url
        where = f"[{step}] {url}"
        self.pages.append(where)
        try:
            title = frame.title().strip()
        except Exception as exc:
            title = ""
            self.problems.append(f"{where}: could not read <title> ({exc!r})")
        if not title or title.startswith("·"):
            self.problems.append(f"{where}: <title> is empty or has no page name ({title!r})")
        lang = frame.evaluate("() => document.documentElement.getAttribute('lang')")
        if (lang or "").split("-")[0] != self.lang:
            self.problems.append(f"{where}: <html lang={lang!r}>, expected {self.lang!r}")

        if self.lang == "nl":
            from .texts import english_on_dutch_page

            english = english_on_dutch_page(frame.evaluate("() => document.body ? document.body.innerText : ''"))
            if english:
                shown = [e if len(e) <= 60 else e[:57] + "…" for e in english[:8]]
                self.problems.append(f"{where}: {len(english)} English phrase(s) on a Dutch page (untranslated), e.g. {shown}")

        if phone:
            sizes = frame.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
            if sizes[0] > sizes[1]:
                wide = frame.evaluate(
                    """() => { const w = window.innerWidth; return [...document.querySelectorAll('body *')]
                        .filter(e => e.getBoundingClientRect().right > w + 0.5)
                        .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right)); }"""
                )
                self.problems.append(
                    f"{where}: needs horizontal scrolling on a phone: scrollWidth {sizes[0]} > innerWidth {sizes[1]}; widest: {wide}"
                )
            for t in frame.evaluate(_TARGETS_JS):
                msg = f"{t['target']} is {t['width']}×{t['height']} px"
                if t["exception"]:
                    self.notes.append(f"{where}: target below 24 px but allowed ({t['exception']} exception): {msg}")
                else:
                    self.problems.append(f"{where}: target smaller than 24×24 px (WCAG 2.5.8): {msg}")

        shot = self.screenshot(page, step, frame_element=frame_element)
        try:
            results = AXE.run(frame)
            violations = results.response["violations"]
        except Exception as exc:
            self.problems.append(f"{where}: axe-core could not run ({exc!r}); screenshot {shot}")
            return
        record = {
            "run": os.getpid(),
            "flow": self.flow,
            "step": step,
            "lang": self.lang,
            "regime": self.regime,
            "viewport": self.viewport,
            "url": url,
            "time": time.time(),
            "violations": [],
        }
        for v in violations:
            nodes = [
                {"target": n.get("target"), "html": (n.get("html") or "")[:200], "summary": (n.get("failureSummary") or "")[:300]}
                for n in v["nodes"]
            ]
            record["violations"].append({"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": nodes})
            line = f"{where}: axe {v['id']} ({v['impact']}): {v['help']} — {len(nodes)} node(s): " + "; ".join(
                f"{n['target']} {n['html'][:120]}" for n in nodes[:4]
            )
            (self.problems if v["impact"] in BLOCKING_IMPACTS else self.notes).append(line + f" [screenshot {shot}]")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with AXE_LOG.open("a") as f:
            f.write(json.dumps(record) + "\n")

    def check_focus_visible(self, frame, where: str) -> dict:
        info = frame.evaluate(_FOCUS_JS)
        if not info["visible"]:
            self.problems.append(
                f"[{where}] {frame.url}: focused {info['tag']}#{info['id']} {info['name']} {info['text']!r} shows no visible focus ({info['how']})"
            )
        return info

    def report(self) -> str:
        lines = [f"{len(self.problems)} accessibility/layout problem(s) in flow {self.flow} ({self.suffix}):"]
        lines += [f"  - {p}" for p in self.problems]
        if self.notes:
            lines.append("Other findings (not failing):")
            lines += [f"  · {n}" for n in self.notes]
        lines.append("Screenshots: " + ", ".join(str(s.relative_to(ARTIFACTS.parent)) for s in self.shots[-6:]))
        return "\n".join(lines)

    def save(self, outcome: str) -> None:
        """Keep every flow's findings in test-artifacts/e2e-findings.jsonl (for the report)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with FINDINGS_LOG.open("a") as f:
            f.write(
                json.dumps(
                    {
                        "run": os.getpid(),
                        "flow": self.flow,
                        "suffix": self.suffix,
                        "outcome": outcome,
                        "problems": self.problems,
                        "notes": self.notes,
                        "pages": self.pages,
                    }
                )
                + "\n"
            )

    def assert_clean(self) -> None:
        self.save("problems" if self.problems else "clean")
        if self.problems:
            raise AssertionError(self.report())
        if self.notes:
            print(self.report())
