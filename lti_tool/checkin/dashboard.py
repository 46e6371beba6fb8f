"""The teacher's dashboard of the weekly check-in: routes only, plus how numbers read.

Views stay thin: ``dashboard_page`` decides what the teacher may see (``build_page`` for
the page, ``build_dashboard`` for the export, both computed by ``dashboard_data.assemble``),
``charts`` lays out the SVG charts, ``reflection`` keeps the teacher's private notes,
``export`` writes CSV and JSON. Everything here is
instructor-only and scoped to the launch's course: the ``/l/<lid>/`` prefix already binds
the URL to the browser that launched, so a link opened by anyone else shows nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from flask import abort, make_response, redirect, render_template, request, url_for
from flask_babel import format_datetime, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf.csrf import ValidationError, validate_csrf
from markupsafe import Markup

from ..extensions import cache, csrf
from ..lti import LaunchContext, instructor_required
from ..roster import RosterSync, sync_roster
from ..timeutil import in_zone
from . import charts, export, items, operations, privacy, reflection
from .blueprint import bp, checkin_launch
from .dashboard_data import (
    INDEX,
    MEASURES,
    Comparison,
    Dashboard,
    Measure,
    StudentCard,
    WeekView,
    lower_is_better,
)
from .dashboard_page import WeekNotInPeriod, build_dashboard, build_page, period_week
from .display import page_lang, score, score_text, week_dates
from .releases import PENDING
from .signals import INDEX_ITEMS
from .suggestions import reflection_questions
from .weeks import Week

ROSTER_CACHE_SECONDS_OK = 600  # one launch syncs the roster once, not on every week it opens
ROSTER_CACHE_SECONDS_FAILED = 120  # a platform that is down is not asked again on every click


# ---------------------------------------------------------------- helpers
def roster_status(launch: LaunchContext) -> RosterSync:
    """Sync the roster once per launch; remember a failure for a short while.

    Asking an LMS that is down on every page view would make each click wait for the
    HTTP timeout; the page says when the list was last synced instead.
    """
    key = f"checkin:roster-sync:{launch.id}"
    cached = cache.get(key)
    if cached is not None:
        return RosterSync(*cached)
    result = sync_roster(launch)
    cache.set(
        key, (result.synced_at, result.ok, result.error), timeout=ROSTER_CACHE_SECONDS_OK if result.ok else ROSTER_CACHE_SECONDS_FAILED
    )
    return result


def requested_week() -> date | None:
    """The ``?week=YYYY-MM-DD`` (a Monday) the teacher navigated to; None for this week."""
    raw = request.args.get("week")
    if not raw:
        return None
    try:
        start = date.fromisoformat(raw)
    except ValueError:
        abort(404)
    if start.isoweekday() != 1:
        abort(404)
    return start


def load_dashboard(launch: LaunchContext, selected: date | None, *, page: bool = False) -> Dashboard:
    """The dashboard of the launch's course; ``page``: as the page shows it (weeks other
    than the selected one as summaries, see ``build_page``), else every week in full."""
    course = launch.course
    try:
        return (build_page if page else build_dashboard)(
            course,
            current=operations.current_week(course),
            selected_start=selected,
            mode=operations.current_mode(course),
            lang=page_lang(),
        )
    except WeekNotInPeriod:
        abort(404)


def week_label(week: Week) -> str:
    return _("Week %(number)s", number=week.iso_week)


def local_time(naive_utc: datetime | None, tz_name: str | None) -> str:
    if naive_utc is None:
        return ""
    return format_datetime(in_zone(naive_utc, tz_name), "d MMM, HH:mm", rebase=False)


def comparison_text(comparison: Comparison) -> str:
    """This week against the previous weeks, in words ("0,3 lower than the previous 3 weeks")."""
    if comparison.value is None:
        return ""
    if comparison.baseline is None:
        return _("Not enough earlier weeks to compare with.")
    delta = comparison.delta
    weeks = comparison.weeks
    if comparison.direction == "same":
        return ngettext(
            "About the same as the previous week (%(was)s).",
            "About the same as the previous %(num)d weeks (%(was)s).",
            weeks,
            was=score(comparison.baseline),
        )
    amount = score(abs(delta))
    if delta > 0:
        return ngettext(
            "%(amount)s higher than the previous week (%(was)s).",
            "%(amount)s higher than the previous %(num)d weeks (%(was)s).",
            weeks,
            amount=amount,
            was=score(comparison.baseline),
        )
    return ngettext(
        "%(amount)s lower than the previous week (%(was)s).",
        "%(amount)s lower than the previous %(num)d weeks (%(was)s).",
        weeks,
        amount=amount,
        was=score(comparison.baseline),
    )


def trend_sentence(name: str, views: Sequence[WeekView], key: str) -> str:
    """One sentence that says what the chart shows, for readers who skip the chart."""
    shown = [(w.week, w.measures[key].value) for w in views if w.measures[key].status == charts.VALUE]
    too_few = sum(1 for w in views if w.measures[key].status == charts.TOO_FEW)
    if not shown:
        sentence = _("%(name)s: no week has enough answers to show yet.", name=name)
    elif len(shown) == 1:
        sentence = _(
            "%(name)s: only week %(week)s can be shown, %(value)s.", name=name, week=shown[0][0].iso_week, value=score(shown[0][1])
        )
    elif min(v for _w, v in shown) == max(v for _w, v in shown):
        sentence = _(
            "%(name)s stayed at %(value)s from week %(first_week)s to week %(last_week)s.",
            name=name,
            value=score(shown[0][1]),
            first_week=shown[0][0].iso_week,
            last_week=shown[-1][0].iso_week,
        )
    else:
        low = min(shown, key=lambda s: s[1])
        high = max(shown, key=lambda s: s[1])
        sentence = _(
            "%(name)s went from %(first)s in week %(first_week)s to %(last)s in week %(last_week)s; lowest %(low)s (week %(low_week)s), highest %(high)s (week %(high_week)s).",
            name=name,
            first=score(shown[0][1]),
            first_week=shown[0][0].iso_week,
            last=score(shown[-1][1]),
            last_week=shown[-1][0].iso_week,
            low=score(low[1]),
            low_week=low[0].iso_week,
            high=score(high[1]),
            high_week=high[0].iso_week,
        )
    if too_few:
        sentence += " " + ngettext("One week had too few answers to show.", "%(num)d weeks had too few answers to show.", too_few)
    if lower_is_better(key):
        sentence += " " + _("Lower is better here.")
    return sentence


def trend_chart(dash: Dashboard, key: str, *, big: bool) -> charts.TrendChart:
    lang = dash.lang
    views = dash.weeks
    measures = [w.measures[key] for w in views]
    title = _("%(name)s per week", name=items.construct_name(key, lang))
    return charts.trend_chart(
        f"trend-{key}",
        title,
        trend_sentence(items.construct_name(key, lang), views, key),
        [str(w.week.iso_week) for w in views],
        [m.value for m in measures],
        [m.status for m in measures],
        series=[m.version for m in measures],
        selected=dash.selected_index,
        width=560 if big else 320,
        height=230 if big else 150,
        font_size=13 if big else 11,
        max_labels=14 if big else 8,
        lower_is_better=lower_is_better(key),
        scale_both_sides=big,
    )


def _spark_part(iso_week: int, value: float | None) -> str:
    return _("week %(week)s: %(value)s", week=iso_week, value=score(value) if value is not None else "–")


def _spark_label() -> str:
    """The label's sentence, translated, with its placeholders still in it."""
    return _("%(name)s, recent weeks: %(values)s")


def sparkline_for(
    card: StudentCard, lang: str, part: Callable[[int, float | None], str] = _spark_part, label: Callable[[], str] = _spark_label
) -> charts.Sparkline:
    """``part`` words one week of the label and ``label`` gives its sentence; the page
    passes cached ones, as every card repeats the same sentence, the same few weeks and
    the same few values (300 cards x 6 weeks)."""

    def describe(values: Sequence[float | None]) -> str:
        parts = [part(w.iso_week, v) for (w, _v), v in zip(card.recent, values, strict=True)]
        # As gettext with variables does: the translation, then %-formatting.
        return label() % {"name": items.construct_name(INDEX, lang), "values": "; ".join(parts)}

    return charts.sparkline(f"spark-{card.person.user_id}", [v for _w, v in card.recent], describe, series=card.recent_series)


class PersonSpark(NamedTuple):
    """A student's sparkline on the page, drawn, and the last value beside it."""

    svg: Markup
    last: str


def version_text(measure: Measure) -> str:
    """Which wording a value is about: "v1", or per item when the index mixes versions."""
    version = measure.version
    if version is None:
        return "–"
    if isinstance(version, tuple):
        if len(set(version)) == 1:
            return f"v{version[0]}"
        return " ".join(f"{k} v{v}" for k, v in zip(INDEX_ITEMS, version, strict=True))
    return f"v{version}"


def page_context(dash: Dashboard, launch: LaunchContext, sync: RosterSync | None) -> dict[str, Any]:
    """Everything the template needs, formatted for the teacher's language."""
    lang = dash.lang
    course = launch.course
    sel = dash.selected
    notes = reflection.notes_of(launch.course_id, launch.user_id)
    # Eight tables of up to 52 weeks ask for the same few labels hundreds of times; each
    # would ask gettext and Babel (and the request for its locale). Work them out once.
    cached_week_label = functools.cache(week_label)
    spark_part = functools.cache(_spark_part)
    spark_label = functools.cache(_spark_label)
    locale = str(get_locale())
    too_few, no_answers, pending = _("too few answers"), _("no answers"), _("shown when the week closes")

    def page_score(value: float | None) -> str:
        return "" if value is None else score_text(value, locale)

    def spark_last(card: StudentCard) -> str:
        last = card.recent[-1][1]
        return page_score(last) if last is not None else "–"

    def status_text(measure: Measure) -> str:
        if measure.status == charts.VALUE:
            return page_score(measure.value)
        if measure.status == PENDING:
            return pending
        return too_few if measure.status == charts.TOO_FEW else no_answers

    def table_rows(key: str) -> list[tuple[bool, str, str, int, str]]:
        """A chart's table, newest week first: (selected, week, value in words, answers, wording).
        Worked out here, not in the template: eight tables of up to 52 weeks."""
        rows = []
        for w in reversed(dash.weeks):
            m = w.measures[key]
            answers = w.respondents if key == INDEX else m.respondents
            rows.append((w.week.start == sel.week.start, cached_week_label(w.week), status_text(m), answers, version_text(m)))
        return rows

    return {
        "dash": dash,
        "sel": sel,
        "lang": lang,
        "measures": MEASURES,
        "names": {k: items.construct_name(k, lang) for k in MEASURES},
        "statements": {k: items.get_item(k).text[lang] for k in items.SCALE_ITEMS},
        "reverse": {k: lower_is_better(k) for k in MEASURES},
        "index_chart": trend_chart(dash, INDEX, big=True),
        "item_charts": [trend_chart(dash, k, big=False) for k in items.SCALE_ITEMS],
        "table_rows": {key: table_rows(key) for key in MEASURES},
        "sparks": {
            c.person.user_id: PersonSpark(charts.spark_svg(sparkline_for(c, lang, spark_part, spark_label)), spark_last(c))
            for c in dash.cards
            if any(v for _w, v in c.recent)  # a line only with something to show
        },
        "trend_svg": charts.trend_svg,
        "score": page_score,
        "status_text": status_text,
        "version_text": version_text,
        "comparison_text": lambda key: comparison_text(dash.comparisons[key]),
        "week_label": cached_week_label,
        "week_dates": week_dates,
        "percent": lambda v: format_percent(v) if v is not None else "",
        "is_current": sel.week.start == dash.current_start,
        "release_note": release_note(dash),
        "sync": sync,
        "synced_at": local_time(course.roster_synced_at, course.timezone),
        "has_nrps": bool(launch.nrps_url),
        "min_items": privacy.MIN_ITEM_RESPONDENTS,
        "min_open": privacy.MIN_OPEN_TEXT_RESPONDENTS,
        "scale_labels": items.scale_labels(lang),
        "reflection_questions": reflection_questions(lang),
        "reflection_note": notes.get(sel.week.start),
        "previous_notes": reflection.previous_notes(notes, dash, sel.week.start),
        "reflection_max": reflection.MAX_LENGTH,
        "any_answers": any(w.respondents for w in dash.weeks),
        "local_time": lambda moment: local_time(moment, course.timezone),
        "q_text": items.item_text("Q", lang, launch.course_title),
        "stem": items.stem(lang, launch.course_title),
    }


def release_note(dash: Dashboard) -> str | None:
    """One sentence on when the selected week's figures appear, or that they are fixed."""
    sel = dash.selected
    if dash.identified and not sel.respondents:
        return None
    if sel.measures[INDEX].status == PENDING:
        return _(
            "To protect your students, this week's results appear when the week closes at midnight on Sunday, "
            "and only if at least %(n)s students answered; until then you see how many answered.",
            n=privacy.MIN_ITEM_RESPONDENTS,
        )
    if not dash.identified and sel.week.start < dash.current_start and sel.respondents:
        if not sel.visible:
            return _("Too few students had answered when this week closed, so its results stay hidden.")
        return _("These results were fixed when the week closed and do not change afterwards.")
    return None


def render_dashboard(
    launch: LaunchContext,
    selected: date | None,
    *,
    reflection_text: str | None = None,
    reflection_error: str | None = None,
    status: int = 200,
):
    sync = roster_status(launch)
    dash = load_dashboard(launch, selected, page=True)
    context = page_context(dash, launch, sync)
    context.update(
        reflection_text=reflection_text,
        reflection_error=reflection_error,
        reflection_saved=request.args.get("saved") == "reflection",
    )
    resp = make_response(render_template("checkin/dashboard.html", **context), status)
    # Names and answers of students: never kept by a shared cache or the back/forward cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _week_args(start: date | None) -> dict[str, str]:
    return {"week": start.isoformat()} if start else {}


# ---------------------------------------------------------------- routes
@bp.route("/dashboard")
@instructor_required
def dashboard():
    """This week at a glance, who might need me, what can I do; trends and reflection below."""
    launch = checkin_launch()
    return render_dashboard(launch, requested_week())


@bp.route("/dashboard/reflection", methods=["POST"])
@csrf.exempt  # checked below, so that an expired form keeps what the teacher wrote
@instructor_required
def save_reflection():
    """Save the teacher's private note for the selected week."""
    launch = checkin_launch()
    selected = requested_week()
    text = request.form.get("notes", "")
    try:
        validate_csrf(request.form.get("csrf_token"))
    except ValidationError:
        return render_dashboard(
            launch,
            selected,
            reflection_text=text,
            reflection_error=_("This form had expired, so your note was not saved yet. It is still below: save it again."),
            status=400,
        )
    try:
        week = period_week(launch.course, current=operations.current_week(launch.course), selected_start=selected)
    except WeekNotInPeriod:
        abort(404)
    error = reflection.validate(text)
    if error:
        return render_dashboard(launch, selected, reflection_text=text, reflection_error=error, status=400)
    reflection.save_note(launch.course_id, launch.user_id, week.start, text)
    return redirect(url_for("checkin.dashboard", saved="reflection", **_week_args(selected)) + "#reflection")


@bp.route("/dashboard/export.<fmt>")
@instructor_required
def export_data(fmt: str):
    """CSV or JSON of exactly what the dashboard shows, for every week of the course period."""
    if fmt not in ("csv", "json"):
        abort(404)
    launch = checkin_launch()
    dash = load_dashboard(launch, requested_week())
    course = launch.course
    body, mimetype = export.to_csv(dash, course) if fmt == "csv" else export.to_json(dash, course)
    resp = make_response(body)
    resp.mimetype = mimetype
    resp.headers["Content-Disposition"] = f'attachment; filename="{export.filename(course, dash, fmt)}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


from . import settings  # noqa: E402,F401,I001  (registers the settings routes on bp)
from . import seed  # noqa: E402,F401,I001  (registers `flask checkin seed-demo` on bp.cli)
from . import release_command  # noqa: E402,F401,I001  (registers `flask checkin release` on bp.cli)
