"""Released weeks: class figures computed once, when a week closes, and never again.

Recomputing figures live lets a teacher who looks after every answer subtract one
reading from the next (n·mean_n − (n−1)·mean_(n−1) is the newest answer). So a week
whose answers are not shown with names has, while it is open, only a count; when it
closes, its figures are computed once from the answers of that moment — with the
privacy thresholds — and stored. Every page, chart, signal and export of that week reads
the stored release. Values are kept at the page's precision (one decimal), shares at
whole percents, open answers as one batch in random order without times.

``figures_of`` and ``view_from_release`` are plain functions; ``ensure_releases`` is
the one place that writes a release.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models.checkin import CheckinRelease
from . import dashboard_data as dd
from .dashboard_data import INDEX, MEASURES
from .dashboard_rows import Person, ResponseRow

PENDING = "pending"  # a Measure status: the week is still open, figures come when it closes
_shuffle = random.SystemRandom().shuffle


def needs_release(rows: Sequence[ResponseRow], mode: str) -> bool:
    """A week with answers none of which the teacher sees with a name."""
    return bool(rows) and not any(dd.is_named(r, mode) for r in rows)


def _one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def figures_of(view: dd.WeekView, class_codes: Sequence[str]) -> dict:
    """What a closed week releases: the figures of ``view`` at the page's precision."""
    open_answers = [a.text for a in view.open_answers if a.name is None]
    _shuffle(open_answers)
    return {
        "measures": {
            key: {
                "status": m.status,
                "value": _one_decimal(m.value),
                "respondents": m.respondents,
                "version": list(m.version) if isinstance(m.version, tuple) else m.version,
            }
            for key, m in view.measures.items()
        },
        "share_dont_dare": _share(view.share_dont_dare),
        "share_no_start": _share(view.share_no_start),
        "open_answers": open_answers,
        "hidden_open_answers": view.hidden_open_answers,
        "class_codes": list(class_codes),
    }


def _contacts(rows: Sequence[ResponseRow], people: Mapping[int, Person]) -> tuple[Person, ...]:
    """Who asked for a chat: always with the name, the student chose it."""
    found = (people.get(r.user_id) or Person(r.user_id, f"#{r.user_id}", False) for r in rows if r.contact_opt_in)
    return tuple(sorted(found, key=lambda p: p.name.casefold()))


def _counts(week, rows, roster_ids):
    return {"week": week, "roster_respondents": sum(1 for r in rows if r.user_id in roster_ids), "roster_size": len(roster_ids)}


def pending_view(week, rows: Sequence[ResponseRow], *, people: Mapping[int, Person], roster_ids: set[int]) -> dd.WeekView:
    """An open week: how many answered, who asked for a chat — no figures yet."""
    return dd.WeekView(
        respondents=len(rows),
        measures={key: dd.Measure(key, PENDING, None, 0) for key in MEASURES},
        share_dont_dare=None,
        share_no_start=None,
        contacts=_contacts(rows, people),
        named=(),
        open_answers=(),
        hidden_open_answers=0,
        **_counts(week, rows, roster_ids),
    )


def view_from_release(
    week, figures: Mapping, respondents: int, rows: Sequence[ResponseRow], *, people: Mapping[int, Person], roster_ids: set[int]
) -> dd.WeekView:
    """A closed week as its release says, plus today's opt-ins and roster counts."""
    return dd.WeekView(
        respondents=respondents,
        measures=_measures(figures),
        share_dont_dare=figures["share_dont_dare"],
        share_no_start=figures["share_no_start"],
        contacts=_contacts(rows, people),
        named=(),
        open_answers=tuple(dd.OpenAnswer(text, None) for text in figures["open_answers"]),
        hidden_open_answers=figures["hidden_open_answers"],
        **_counts(week, rows, roster_ids),
    )


def summary_from_release(week, figures: Mapping, respondents: int) -> dd.WeekView:
    """A closed week as the page shows it when it is not the selected one: the release's
    figures only (``WeekView.summary``), without its open answers."""
    return dd.summary_week_view(
        week,
        respondents=respondents,
        measures=_measures(figures),
        share_dont_dare=figures["share_dont_dare"],
        share_no_start=figures["share_no_start"],
    )


def _measures(figures: Mapping) -> dict[str, dd.Measure]:
    measures = {}
    for key in MEASURES:
        m = figures["measures"][key]
        version = tuple(m["version"]) if key == INDEX and isinstance(m["version"], list) else m["version"]
        measures[key] = dd.Measure(key, m["status"], m["value"], m["respondents"], version)
    return measures


def stored_releases(course_id: int, first: date) -> dict[date, tuple[int, dict]]:
    """The course's releases from week ``first`` on: week start → (respondents, figures)."""
    return {
        r.week_start: (r.respondents, r.figures)
        for r in db.session.execute(
            db.select(CheckinRelease).where(CheckinRelease.course_id == course_id, CheckinRelease.week_start >= first)
        ).scalars()
    }


def ensure_releases(
    course_id: int,
    weeks: Sequence,
    rows_by_week: Mapping[date, Sequence[ResponseRow]],
    *,
    current_start: date,
    mode: str,
    compute: Callable[[int], tuple[dd.WeekView, Sequence[str]]],
) -> dict[date, tuple[int, dict]]:
    """The releases of the closed weeks that need one, creating the missing ones.

    ``compute(i)`` gives the live view and class signals of ``weeks[i]`` from the answers
    now — called only for a week that closed and was never released. Two requests that
    release the same week at once: the unique constraint keeps the first, the other reads it.
    """
    wanted = [i for i, w in enumerate(weeks) if w.start < current_start and needs_release(rows_by_week.get(w.start, ()), mode)]
    if not wanted:
        return {}
    stored = stored_releases(course_id, weeks[wanted[0]].start)
    created = False
    for i in wanted:
        start = weeks[i].start
        if start in stored:
            continue
        view, codes = compute(i)
        release = CheckinRelease(course_id=course_id, week_start=start, respondents=view.respondents, figures=figures_of(view, codes))
        try:
            with db.session.begin_nested():
                db.session.add(release)
            created = True
            stored[start] = (release.respondents, release.figures)
        except IntegrityError:
            other = db.session.execute(
                db.select(CheckinRelease).where(CheckinRelease.course_id == course_id, CheckinRelease.week_start == start)
            ).scalar_one()
            stored[start] = (other.respondents, other.figures)
    if created:
        db.session.commit()
    return stored
