"""The coach on the page: `coach.review()` findings prepared for display.

The same structure feeds the server-rendered list (no JavaScript) and the JSON endpoint
(live coaching), so both show exactly the same thing. Highlights are plain segments of
the teacher's text with the rule ids that cover them; templates and the browser escape
them (Jinja autoescape, `textContent`), so no HTML is ever built from the text here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from . import coach

# Severity → (icon, sort rank). The icon is decorative; the label carries the meaning,
# so nothing depends on colour alone.
_ICONS = {"required": "■", "high": "▲", "medium": "◆", "low": "●", "suggestion": "➜", "info": "ℹ"}


def severity_label(severity: str) -> str:
    labels = {
        "required": _("Required"),
        "high": _("High"),
        "medium": _("Medium"),
        "low": _("Low"),
        "suggestion": _("Suggestion"),
        "info": _("Information"),
    }
    return labels.get(severity, severity)


@dataclass(frozen=True)
class ShownFinding:
    rule: str
    rule_name: str
    severity: str
    severity_label: str
    icon: str
    message: str
    suggestion: str
    quote: str  # the words that triggered the rule ("" when something is missing)
    start: int | None
    end: int | None


@dataclass(frozen=True)
class Segment:
    text: str
    rules: tuple[str, ...]  # empty: plain text; otherwise highlighted for these rules


@dataclass(frozen=True)
class CoachView:
    findings: tuple[ShownFinding, ...]
    segments: tuple[Segment, ...]
    empty: bool = False  # nothing written yet: no advice about what is "missing"

    @property
    def summary(self) -> str:
        return summary(self.findings, self.empty)

    def to_dict(self) -> dict:
        return {
            "findings": [asdict(f) for f in self.findings],
            "segments": [{"text": s.text, "rules": list(s.rules)} for s in self.segments],
            "summary": self.summary,
        }


def summary(findings: tuple[ShownFinding, ...], empty: bool = False) -> str:
    if empty:
        return _("Start writing: the coach reads along.")
    if not findings:
        return _("The coach has no remarks.")
    return ngettext("The coach has %(num)s remark.", "The coach has %(num)s remarks.", len(findings))


def segments(text: str, spans: list[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """Split `text` at every span boundary; each piece lists the rules covering it.

    Spans may overlap (R2 and R10 on the same words); out-of-range offsets are clipped
    so that a coach bug can never raise here or drop the teacher's text.
    """
    n = len(text)
    clean = []
    for start, end, rule in spans:
        s, e = max(0, min(start, n)), max(0, min(end, n))
        if e > s:
            clean.append((s, e, rule))
    cuts = sorted({0, n, *(s for s, _e, _r in clean), *(e for _s, e, _r in clean)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b <= a:
            continue
        rules = tuple(sorted({r for s, e, r in clean if s <= a and b <= e}, key=_rule_sort))
        if out and out[-1].rules == rules:
            out[-1] = Segment(out[-1].text + text[a:b], rules)
        else:
            out.append(Segment(text[a:b], rules))
    return tuple(out)


def _rule_sort(rule: str) -> tuple[int, str]:
    digits = "".join(ch for ch in rule if ch.isdigit())
    return (int(digits) if digits else 999, rule)


def review(text: str, lang: str, others: list[str] | None = None) -> CoachView:
    """Run the coach over `text` and prepare its findings and highlights for the page."""
    text = text or ""
    if not text.strip():
        # An empty draft "misses" every part; listing that is noise, not advice.
        return CoachView((), (), empty=True)
    findings = coach.review(text, lang, others or [])
    shown = []
    spans = []
    for f in findings:
        info = coach.RULES.get(f.rule)
        has_span = f.start is not None and f.end is not None and f.end > f.start
        shown.append(
            ShownFinding(
                rule=f.rule,
                rule_name=info.name(lang) if info else f.rule,
                severity=f.severity,
                severity_label=severity_label(f.severity),
                icon=_ICONS.get(f.severity, "•"),
                message=f.message,
                suggestion=f.suggestion,
                quote=text[f.start : f.end] if has_span else "",
                start=f.start if has_span else None,
                end=f.end if has_span else None,
            )
        )
        if has_span:
            spans.append((f.start, f.end, f.rule))
    return CoachView(tuple(shown), segments(text, spans))
