"""The student's side of the weekly check-in: the form, the thank-you page and their history.

Thin views: they parse the form (``items.validate_answers``), save through
``operations.save_checkin`` and ask ``privacy`` what to tell the student. Every query is
scoped to the launch's course AND user: a student only ever sees their own answers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..extensions import db
from ..lti import LaunchContext, learner_required
from ..models.checkin import CheckinResponse, CheckinSettings
from ..transactions import alone
from . import charts, items, operations, privacy
from .blueprint import bp, checkin_launch
from .display import date_text, page_lang, score, week_dates
from .items import Q_MAX_LENGTH, SCALE_ITEMS, SCALE_MAX, SCALE_MIN
from .own_week import own_response_and_mode
from .signals import INDEX_ITEMS
from .weeks import Week, weeks_since

HISTORY_MAX_WEEKS = 52  # the table; a school year fits
CHART_WEEKS = 10  # the charts: enough for a trend, few enough to read on a phone


# ---------------------------------------------------------------- helpers
def _own_responses(launch: LaunchContext):
    """This student's responses in this course only (a query to refine)."""
    return db.select(CheckinResponse).where(CheckinResponse.course_id == launch.course_id, CheckinResponse.user_id == launch.user_id)


def _week_label(week: Week) -> Markup:
    """ "week 47 (16–22 nov)": the ISO week number students hear at school, and the dates.

    HTML: the dates sit in a ``nowrap`` span, so a narrow screen never breaks a line inside
    "(16–22 nov)" (a line may still break after "week 47").
    """
    return _week_texts(week, str(get_locale()))[0]


def _deadline(week: Week) -> str:
    # The week ends at Monday 00:00 in the course's zone; students think "Sunday night".
    return _week_texts(week, str(get_locale()))[1]


@functools.lru_cache(maxsize=512)
def _week_texts(week: Week, _locale: str) -> tuple[Markup, str]:
    """A week's label and deadline, made once per week and language (every page of the
    check-in shows them; Babel's formatting and the messages cost tens of microseconds)."""
    dates = Markup('<span class="nowrap">{}</span>').format(week_dates(week))
    label = escape(_("week %(number)s (%(dates)s)")) % {"number": week.iso_week, "dates": dates}
    return label, _("%(day)s, 23:59", day=date_text(week.end, "EEEE d MMMM"))


def landing(launch: LaunchContext) -> str:
    """Where a learner's launch goes: their answers this week if they gave them, else the form."""
    checkin_launch()  # a check-in link of this course, or 404
    week = operations.current_week(launch.course)
    response = own_response_and_mode(launch, week.start)[0]  # kept for the page, when rendered in this request
    return url_for("checkin.done" if response else "checkin.form")


# ---------------------------------------------------------------- the form
@dataclass(frozen=True)
class ScaleQuestion:
    id: str
    stem: str  # "Deze week in Engels" / "This week in English,"
    completion: str  # the rest of the sentence: what the student answers about
    options: Sequence[tuple[str, str]]  # (value, label)


@functools.lru_cache(maxsize=512)
def _questions(lang: str, course_title: str | None = None) -> tuple[ScaleQuestion, ...]:
    """The seven scale items, each as stem + completion, so that every legend is a whole
    sentence (read on its own by a screen reader) while the page shows the stem only once.

    Made once per language and course title (the items are fixed data): read-only."""
    labels = items.scale_labels(lang)
    options = tuple((str(v), labels[v - SCALE_MIN]) for v in range(SCALE_MIN, SCALE_MAX + 1))
    questions = []
    for item_id in SCALE_ITEMS:
        completion = items.get_item(item_id).text[lang]
        full = items.item_text(item_id, lang, course_title)
        questions.append(ScaleQuestion(item_id, full[: len(full) - len(completion)].strip(), completion, options))
    return tuple(questions)


@functools.lru_cache(maxsize=1024)
def _scale_options(qid: str, options: tuple[tuple[str, str], ...], chosen: str | None, invalid: bool) -> Markup:
    """One statement's five radio buttons (checkin/_scale_options.html), rendered once per
    statement, language, answer and error state: the same few dozen fragments every page."""
    html = current_app.jinja_env.get_template("checkin/_scale_options.html").render(
        qid=qid, options=options, chosen=chosen, invalid=invalid
    )
    return Markup(html)  # noqa: S704 - rendered by an autoescaping template


def scale_options(q: ScaleQuestion, chosen, invalid) -> Markup:
    return _scale_options(q.id, q.options, chosen if isinstance(chosen, str) else None, bool(invalid))


def _values_of(response: CheckinResponse) -> dict[str, str]:
    values = {item_id: str(v) for item_id, v in (response.answers or {}).items()}
    values["O1"] = "yes" if response.contact_opt_in else ""
    values["Q"] = response.open_answer or ""
    return values


def _entered(form: Mapping[str, str]) -> dict[str, str]:
    """Everything the student sent, as sent, so a form with errors comes back as they left it."""
    values = {item_id: (form.get(item_id) or "").strip() for item_id in SCALE_ITEMS}
    values["O1"] = "yes" if (form.get("O1") or "").strip().lower() == "yes" else ""
    values["Q"] = form.get("Q") or ""
    return values


def _error_list(errors: Mapping[str, str], lang: str) -> list[dict[str, str]]:
    """Errors in form order, each with the id of the control the summary links to."""
    if not errors:
        return []
    order = [*SCALE_ITEMS, "O1", "Q"]
    anchors = {item_id: f"{item_id}-1" for item_id in SCALE_ITEMS} | {"O1": "O1", "Q": "Q"}
    titles = {q.id: q.completion for q in _questions(lang)}
    titles |= {"O1": _("Talk to my teacher"), "Q": _("Your idea for next week")}
    return [
        {"field": f, "anchor": anchors[f], "title": titles[f], "message": items.error_message(errors[f], lang)}
        for f in order
        if f in errors
    ]


def _privacy_changed(launch: LaunchContext, settings: CheckinSettings | None) -> bool:
    """True when the course's privacy mode changed after this student's last response."""
    if settings is None or settings.privacy_changed_at is None:
        return False
    last = db.session.execute(_own_responses(launch).order_by(CheckinResponse.updated_at.desc()).limit(1)).scalar_one_or_none()
    return last is not None and settings.privacy_changed_at > last.updated_at


@bp.route("/week", methods=["GET", "POST"])
@alone  # reads, and a save that is one UPDATE unless it queues a completion (transactions.py)
@learner_required
def form():
    launch = checkin_launch()
    errors: dict[str, str] = {}
    if request.method == "POST":
        clean, errors = items.validate_answers(request.form)
        if not errors:
            # Saved without reading what the page would show: a submission is one read
            # (the week's mode) and one write.
            saved = operations.save_checkin(operations.Respondent.from_launch(launch), clean)
            # A form opened before midnight on Sunday and sent after it counts for the new week.
            new_week = request.form.get("week", saved.week.start.isoformat()) != saved.week.start.isoformat()
            return redirect(url_for("checkin.done", saved=1, **({"new_week": 1} if new_week else {})))
    course = launch.course
    lang = page_lang()
    week = operations.current_week(course)
    existing, mode, settings = own_response_and_mode(launch, week.start)
    values = _entered(request.form) if errors else (_values_of(existing) if existing else {})
    completion_reported = mode == privacy.IDENTIFIED and bool(settings and settings.completion_to_gradebook)
    error_list = _error_list(errors, lang)
    page = render_template(
        "checkin/student_form.html",
        course_title=launch.course_title,
        week=week,
        week_label=_week_label(week),
        deadline=_deadline(week),
        stem=items.stem(lang, launch.course_title),
        questions=_questions(lang, launch.course_title),
        o1_text=items.item_text("O1", lang, launch.course_title),
        q_text=items.item_text("Q", lang, launch.course_title),
        q_max=Q_MAX_LENGTH,
        mode=mode,
        privacy_sentence=privacy.privacy_sentence(mode, lang),
        completion_reported=completion_reported,
        min_open=privacy.MIN_OPEN_TEXT_RESPONDENTS,
        privacy_changed=_privacy_changed(launch, settings),
        values=values,
        error_list=error_list,
        error_messages={e["field"]: e["message"] for e in error_list},
        answered=existing is not None,
        scale_options=scale_options,
    )
    return (page, 400) if errors else page


# ---------------------------------------------------------------- after saving
@bp.route("/week/done")
@learner_required
def done():
    launch = checkin_launch()
    lang = page_lang()
    week = operations.current_week(launch.course)
    response = own_response_and_mode(launch, week.start)[0]
    if response is None:  # a new week began: nothing answered yet
        return redirect(url_for("checkin.form"))
    labels = items.scale_labels(lang)
    answers = [
        {"id": q.id, "text": q.completion, "label": labels[int(response.answers[q.id]) - SCALE_MIN]}
        for q in _questions(lang)
        if q.id in (response.answers or {})
    ]
    just_saved = request.args.get("saved") == "1"
    return render_template(
        "checkin/student_done.html",
        just_saved=just_saved,
        # A second save in the same week changed the answers: say so, not "thank you" again.
        changed=just_saved and response.revision > 1,
        new_week=request.args.get("new_week") == "1",
        response=response,
        mode=response.privacy_mode,
        privacy_sentence=privacy.privacy_sentence(response.privacy_mode, lang),
        min_items=privacy.MIN_ITEM_RESPONDENTS,
        week_label=_week_label(week),
        deadline=_deadline(week),
        stem=items.stem(lang, launch.course_title),
        answers=answers,
        o1_text=items.item_text("O1", lang, launch.course_title),
    )


# ---------------------------------------------------------------- history
# Room around the plot (top, right, bottom, left, in viewBox units) for labels up to 17
# units high: on a phone checkin.css draws them that large, so they are still ~12 px when
# the 320-wide chart is scaled down.
HISTORY_CHART_PADDING = (10.0, 14.0, 26.0, 34.0)
HISTORY_CHART_LABEL_MAX = 17


def history_chart(
    chart_id: str,
    title: str,
    weeks: Sequence[Week],
    values: Sequence[float | None],
    *,
    series: Sequence[object] | None = None,
    height: int = 150,
    ticks: Sequence[int] = (1, 2, 3, 4, 5),
) -> charts.TrendChart:
    """One of the student's charts: one value per week (None = no response) on the 1-5 axis.

    The geometry is ``charts.trend_chart``'s; this adds the history's size and the
    description, which names every week ("week 46: no response").
    """
    description = "; ".join(
        _("week %(number)s: %(value)s", number=w.iso_week, value=score(v) if v is not None else _("no response"))
        for w, v in zip(weeks, values, strict=True)
    )
    return charts.trend_chart(
        chart_id,
        title,
        description,
        [str(w.iso_week) for w in weeks],
        values,
        series=series,
        width=320,
        height=height,
        font_size=11,
        padding=HISTORY_CHART_PADDING,
        ticks=ticks,
        label_size=HISTORY_CHART_LABEL_MAX,
    )


def _anonymous_counts(course_id: int, week_starts: Sequence[date]) -> dict[date, int]:
    """Anonymous respondents per week in this course: a count, never anyone's answers."""
    rows = db.session.execute(
        db.select(CheckinResponse.week_start, CheckinResponse.privacy_mode, db.func.count())
        .where(CheckinResponse.course_id == course_id, CheckinResponse.week_start.in_(week_starts))
        .group_by(CheckinResponse.week_start, CheckinResponse.privacy_mode)
    ).all()
    counts: dict[date, int] = {}
    for week_start, mode, n in rows:
        counts[week_start] = counts.get(week_start, 0) + privacy.anonymous_respondents([mode]) * n
    return counts


def teacher_sees(response: CheckinResponse, anonymous_count: int, *, current: bool) -> list[str]:
    """What the teacher can see of this response, in plain sentences for the student."""
    vis = privacy.visibility(response.privacy_mode, anonymous_count)
    # The mode an answer was given under stays with it: the student always sees which.
    lines: list[str] = [_("Given with your name.") if vis.names else _("Given anonymously.")]
    if vis.names:
        lines.append(_("Your answers, with your name."))
    elif current:
        lines.append(
            _(
                "Nothing yet: group results appear after the week closes, and only if at least %(n)s students answered.",
                n=privacy.MIN_ITEM_RESPONDENTS,
            )
        )
    elif vis.item_values:
        lines.append(_("Only group results, without your name."))
        if response.open_answer:
            lines.append(
                _("Your open answer, without your name.")
                if vis.open_text
                else _("Not your open answer: fewer than %(n)s students answered.", n=privacy.MIN_OPEN_TEXT_RESPONDENTS)
            )
    else:
        lines.append(_("Nothing of your answers: fewer than %(n)s students answered.", n=privacy.MIN_ITEM_RESPONDENTS))
    if response.contact_opt_in:
        lines.append(_("Your request to talk, with your name."))
    return lines


@bp.route("/history")
@learner_required
def history():
    launch = checkin_launch()
    course = launch.course
    lang = page_lang()
    current = operations.current_week(course)
    responses = db.session.execute(_own_responses(launch).order_by(CheckinResponse.week_start)).scalars().all()
    by_week = {r.week_start: r for r in responses}
    weeks = weeks_since(responses[0].week_start if responses else None, current, course.timezone, HISTORY_MAX_WEEKS)
    counts = _anonymous_counts(course.id, [w.start for w in weeks])

    rows = []
    for w in reversed(weeks):  # newest first in the table
        r = by_week.get(w.start)
        rows.append(
            {
                "week": w,
                "label": _week_label(w),
                "starts": format_date(w.start, "d MMM"),
                "response": r,
                "index": score(r.index_score) if r else "",
                "values": {i: (r.answers or {}).get(i) for i in SCALE_ITEMS} if r else {},
                "teacher_sees": teacher_sees(r, counts.get(w.start, 0), current=w.start == current.start) if r else [],
            }
        )

    chart_weeks = weeks[-CHART_WEEKS:]
    chart_responses = [by_week.get(w.start) for w in chart_weeks]
    index_chart = history_chart(
        "chart-index",
        items.construct_name("index", lang),
        chart_weeks,
        [r.index_score if r else None for r in chart_responses],
        series=[tuple((r.item_versions or {}).get(i) for i in INDEX_ITEMS) if r else None for r in chart_responses],
    )
    questions = _questions(lang, launch.course_title)
    item_charts = [
        {
            "question": q,
            "chart": history_chart(
                f"chart-{q.id}",
                f"{q.stem} {q.completion}",
                chart_weeks,
                [(r.answers or {}).get(q.id) if r else None for r in chart_responses],
                series=[(r.item_versions or {}).get(q.id) if r else None for r in chart_responses],
                height=110,
                ticks=(1, 3, 5),
            ),
        }
        for q in questions
    ]
    mode = operations.current_mode(course)
    return render_template(
        "checkin/student_history.html",
        rows=rows,
        responded=bool(responses),
        index_chart=index_chart,
        item_charts=item_charts,
        questions=questions,
        index_name=items.construct_name("index", lang),
        stem=items.stem(lang, launch.course_title),
        scale_labels=items.scale_labels(lang),
        mode=mode,
        privacy_sentence=privacy.privacy_sentence(mode, lang),
        chart_weeks=len(chart_weeks),
    )
