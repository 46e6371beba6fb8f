"""The teacher's dashboard for one request: which weeks, which answers to load, and the
releases of closed weeks, put together by ``dashboard_data.assemble``.

Both the page and the CSV/JSON export are computed by ``dashboard_data.assemble``, so the
two can never disagree about what a teacher may see: ``build_dashboard`` (the export) loads
every week answer by answer; ``build_page`` gives the page the same figures while loading
answer by answer only the weeks around the selected one.
``period_week`` and ``release_closed_weeks`` serve saving a note and the scheduled release.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from ..extensions import db
from ..models import Course
from ..models.checkin import CheckinResponse
from . import releases as rel
from . import week_figures
from .dashboard_data import (
    MAX_WEEKS,
    SPARK_WEEKS,
    Dashboard,
    WeekView,
    assemble,
    history_length,
    is_named,
    week_class_codes,
    week_view,
)
from .dashboard_rows import ResponseRow, group_by_week, load_people, load_rows
from .signals import DEFAULT_RULES, SignalRules
from .weeks import Week, weeks_since


def period_weeks(first_start: date | None, current: Week, zone: str | None) -> list[Week]:
    """The weeks from the first response (at most ``MAX_WEEKS`` back) to now, oldest first."""
    return weeks_since(first_start, current, zone, MAX_WEEKS)


class WeekNotInPeriod(LookupError):
    """The requested week is outside the course period (before the first answer, or future)."""


def _earliest(current: Week) -> date:
    return current.start - timedelta(days=7 * (MAX_WEEKS - 1))


def _week_in(weeks: Sequence[Week], start: date) -> Week:
    week = next((w for w in weeks if w.start == start), None)
    if week is None:
        raise WeekNotInPeriod(str(start))
    return week


def period_week(course: Course, *, current: Week, selected_start: date | None) -> Week:
    """The week ``build_dashboard`` would select, found with one query instead of the whole
    dashboard (what saving a note needs). Raises ``WeekNotInPeriod`` like it."""
    r = CheckinResponse
    first = db.session.execute(
        db.select(db.func.min(r.week_start)).where(r.course_id == course.id, r.week_start >= _earliest(current), r.week_start <= current.start)
    ).scalar()
    return _week_in(period_weeks(first, current, course.timezone), selected_start or current.start)


def build_dashboard(
    course: Course, *, current: Week, selected_start: date | None, mode: str, lang: str, rules: SignalRules = DEFAULT_RULES
) -> Dashboard:
    """The dashboard of ``course`` for the week starting ``selected_start`` (default: now).

    ``mode`` is the course's effective privacy mode (``privacy.effective_mode``). Every
    query is scoped by ``course.id``. Raises ``WeekNotInPeriod`` for a week outside the
    course period.
    """
    rows = load_rows(course.id, _earliest(current), current.start)
    first = min((r.week_start for r in rows), default=None)
    weeks = period_weeks(first, current, course.timezone)
    wanted = _week_in(weeks, selected_start or current.start).start
    releases = _releases(course.id, weeks, rows, current.start, mode, rules)
    return _assemble_loaded(course, rows, weeks, wanted, current, mode=mode, lang=lang, rules=rules, releases=releases)


def _assemble_loaded(
    course: Course, rows, weeks, wanted: date, current: Week, *, mode: str, lang: str, rules: SignalRules, releases, summaries=None
) -> Dashboard:
    """``assemble`` the loaded rows, with the people they name (contacts, named answers)."""
    roster, people = load_people(course.id, {r.user_id for r in rows if r.contact_opt_in or is_named(r, mode)})
    return assemble(
        course_id=course.id,
        rows=rows,
        roster=roster,
        people=people,
        weeks=weeks,
        selected_start=wanted,
        current_start=current.start,
        mode=mode,
        lang=lang,
        rules=rules,
        releases=releases,
        summaries=summaries,
    )


def _releases(course_id: int, weeks: Sequence[Week], rows: Sequence[ResponseRow], current_start: date, mode: str, rules: SignalRules):
    """The course's releases, releasing every closed week that has none yet."""
    rows_by_week = group_by_week(rows)

    def compute(i: int):
        # The week's figures and class signals from its answers now (the week has closed).
        window = range(max(0, i - rules.class_window), i + 1)
        live = {j: week_view(weeks[j], rows_by_week.get(weeks[j].start, ()), mode=mode, people={}, roster_ids=set(), rules=rules) for j in window}
        views = [live.get(j) for j in range(i + 1)]
        return live[i], week_class_codes(views, i, rows_by_week, mode, rules)

    return rel.ensure_releases(course_id, weeks, rows_by_week, current_start=current_start, mode=mode, compute=compute)


def release_closed_weeks(course: Course, *, current: Week, mode: str, rules: SignalRules = DEFAULT_RULES) -> int:
    """Release every closed week of ``course`` that has none yet; returns how many exist now.

    What the dashboard does on its first read after a week closed, done on a schedule
    instead (``flask --app wsgi checkin release``): the release then holds the answers of
    the moment the week closed, whatever happens to them later."""
    rows = load_rows(course.id, _earliest(current), current.start)
    first = min((r.week_start for r in rows), default=None)
    return len(_releases(course.id, period_weeks(first, current, course.timezone), rows, current.start, mode, rules))


def _detail_span(rules: SignalRules) -> int:
    """How many weeks up to the selected one the page needs answer by answer: the
    students' signals and sparklines, and the class signals' window."""
    return max(history_length(rules), SPARK_WEEKS, rules.class_window + 1)


def build_page(
    course: Course, *, current: Week, selected_start: date | None, mode: str, lang: str, rules: SignalRules = DEFAULT_RULES
) -> Dashboard:
    """``build_dashboard`` as the page needs it: the same figures for every week, but only
    the weeks around the selected one (and the open week) loaded answer by answer, for the
    students' and the class's signals.

    A closed week other than the selected one shows on the page only in the trends, so it
    comes as a summary (``WeekView.summary``): from its release, or from the figures cached
    when it was last computed (``week_figures``, keyed by a marker of its rows, so any
    change to its answers computes it again). The export, which shows every week in full,
    uses ``build_dashboard``. Falls back to ``build_dashboard`` when a closed week still has
    to be released.
    """
    markers = week_figures.week_markers(course.id, _earliest(current), current.start)
    weeks = period_weeks(min(markers, default=None), current, course.timezone)
    wanted = _week_in(weeks, selected_start or current.start).start
    index = next(i for i, w in enumerate(weeks) if w.start == wanted)
    window = {w.start for w in weeks[max(0, index - _detail_span(rules) + 1) : index + 1]}
    closed = [w for w in weeks if w.start < current.start and w.start in markers and w.start != wanted]

    released = [w for w in weeks if w.start < current.start and markers.get(w.start) and markers[w.start].needs_release(mode)]
    releases = rel.stored_releases(course.id, released[0].start) if released else {}
    if any(w.start not in releases for w in released):
        # A closed week not released yet: the full build releases it (once per week).
        return build_dashboard(course, current=current, selected_start=selected_start, mode=mode, lang=lang, rules=rules)

    summaries: dict[date, WeekView] = {}
    keys: dict[date, str] = {}
    for w in closed:
        if markers[w.start].needs_release(mode):
            respondents, figures = releases[w.start]
            summaries[w.start] = rel.summary_from_release(w, figures, respondents)
        else:
            keys[w.start] = week_figures.cache_key(course.id, w.start, mode, rules, markers[w.start])
    by_start = {w.start: w for w in weeks}
    for start, figures in week_figures.read(keys).items():
        summaries[start] = week_figures.summary_view(by_start[start], figures)

    detail = [start for start in markers if start not in summaries or start in window]
    rows = load_rows(course.id, _earliest(current), current.start, detail) if detail else []
    dash = _assemble_loaded(course, rows, weeks, wanted, current, mode=mode, lang=lang, rules=rules, releases=releases, summaries=summaries)
    week_figures.write(
        (keys[view.week.start], week_figures.figures_of(view)) for view in dash.weeks if view.week.start in keys and view.week.start not in summaries
    )
    return dash
