"""How the check-in's pages write a language, a score and a week: one place for the
student's pages and the teacher's dashboard, so both say "3,4" and "16–22 nov" alike."""

from __future__ import annotations

import functools
from datetime import date

from babel import dates, numbers
from flask_babel import format_date, get_locale

from .items import normalize_lang
from .weeks import Week


def page_lang() -> str:
    """The language of this request's page, as the check-in's data knows it ("nl"/"en")."""
    return normalize_lang(str(get_locale()))


def score(value: float | None) -> str:
    """A mean as a reader reads it: one decimal, in their language ("3,4" / "3.4")."""
    if value is None:
        return ""
    return score_text(value, str(get_locale()))


def score_text(value: float, locale: str) -> str:
    """``score`` for a locale the caller already knows (a page formats hundreds of them)."""
    return _score_text(round(value, 1), locale)


# A page formats hundreds of numbers but only ~41 distinct ones (1.0-5.0): Babel's
# formatting is slow enough to be worth remembering.
@functools.lru_cache(maxsize=1024)
def _score_text(value: float, locale: str) -> str:
    return numbers.format_decimal(value, format="0.0", locale=locale)


def date_text(day: date, pattern: str) -> str:
    """Flask-Babel's ``format_date(day, pattern)`` for a calendar date and a Babel pattern
    ("d MMM"), remembered: the pages show the same few dates over and over."""
    if type(day) is not date or pattern in ("short", "medium", "full", "long"):
        return format_date(day, pattern)
    return _date_text(day, pattern, get_locale())


@functools.lru_cache(maxsize=1024)
def _date_text(day: date, pattern: str, locale) -> str:
    return dates.format_date(day, pattern, locale=locale)


def week_dates(week: Week) -> str:
    """ "16–22 nov", or "26 okt – 1 nov" across a month."""
    if week.start.month == week.end.month:
        return f"{week.start.day}–{date_text(week.end, 'd MMM')}"
    return f"{date_text(week.start, 'd MMM')} – {date_text(week.end, 'd MMM')}"
