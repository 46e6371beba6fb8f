"""What the teacher's dashboard and its export show, computed from plain data (no queries).

``assemble`` turns a course's loaded answers and people (``dashboard_rows``) into a
``Dashboard``; ``dashboard_page`` decides what to load for a request and calls it. The rest
is the pure core:

- ``signals`` for the index, patterns and the class and student signals;
- ``privacy`` for who may see what (``visibility``, ``anonymous_respondents``);
- ``suggestions`` for reasons in words, suggestions and conversation starters.

How the privacy rules apply here (product spec, "Privacy"):

- A response is *named* only when the course is identified now AND the response was given
  in identified mode. A switch to identified never reveals answers given anonymously; a
  switch back to anonymous hides names again.
- A group value (the class index, an item mean) is shown only when ``privacy.visibility``
  lets every response in the group count: in practice at least
  ``MIN_ITEM_RESPONDENTS`` respondents whose answers are not named — or none at all,
  when everyone is named anyway. Anonymous answers also need that many answers that were
  *given* anonymously: a mix of former identified and anonymous answers never hides one
  anonymous student among classmates the teacher has already seen by name.
- Open answers that are not named are shown verbatim only with
  ``MIN_OPEN_TEXT_RESPONDENTS`` such respondents, in an order that says nothing about who
  wrote them; otherwise they are counted.
- O1 (a request to talk) is always shown with the name.
- Individual signals exist only for named responses (identified mode). A student's history
  stops at their last answer that is not named, so an anonymous answer never feeds a
  signal, and a week answered anonymously never looks like "no response".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from . import privacy
from .charts import NONE, TOO_FEW, VALUE
from .dashboard_rows import Person, ResponseRow, group_by_week
from .items import ITEMS, SCALE_ITEMS
from .signals import (
    CLASS_CODES,
    DEFAULT_RULES,
    MIN_RESPONDENTS,
    STUDENT_CODES,
    SignalRules,
    class_signals,
    mean,
    pattern_counts,
    student_signals,
)
from .suggestions import conversation_starters, reason_text, rule_explanations, suggestions_for
from .weeks import Week

INDEX = "index"
MEASURES: tuple[str, ...] = (INDEX, *SCALE_ITEMS)
MAX_WEEKS = 52  # a school year and a bit: the period the dashboard and the export cover
SPARK_WEEKS = 6  # a student's recent weeks beside their name

# Groups in "who might need me", in the order the teacher reads them.
GROUP_CONTACT = "contact"  # asked for a chat (O1)
GROUP_SIGNAL = "signal"  # a signal about how the student is doing
GROUP_NO_RESPONSE = "no_response"  # only "no answer for a while": neutral, last


def lower_is_better(key: str) -> bool:
    """True for a measure where a high value is unfavourable (P1; never the index)."""
    return key != INDEX and ITEMS[key].reverse


@dataclass(frozen=True)
class Measure:
    """The class's value of the index or one item in one week.

    ``status`` is VALUE (``value`` may be shown), TOO_FEW (answers exist but privacy hides
    them; ``value`` is None) or NONE (nobody answered). ``version`` is the item version
    (the tuple of the four index items' versions for the index) the value is about.
    """

    key: str
    status: str
    value: float | None
    respondents: int
    version: object = None


@dataclass(frozen=True)
class NamedResponse:
    person: Person
    answers: Mapping[str, int]
    item_versions: Mapping[str, int]
    index: float | None
    contact_opt_in: bool
    open_answer: str | None


@dataclass(frozen=True)
class OpenAnswer:
    text: str
    name: str | None  # None: shown without a name (anonymous)


class Deferred(Sequence):
    """A tuple worked out on first use. Every week's named answers are made for the export;
    the page never shows them (300 students x 40 weeks: 12,000 objects and 40 sorts saved)."""

    __slots__ = ("_make", "_items")

    def __init__(self, make: Callable[[], Iterable]):
        self._make = make
        self._items: tuple | None = None

    def _get(self) -> tuple:
        if self._items is None:
            self._items = tuple(self._make())
            self._make = None
        return self._items

    def __getitem__(self, i):
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self):
        return iter(self._get())

    def __eq__(self, other) -> bool:
        return self._get() == (other._get() if isinstance(other, Deferred) else other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"Deferred({self._get()!r})"


@dataclass(frozen=True)
class WeekView:
    """One week of the class, exactly as far as the teacher may see it."""

    week: Week
    respondents: int  # everyone who answered, in any mode (a count reveals no answers)
    roster_respondents: int  # of those, the students on the current roster
    roster_size: int
    measures: Mapping[str, Measure]
    share_dont_dare: float | None  # None when group values are hidden
    share_no_start: float | None
    contacts: tuple[Person, ...]  # asked for a chat: always with the name
    named: Sequence[NamedResponse]  # answers shown with the student's name (a Deferred tuple)
    open_answers: tuple[OpenAnswer, ...]
    hidden_open_answers: int  # open answers given but not shown (too few respondents)
    # True: a week the page shows only in the trends (its figures and respondent count);
    # who answered, the opt-ins and the open answers were not loaded (see build_page).
    summary: bool = False

    @property
    def visible(self) -> bool:
        """True when group values of this week may be shown."""
        return self.measures[INDEX].status == VALUE

    @property
    def response_rate(self) -> float | None:
        return self.roster_respondents / self.roster_size if self.roster_size else None


@dataclass(frozen=True)
class Comparison:
    """This week's class value against the class's own previous weeks (same wording only)."""

    key: str
    value: float | None
    baseline: float | None
    weeks: int  # how many previous weeks the baseline averages
    lower_is_better: bool

    @property
    def delta(self) -> float | None:
        return None if self.value is None or self.baseline is None else self.value - self.baseline

    @property
    def direction(self) -> str | None:
        """One of better, worse or same (within 0.2), taking reversed items into account."""
        delta = self.delta
        if delta is None:
            return None
        if abs(delta) < 0.2:
            return "same"
        return "better" if (delta > 0) != self.lower_is_better else "worse"


@dataclass(frozen=True)
class StudentCard:
    """A student in "who might need me" (identified mode, or an opt-in in any mode)."""

    person: Person
    group: str
    codes: tuple[str, ...]
    reasons: tuple[str, ...]
    opted_in: bool
    recent: tuple[tuple[Week, float | None], ...] = ()  # index per recent week; None: nothing to show
    recent_series: tuple[object, ...] = ()  # index versions, so the sparkline never joins two wordings
    answers: Mapping[str, int] | None = None  # this week's answers, when named


@dataclass(frozen=True)
class Action:
    """What a teacher can do about one active signal."""

    code: str
    scope: str  # "class" or "students"
    reason: str
    names: tuple[str, ...]
    suggestions: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    course_id: int
    mode: str  # the effective privacy mode of the course now
    lang: str
    weeks: tuple[WeekView, ...]  # the course period, oldest first
    selected_index: int
    current_start: date  # the real current week
    roster_size: int
    comparisons: Mapping[str, Comparison]
    class_codes: tuple[str, ...]  # class signals of the selected week, in CLASS_CODES order
    class_reasons: Mapping[str, str]
    cards: tuple[StudentCard, ...]  # identified mode: everyone to look at; anonymous: opt-ins
    actions: tuple[Action, ...]
    starters: tuple[str, ...]
    rules_text: tuple[str, ...]
    rules: SignalRules = field(default=DEFAULT_RULES, repr=False)

    @property
    def selected(self) -> WeekView:
        return self.weeks[self.selected_index]

    @property
    def identified(self) -> bool:
        return self.mode == privacy.IDENTIFIED

    @property
    def previous_start(self) -> date | None:
        return self.weeks[self.selected_index - 1].week.start if self.selected_index > 0 else None

    @property
    def next_start(self) -> date | None:
        i = self.selected_index + 1
        return self.weeks[i].week.start if i < len(self.weeks) else None


# ---------------------------------------------------------------- privacy, applied
def is_named(row: ResponseRow, mode: str) -> bool:
    """Shown with the student's name: the course is identified now AND the answer was given so."""
    return mode == privacy.IDENTIFIED and row.privacy_mode == privacy.IDENTIFIED


def visibilities(rows: Sequence[ResponseRow], mode: str) -> list[privacy.Visibility]:
    """What the teacher may see of each of a group's responses (``privacy.visibility``).

    The crowd that hides an answer is the group's answers that are not named. When the
    course is anonymous again after being identified, the crowd must also hold enough
    answers *given* anonymously (see the module docstring).
    """
    named_flags = [is_named(r, mode) for r in rows]
    named, anonymous = _group_visibility(rows, named_flags)
    return [named if flag else anonymous for flag in named_flags]


def _group_visibility(rows: Sequence[ResponseRow], named_flags: Sequence[bool]) -> tuple[privacy.Visibility, privacy.Visibility]:
    """(visibility of a named answer, visibility of an answer without a name) in this group."""
    crowd = len(rows) - sum(named_flags)
    given_anonymously = privacy.anonymous_respondents(r.privacy_mode for r in rows)
    anonymous = privacy.visibility(privacy.ANONYMOUS, crowd)
    if given_anonymously:
        strict = privacy.visibility(privacy.ANONYMOUS, given_anonymously)
        anonymous = privacy.Visibility(
            names=False,
            item_values=anonymous.item_values and strict.item_values,
            open_text=anonymous.open_text and strict.open_text,
        )
    return privacy.visibility(privacy.IDENTIFIED, crowd), anonymous


def group_visible(rows: Sequence[ResponseRow], mode: str) -> bool:
    """A group value over ``rows`` may be shown: every one of them may count in it."""
    if not rows:
        return False
    named_flags = [is_named(r, mode) for r in rows]
    named, anonymous = _group_visibility(rows, named_flags)
    return (named.item_values or not any(named_flags)) and (anonymous.item_values or all(named_flags))


# ---------------------------------------------------------------- measures
def display_mean(values: Sequence[float]) -> float | None:
    """The mean shown on the page. Signals decide with exact fractions (signals.mean);
    a number to show needs no more than fsum's accuracy, at a fraction of the cost."""
    return math.fsum(values) / len(values) if values else None


def dominant_version(rows: Sequence[ResponseRow], key: str) -> tuple[object, list[ResponseRow]]:
    """The version most of the week answered (ties: the newer one) and those rows.

    A week in which the wording changed mixes two versions; the value is about one of them
    only, so that trends compare like with like. The minority is left out, not mixed in.
    """
    groups: dict[object, list[ResponseRow]] = defaultdict(list)
    # Two plain loops, no helper calls per row: this runs for every week and every key.
    if key == INDEX:
        for row in rows:
            if row.index_value is not None:
                groups[row.index_versions].append(row)
    else:
        for row in rows:
            if row.answers.get(key) is not None:
                groups[int(row.item_versions.get(key) or 0)].append(row)
    if not groups:
        return None, []
    if len(groups) == 1:
        return next(iter(groups.items()))
    version = max(groups, key=lambda v: (len(groups[v]), v))
    return version, groups[version]


def measure(rows: Sequence[ResponseRow], key: str, mode: str) -> Measure:
    """The class's value of ``key`` over one week's ``rows``, if privacy lets it be shown."""
    version, subset = dominant_version(rows, key)
    if not subset:
        return Measure(key, NONE, None, 0)
    if not group_visible(subset, mode):
        return Measure(key, TOO_FEW, None, len(subset), version)
    values = [r.index_value for r in subset] if key == INDEX else [r.answers[key] for r in subset]
    return Measure(key, VALUE, display_mean(values), len(subset), version)


def week_measures(rows: Sequence[ResponseRow], mode: str) -> dict[str, Measure]:
    """``measure`` for the index and every item of one week.

    Nearly every week is answered to one wording by everyone, with every item answered:
    then each measure is about all rows, and the privacy check and the versions need
    working out only once. Any other week takes the general path, item by item.
    """
    first = rows[0] if rows else None
    uniform = first is not None
    if uniform:
        versions = first.item_versions  # rows of one wording share one decoded mapping
        for r in rows:
            if r.item_scores is None or r.index_value is None or (r.item_versions is not versions and r.item_versions != versions):
                uniform = False
                break
    if not uniform:
        return {key: measure(rows, key, mode) for key in MEASURES}
    n = len(rows)
    if not group_visible(rows, mode):
        return {key: Measure(key, TOO_FEW, None, n, _uniform_version(first, key)) for key in MEASURES}
    result = {INDEX: Measure(INDEX, VALUE, display_mean([r.index_value for r in rows]), n, first.index_versions)}
    # One pass over the rows: the items' answers as columns (a sum is exact, in any order).
    columns = zip(*[r.item_scores for r in rows], strict=True)
    for key, column in zip(SCALE_ITEMS, columns, strict=True):
        result[key] = Measure(key, VALUE, display_mean(column), n, _uniform_version(first, key))
    return result


def _uniform_version(row: ResponseRow, key: str) -> object:
    return row.index_versions if key == INDEX else int(row.item_versions.get(key) or 0)


# ---------------------------------------------------------------- one week
def _open_answers(rows: Sequence[ResponseRow], vis: Sequence[privacy.Visibility], people: Mapping[int, Person]):
    named: list[OpenAnswer] = []
    anonymous: list[OpenAnswer] = []
    hidden = 0
    for row, v in zip(rows, vis, strict=True):
        if not row.open_answer:
            continue
        if not v.open_text:
            hidden += 1
        elif v.names:
            named.append(OpenAnswer(row.open_answer, _name(people, row.user_id)))
        else:
            anonymous.append(OpenAnswer(row.open_answer, None))
    # Anonymous answers in alphabetical order: any stored order (time, user id) could
    # point at who wrote them.
    anonymous.sort(key=lambda a: (a.text.casefold(), a.text))
    named.sort(key=lambda a: ((a.name or "").casefold(), a.text))
    return tuple(named + anonymous), hidden


def _pattern_counts(rows: Sequence[ResponseRow], rules: SignalRules, memo: dict | None) -> tuple[int, int]:
    """``pattern_counts`` over the rows' answers, once per distinct answers mapping."""
    if memo is None:
        return pattern_counts((r.answers for r in rows), rules=rules)
    dont_dare = no_start = 0
    for r in rows:
        answers = r.answers
        hit = memo.get(id(answers))
        if hit is None or hit[0] is not answers or hit[1] is not rules:
            hit = memo[id(answers)] = (answers, rules, *pattern_counts((answers,), rules=rules))
        dont_dare += hit[2]
        no_start += hit[3]
    return dont_dare, no_start


def _name(people: Mapping[int, Person], user_id: int) -> str:
    person = people.get(user_id)
    return person.name if person else f"#{user_id}"


def week_view(
    week: Week,
    rows: Sequence[ResponseRow],
    *,
    mode: str,
    people: Mapping[int, Person],
    roster_ids: set[int],
    rules: SignalRules = DEFAULT_RULES,
    patterns: dict | None = None,
) -> WeekView:
    """Everything the teacher may see of one week.

    ``patterns``: a dict shared by the weeks of one page, remembering each stored answers
    mapping's patterns (rows with the same answers share one mapping).
    """
    vis = visibilities(rows, mode)
    measures = week_measures(rows, mode)
    shares: tuple[float | None, float | None] = (None, None)
    if measures[INDEX].status == VALUE:
        # The patterns' shares as the class signals count them (with the same rules), over
        # the respondents the index is about.
        _v, subset = dominant_version(rows, INDEX)
        dont_dare, no_start = _pattern_counts(subset, rules, patterns)
        shares = (dont_dare / len(subset), no_start / len(subset))
    contacts = sorted(
        (
            people.get(r.user_id) or Person(r.user_id, f"#{r.user_id}", False)
            for r, v in zip(rows, vis, strict=True)
            if r.contact_opt_in and v.contact_with_name
        ),
        key=lambda p: p.name.casefold(),
    )
    named = Deferred(lambda: sorted(
        (
            NamedResponse(
                people.get(r.user_id) or Person(r.user_id, f"#{r.user_id}", False),
                r.answers,  # read only, shared with the row (no copy per row per week)
                r.item_versions,
                r.index_value,
                r.contact_opt_in,
                r.open_answer,
            )
            for r, v in zip(rows, vis, strict=True)
            if v.names
        ),
        key=lambda n: n.person.name.casefold(),
    ))
    open_answers, hidden = _open_answers(rows, vis, people)
    return WeekView(
        week=week,
        respondents=len(rows),
        roster_respondents=sum(1 for r in rows if r.user_id in roster_ids),
        roster_size=len(roster_ids),
        measures=measures,
        share_dont_dare=shares[0],
        share_no_start=shares[1],
        contacts=tuple(contacts),
        named=named,
        open_answers=open_answers,
        hidden_open_answers=hidden,
    )


def summary_week_view(
    week: Week, *, respondents: int, measures: Mapping[str, Measure], share_dont_dare: float | None, share_no_start: float | None
) -> WeekView:
    """A week known by its figures only (``WeekView.summary``): no one in it by name."""
    return WeekView(
        week=week,
        respondents=respondents,
        roster_respondents=0,
        roster_size=0,
        measures=measures,
        share_dont_dare=share_dont_dare,
        share_no_start=share_no_start,
        contacts=(),
        named=(),
        open_answers=(),
        hidden_open_answers=0,
        summary=True,
    )


# ---------------------------------------------------------------- the selected week
def compare(weeks: Sequence[WeekView], index: int, key: str, rules: SignalRules = DEFAULT_RULES) -> Comparison:
    """This week's value of ``key`` against the mean of the class's previous weeks.

    Uses the same window as the class signals (3 weeks, at least 2 with a value), and only
    weeks answered to the same version of the wording.
    """
    current = weeks[index].measures[key]
    lower = lower_is_better(key)
    if current.status != VALUE:
        return Comparison(key, None, None, 0, lower)
    previous = [
        w.measures[key].value
        for w in weeks[max(0, index - rules.class_window) : index]
        if w.measures[key].status == VALUE and w.measures[key].version == current.version
    ]
    if len(previous) < rules.class_min_weeks:
        return Comparison(key, current.value, None, len(previous), lower)
    return Comparison(key, current.value, mean(previous), len(previous), lower)


def week_class_codes(
    weeks: Sequence[WeekView], index: int, rows_by_week: Mapping[date, Sequence[ResponseRow]], mode: str, rules: SignalRules
) -> list[str]:
    """Class signals of the selected week, from group values the teacher may see only.

    A hidden week enters as empty, like a week with too few respondents: a signal must not
    say more about a week than its numbers could.
    """
    version = weeks[index].measures[INDEX].version
    window = []
    for w in weeks[max(0, index - rules.class_window) : index + 1]:
        rows = [r for r in rows_by_week.get(w.week.start, ()) if r.index_versions == version]
        window.append([r.answers for r in rows] if group_visible(rows, mode) else [])
    return class_signals(window, MIN_RESPONDENTS, rules=rules)


def _student_history(
    user_id: int, weeks: Sequence[WeekView], index: int, by_user_week: Mapping[tuple[int, date], ResponseRow], mode: str, length: int
) -> list[Mapping[str, int] | None]:
    """The student's named answers of the ``length`` weeks up to the selected one.

    Stops after the last answer that is not named: an anonymous answer must neither count
    in a signal nor look like a missing week.
    """
    history: list[Mapping[str, int] | None] = []
    for w in weeks[max(0, index - length + 1) : index + 1]:
        row = by_user_week.get((user_id, w.week.start))
        if row is None:
            history.append(None)
        elif is_named(row, mode):
            history.append(row.answers)
        else:
            history = []
    return history


def history_length(rules: SignalRules) -> int:
    """How many weeks up to the selected one a student's signals look at."""
    return max(rules.drop_window + 1, rules.low_window, rules.low_item_weeks, rules.no_response_weeks)


def _cards(
    dashboard_weeks: Sequence[WeekView],
    index: int,
    roster: Sequence[Person],
    people: Mapping[int, Person],
    by_user_week: Mapping[tuple[int, date], ResponseRow],
    mode: str,
    lang: str,
    rules: SignalRules,
) -> list[StudentCard]:
    selected = dashboard_weeks[index]
    opted = {p.user_id for p in selected.contacts}
    if mode != privacy.IDENTIFIED:
        # Anonymous: only who asked for a chat, by name, and nothing else about them.
        return [StudentCard(p, GROUP_CONTACT, (), (), True) for p in selected.contacts]

    length = history_length(rules)
    reasons: dict[str, str] = {}  # many students share a signal: its words once per page

    def reason(code: str) -> str:
        text = reasons.get(code)
        if text is None:
            text = reasons[code] = reason_text(code, lang, rules=rules)
        return text

    recent_weeks = dashboard_weeks[max(0, index - SPARK_WEEKS + 1) : index + 1]
    cards = []
    listed = roster + [p for p in selected.contacts if not p.on_roster]
    for person in listed:
        codes = tuple(student_signals(_student_history(person.user_id, dashboard_weeks, index, by_user_week, mode, length), rules=rules))
        if "item_low:P2" in codes and rules.low_item_max <= rules.no_start_p2_max:
            # P2 <= 2 two weeks running already says this week's P2 is low: the pattern
            # would repeat the same fact in other words (with the same suggestions).
            codes = tuple(c for c in codes if c != "pattern_no_start")
        opted_in = person.user_id in opted
        if not codes and not opted_in:
            continue
        recent, series = [], []
        for w in recent_weeks:
            row = by_user_week.get((person.user_id, w.week.start))
            shown = row is not None and is_named(row, mode)
            recent.append((w.week, row.index_value if shown else None))
            series.append(row.index_versions if shown else None)
        row = by_user_week.get((person.user_id, selected.week.start))
        group = GROUP_CONTACT if opted_in else GROUP_NO_RESPONSE if codes == ("no_response",) else GROUP_SIGNAL
        cards.append(
            StudentCard(
                person=person,
                group=group,
                codes=codes,
                reasons=tuple(reason(c) for c in codes),
                opted_in=opted_in,
                recent=tuple(recent),
                recent_series=tuple(series),
                answers=dict(row.answers) if row is not None and is_named(row, mode) else None,
            )
        )
    order = {GROUP_CONTACT: 0, GROUP_SIGNAL: 1, GROUP_NO_RESPONSE: 2}
    # Within a group: the student with the most signals first, then by name.
    cards.sort(key=lambda c: (order[c.group], -len(c.codes), c.person.name.casefold()))
    return cards


def _actions(class_codes: Sequence[str], cards: Sequence[StudentCard], lang: str, rules: SignalRules) -> list[Action]:
    actions = [Action(code, "class", reason_text(code, lang, rules=rules), (), tuple(suggestions_for(code, lang))) for code in class_codes]
    names: dict[str, list[str]] = defaultdict(list)
    for card in cards:
        for code in card.codes:
            names[code].append(card.person.name)
    for code in STUDENT_CODES:
        if names.get(code):
            actions.append(
                Action(
                    code,
                    "students",
                    reason_text(code, lang, rules=rules),
                    tuple(sorted(names[code], key=str.casefold)),
                    tuple(suggestions_for(code, lang)),
                )
            )
    return actions


# ---------------------------------------------------------------- the one entry point
def assemble(
    *,
    course_id: int,
    rows: Sequence[ResponseRow],
    roster: Sequence[Person],
    people: Mapping[int, Person],
    weeks: Sequence[Week],
    selected_start: date,
    current_start: date,
    mode: str,
    lang: str,
    rules: SignalRules = DEFAULT_RULES,
    releases: Mapping[date, tuple[int, Mapping]] | None = None,
    summaries: Mapping[date, WeekView] | None = None,
) -> Dashboard:
    """Compute the dashboard from plain data (no queries): see the module docstring.

    A week whose answers the teacher does not see with names shows only counts while it
    is open and, once closed, exactly its release (``releases``: week start → (respondents,
    figures), see ``checkin.releases``); other weeks are computed from their rows.
    ``summaries``: weeks already known by their figures (``build_page``), taken as they are;
    ``rows`` then need to hold only the other weeks' responses.
    """
    from . import releases as rel

    releases = releases or {}
    summaries = summaries or {}
    rows_by_week = group_by_week(rows)
    roster_ids = {p.user_id for p in roster}
    patterns: dict = {}
    views = []
    for w in weeks:
        week_rows = rows_by_week.get(w.start, ())
        if w.start in summaries:
            views.append(summaries[w.start])
        elif not rel.needs_release(week_rows, mode):
            views.append(week_view(w, week_rows, mode=mode, people=people, roster_ids=roster_ids, rules=rules, patterns=patterns))
        elif w.start in releases:
            respondents, figures = releases[w.start]
            views.append(rel.view_from_release(w, figures, respondents, week_rows, people=people, roster_ids=roster_ids))
        else:  # the open week (or, without its release, a closed one): counts only
            views.append(rel.pending_view(w, week_rows, people=people, roster_ids=roster_ids))
    index = next(i for i, w in enumerate(weeks) if w.start == selected_start)
    # A student's rows by week, for the weeks the cards look at only (their signals' window
    # and the sparkline), not the whole period.
    by_user_week: dict[tuple[int, date], ResponseRow] = {
        (row.user_id, row.week_start): row
        for w in weeks[max(0, index - max(history_length(rules), SPARK_WEEKS) + 1) : index + 1]
        for row in rows_by_week.get(w.start, ())
    }

    selected_rows = rows_by_week.get(selected_start, ())
    if rel.needs_release(selected_rows, mode):
        codes = list(releases[selected_start][1]["class_codes"]) if selected_start in releases else []
    else:
        codes = week_class_codes(views, index, rows_by_week, mode, rules)
    shown_codes = tuple(c for c in CLASS_CODES if c in codes)
    cards = _cards(views, index, roster, people, by_user_week, mode, lang, rules)
    return Dashboard(
        course_id=course_id,
        mode=mode,
        lang=lang,
        weeks=tuple(views),
        selected_index=index,
        current_start=current_start,
        roster_size=len(roster),
        comparisons={key: compare(views, index, key, rules) for key in MEASURES},
        class_codes=shown_codes,
        class_reasons={c: reason_text(c, lang, rules=rules) for c in shown_codes},
        cards=tuple(cards),
        actions=tuple(_actions(shown_codes, cards, lang, rules)),
        starters=tuple(conversation_starters(lang)),
        rules_text=tuple(rule_explanations(lang, rules=rules, min_respondents=privacy.MIN_ITEM_RESPONDENTS)),
        rules=rules,
    )
