"""The pure parts of the dashboard: the assembled data, without a request (chart geometry: test_charts.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lti_tool.checkin import charts
from lti_tool.checkin.dashboard_data import (
    INDEX,
    assemble,
    compare,
    dominant_version,
    group_visible,
    measure,
    visibilities,
    week_measures,
    week_view,
)
from lti_tool.checkin.dashboard_rows import Person, ResponseRow
from lti_tool.checkin.signals import weekly_index
from lti_tool.checkin.weeks import week_of

MONDAY = date(2026, 11, 16)
GOOD = {"B1": 4, "B2": 4, "S1": 4, "P1": 2, "C1": 4, "P2": 4, "A1": 3}
V1 = {k: 1 for k in GOOD}


def row(user_id, week=MONDAY, answers=None, mode="anonymous", versions=None, opt_in=False, text=None):
    a = dict(answers or GOOD)
    return ResponseRow(user_id, week, a, dict(versions or V1), opt_in, text, mode, weekly_index(a))


# ---------------------------------------------------------------- privacy, applied
def test_named_answers_need_an_identified_course_and_an_identified_answer():
    rows = [row(1, mode="identified"), row(2, mode="anonymous")]
    anonymous_course = visibilities(rows, "anonymous")
    assert not any(v.names for v in anonymous_course)
    identified_course = visibilities(rows, "identified")
    assert [v.names for v in identified_course] == [True, False]


@pytest.mark.parametrize(("n", "items", "text"), [(4, False, False), (5, True, False), (9, True, False), (10, True, True)])
def test_anonymous_thresholds(n, items, text):
    vis = visibilities([row(i, text="x") for i in range(n)], "anonymous")
    assert {v.item_values for v in vis} == {items}
    assert {v.open_text for v in vis} == {text}


def test_named_answers_alone_can_be_shown_as_a_group():
    assert group_visible([row(1, mode="identified"), row(2, mode="identified")], "identified")
    assert not group_visible([], "identified")


def test_measure_uses_the_wording_most_of_the_week_answered():
    rows = [row(i, versions={**V1, "B1": 2}, answers={**GOOD, "B1": 1}) for i in range(6)] + [row(9)]
    version, subset = dominant_version(rows, "B1")
    assert version == 2 and len(subset) == 6
    m = measure(rows, "B1", "anonymous")
    assert m.value == 1.0 and m.respondents == 6 and m.version == 2
    index = measure(rows, INDEX, "anonymous")
    assert index.version == (2, 1, 1, 1)


def test_a_minority_wording_too_small_to_hide_anyone_is_too_few():
    rows = [row(i, versions={**V1, "S1": 2}) for i in range(3)] + [row(i + 10) for i in range(3)]
    assert measure(rows, "S1", "anonymous").status == charts.TOO_FEW


# ---------------------------------------------------------------- the assembled dashboard
def _weeks(n):
    return [week_of(MONDAY - timedelta(days=7 * k), "Europe/Amsterdam") for k in range(n - 1, -1, -1)]


def _assemble(rows, roster_ids, *, mode="identified", weeks=4):
    roster = [Person(i, f"Student {i:02d}") for i in roster_ids]
    ws = _weeks(weeks)
    return assemble(
        course_id=1,
        rows=rows,
        roster=roster,
        people={p.user_id: p for p in roster},
        weeks=ws,
        selected_start=ws[-1].start,
        current_start=ws[-1].start,
        mode=mode,
        lang="en",
    )


def test_comparison_reads_p1_the_other_way_round():
    ws = _weeks(4)
    rows = [row(i, w.start, {**GOOD, "P1": 2 if w is not ws[-1] else 4}, mode="identified") for w in ws for i in range(5)]
    dash = _assemble(rows, range(5), mode="identified")
    p1 = dash.comparisons["P1"]
    assert p1.delta == pytest.approx(2.0) and p1.lower_is_better and p1.direction == "worse"
    assert dash.comparisons["B1"].direction == "same"
    assert compare(dash.weeks, 0, INDEX).baseline is None  # no earlier weeks


def test_a_student_history_stops_at_an_anonymous_answer():
    ws = _weeks(4)
    low = {"B1": 1, "B2": 1, "S1": 1, "P1": 5, "C1": 3, "P2": 3, "A1": 3}
    rows = [
        row(1, ws[0].start, low, mode="anonymous"),
        row(1, ws[1].start, low, mode="anonymous"),
        row(1, ws[3].start, low, mode="identified"),
    ]
    dash = _assemble(rows, [1])
    card = dash.cards[0]
    # Low two weeks running only counting the anonymous weeks: not a signal here.
    assert "persistent_low" not in card.codes and not any(c.startswith("item_low") for c in card.codes)
    assert "no_response" not in card.codes
    assert [v for _w, v in card.recent] == [None, None, None, weekly_index(low)]


def test_cards_come_in_reading_order():
    ws = _weeks(3)
    low = {"B1": 1, "B2": 1, "S1": 1, "P1": 5, "C1": 3, "P2": 3, "A1": 3}
    rows = [row(1, w.start, low, mode="identified") for w in ws]  # signals
    rows += [row(2, ws[-1].start, mode="identified", opt_in=True)]  # asked to talk
    dash = _assemble(rows, [1, 2, 3], weeks=3)  # 3 never answered: contact?
    assert [(c.person.user_id, c.group) for c in dash.cards] == [(2, "contact"), (1, "signal"), (3, "no_response")]
    assert {a.code for a in dash.actions} >= {"persistent_low", "no_response"}


def test_anonymous_mode_has_only_contact_cards():
    ws = _weeks(3)
    low = {"B1": 1, "B2": 1, "S1": 1, "P1": 5, "C1": 3, "P2": 3, "A1": 3}
    rows = [row(1, w.start, low) for w in ws] + [row(2, ws[-1].start, opt_in=True)]
    dash = _assemble(rows, [1, 2, 3], mode="anonymous", weeks=3)
    assert [(c.person.user_id, c.group, c.codes) for c in dash.cards] == [(2, "contact", ())]
    assert all(a.scope == "class" for a in dash.actions)


def test_week_view_counts_roster_answers_apart():
    view = week_view(_weeks(1)[0], [row(1), row(2), row(99)], mode="anonymous", people={}, roster_ids={1, 2, 3})
    assert (view.respondents, view.roster_respondents, view.roster_size) == (3, 2, 3)
    assert view.response_rate == pytest.approx(2 / 3)


@pytest.mark.parametrize("mode", ["anonymous", "identified"])
@pytest.mark.parametrize("n", [0, 3, 5, 12])
def test_the_fast_path_for_a_uniform_week_equals_the_general_one(mode, n):
    answers = [{**GOOD, "B1": 1 + i % 5, "P1": 5 - i % 5} for i in range(n)]
    rows = [row(i, answers=a, mode="identified" if i % 3 == 0 else "anonymous") for i, a in enumerate(answers)]
    fast = week_measures(rows, mode)
    slow = {key: measure(rows, key, mode) for key in fast}
    assert fast.keys() == {INDEX, *GOOD}
    for key in fast:
        assert fast[key].status == slow[key].status and fast[key].version == slow[key].version
        assert fast[key].respondents == slow[key].respondents
        assert fast[key].value == pytest.approx(slow[key].value) if slow[key].value is not None else fast[key].value is None
