"""Parsing and validating what the composer and the comment bank send (form or JSON).

Plain functions rather than WTForms classes: the composer posts the same fields as an
HTML form and as JSON (autosave), and both must be validated by one piece of code.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _

from .dialogue import MAX_QUESTION, clean_question
from .guide import PART_KEYS, clean_parts

MAX_TEXT_LENGTH = 10_000
MAX_SNIPPET_TITLE = 200
MAX_SNIPPET_BODY = 4_000
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def format_score(value: float | None) -> str:
    """A score as the teacher's locale writes it (7,5 in Dutch, 7.5 in English)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##", locale=str(get_locale() or "nl"))


def parse_score(raw: str, maximum: float | None) -> tuple[float | None, str | None]:
    """'7,5' or '7.5' → 7.5; empty → None. Returns (score, error message or None)."""
    raw = (raw or "").strip().replace(" ", "")
    if not raw:
        return None, None
    if not _NUMBER.match(raw):
        return None, _("Enter the score as a number, for example 7,5.")
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None, _("Enter the score as a number, for example 7,5.")
    if not math.isfinite(float(value)):
        return None, _("Enter the score as a number, for example 7,5.")
    if value < 0:
        return None, _("The score cannot be negative.")
    if value.normalize().as_tuple().exponent < -2:
        return None, _("Use at most two decimals.")
    if maximum is not None and value > Decimal(str(maximum)):
        return None, _("The score can be at most %(maximum)s.", maximum=format_score(maximum))
    return float(value), None


@dataclass
class DraftInput:
    """What a composer save carries, validated."""

    parts: dict[str, str]
    text: str
    score: float | None
    score_raw: str
    base_revision: int | None
    errors: dict[str, str] = field(default_factory=dict)
    question: str = ""  # "perspective first": an optional question inviting the student's view

    @property
    def score_ok(self) -> bool:
        return "score" not in self.errors


def parse_draft(data, maximum: float | None) -> DraftInput:
    """Read parts, text, score and revision from a form (MultiDict) or a JSON dict.

    JSON sends `parts` as an object; the form sends `part_<key>` fields.
    """
    raw_parts = data.get("parts") if isinstance(data.get("parts"), dict) else {k: data.get(f"part_{k}") for k in PART_KEYS}
    parts = clean_parts(raw_parts or {})
    text = str(data.get("text") or "").replace("\r\n", "\n")
    errors: dict[str, str] = {}
    if len(text) > MAX_TEXT_LENGTH:
        errors["text"] = _("The feedback is too long (at most %(n)s characters).", n=MAX_TEXT_LENGTH)
        text = text[:MAX_TEXT_LENGTH]
    raw_question = str(data.get("question") or "")
    if len(raw_question.strip()) > MAX_QUESTION:
        errors["question"] = _("The question is too long (at most %(n)s characters).", n=MAX_QUESTION)
    question = clean_question(raw_question)
    score_raw = str(data.get("score") if data.get("score") is not None else "")
    score, score_error = parse_score(score_raw, maximum)
    if score_error:
        errors["score"] = score_error
    try:
        base_revision: int | None = int(data.get("revision"))
    except (TypeError, ValueError):
        base_revision = None
    return DraftInput(
        parts=parts, text=text, score=score, score_raw=score_raw.strip(), base_revision=base_revision, errors=errors, question=question
    )


@dataclass
class SnippetInput:
    title: str
    body: str
    shared: bool
    errors: dict[str, str] = field(default_factory=dict)


def parse_snippet(data, prefix: str = "") -> SnippetInput:
    """A snippet from a form (optionally with prefixed field names) or JSON."""
    title = str(data.get(prefix + "title") or "").strip()
    body = str(data.get(prefix + "body") or "").replace("\r\n", "\n").strip()
    shared_raw = data.get(prefix + "shared")
    shared = shared_raw in (True, "1", "on", "true", "yes")
    errors: dict[str, str] = {}
    if not body:
        errors["body"] = _("Write the text of the snippet.")
    elif len(body) > MAX_SNIPPET_BODY:
        errors["body"] = _("The snippet is too long (at most %(n)s characters).", n=MAX_SNIPPET_BODY)
    if not title:
        # A title helps find it later; the first words will do.
        title = " ".join(body.split()[:6])
    title = title[:MAX_SNIPPET_TITLE]
    return SnippetInput(title=title, body=body[:MAX_SNIPPET_BODY], shared=shared, errors=errors)
