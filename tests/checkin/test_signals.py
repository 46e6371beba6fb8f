"""Scoring and signal rules of the weekly check-in: every threshold just below, at and above."""

from __future__ import annotations

import dataclasses

import pytest

from lti_tool.checkin.items import SCALE_ITEMS
from lti_tool.checkin.signals import (
    CLASS_CODES,
    DEFAULT_RULES,
    STUDENT_CODES,
    SignalRules,
    class_signals,
    is_dont_dare,
    is_no_start,
    mean,
    pattern_counts,
    student_signals,
    weekly_index,
)

NON_REVERSE_ITEMS = [i for i in SCALE_ITEMS if i != "P1"]


def answers(**items: int) -> dict[str, int]:
    """A calm week (index 4.0, no item low, no pattern), with the given items overridden."""
    base = {"B1": 4, "B2": 4, "S1": 4, "P1": 2, "C1": 4, "P2": 4, "A1": 4}
    base.update(items)
    return base


def with_index(index: float) -> dict[str, int]:
    """Answers whose weekly index is exactly ``index`` (a multiple of 0.25)."""
    total = round(index * 4)
    assert total == index * 4, "an index is a mean of four whole numbers"
    low, extra = divmod(total, 4)
    b1, b2, s1, p1_reversed = [low + 1] * extra + [low] * (4 - extra)
    result = answers(B1=b1, B2=b2, S1=s1, P1=6 - p1_reversed)
    assert weekly_index(result) == index
    return result


def class_week(*indices: float) -> list[dict[str, int]]:
    return [with_index(i) for i in indices]


# --- weekly_index and mean -----------------------------------------------------------------


def test_index_is_mean_of_b1_b2_s1_and_reversed_p1() -> None:
    assert weekly_index({"B1": 3, "B2": 3, "S1": 3, "P1": 1}) == 3.5  # (3+3+3+5)/4
    assert weekly_index({"B1": 3, "B2": 3, "S1": 3, "P1": 5}) == 2.5  # (3+3+3+1)/4


def test_index_range_is_one_to_five() -> None:
    assert weekly_index({"B1": 5, "B2": 5, "S1": 5, "P1": 1}) == 5.0
    assert weekly_index({"B1": 1, "B2": 1, "S1": 1, "P1": 5}) == 1.0


def test_index_ignores_items_outside_it() -> None:
    assert weekly_index(answers(C1=1, P2=1, A1=1, O1=True)) == 4.0


@pytest.mark.parametrize("missing", ["B1", "B2", "S1", "P1"])
def test_index_is_none_when_an_index_item_is_missing(missing: str) -> None:
    partial = answers()
    del partial[missing]
    assert weekly_index(partial) is None
    assert weekly_index(answers(**{missing: None})) is None  # type: ignore[arg-type]


def test_index_is_none_without_answers() -> None:
    assert weekly_index(None) is None
    assert weekly_index({}) is None


def test_mean_skips_missing_values_and_never_counts_them_as_zero() -> None:
    assert mean([1, 2, None]) == 1.5
    assert mean([None, None]) is None
    assert mean([]) is None
    assert mean([2.5]) == 2.5


# --- patterns ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p1", "s1", "c1", "expected"),
    [
        (3, 3, 3, False),  # P1 just below 4: never the pattern
        (4, 3, 3, True),  # P1 at 4, S1 and C1 at 3
        (4, 3, 4, True),  # S1 at 3 is enough
        (4, 4, 3, True),  # C1 at 3 is enough
        (4, 4, 4, False),  # S1 and C1 just above 3
        (5, 4, 4, False),
        (5, 1, 5, True),
        (5, 5, 1, True),
    ],
)
def test_dont_dare_pattern_boundaries(
    p1: int, s1: int, c1: int, expected: bool
) -> None:
    week = answers(P1=p1, S1=s1, C1=c1)
    assert is_dont_dare(week) is expected
    assert ("pattern_dont_dare" in student_signals([week])) is expected


def test_dont_dare_with_missing_items() -> None:
    assert is_dont_dare({"P1": 4, "S1": 3}) is True
    assert is_dont_dare({"P1": 4, "C1": 3}) is True
    assert is_dont_dare({"P1": 4}) is False
    assert is_dont_dare({"S1": 1, "C1": 1}) is False
    assert is_dont_dare(None) is False
    assert is_dont_dare({}) is False


@pytest.mark.parametrize(
    ("p2", "expected"), [(1, True), (2, True), (3, False), (5, False)]
)
def test_no_start_pattern_boundaries(p2: int, expected: bool) -> None:
    week = answers(P2=p2)
    assert is_no_start(week) is expected
    assert ("pattern_no_start" in student_signals([week])) is expected


def test_no_start_with_missing_p2() -> None:
    assert is_no_start({"B1": 1}) is False
    assert is_no_start(None) is False


def test_patterns_follow_configured_rules() -> None:
    strict = SignalRules(dont_dare_p1_min=5, no_start_p2_max=1)
    assert is_dont_dare(answers(P1=4, S1=1), rules=strict) is False
    assert is_no_start(answers(P2=2), rules=strict) is False


def test_patterns_only_look_at_the_judged_week() -> None:
    history = [answers(P1=5, S1=1, P2=1), answers()]
    assert student_signals(history) == []


# --- student: drop -------------------------------------------------------------------------


def test_drop_of_exactly_one_point_signals() -> None:
    assert "drop" in student_signals([with_index(4.0)] * 3 + [with_index(3.0)])


def test_drop_just_below_one_point_does_not_signal() -> None:
    # Baseline (4 + 4 + 3.75) / 3 = 3.9167; drop to 3.0 is 11/12 = 0.917, the closest
    # to 1.0 from below that whole-number answers can give.
    history = [with_index(4.0), with_index(4.0), with_index(3.75), with_index(3.0)]
    assert "drop" not in student_signals(history)


def test_drop_just_above_one_point_signals() -> None:
    # Baseline (4 + 4 + 4.25) / 3 = 4.083; drop to 3.0 is 13/12 = 1.083.
    history = [with_index(4.0), with_index(4.0), with_index(4.25), with_index(3.0)]
    assert "drop" in student_signals(history)


@pytest.mark.parametrize(
    ("threshold", "expected"), [(0.99, True), (1.0, True), (1.01, False)]
)
def test_drop_threshold_compared_exactly(threshold: float, expected: bool) -> None:
    history = [with_index(4.0)] * 3 + [with_index(3.0)]  # a drop of exactly 1.0
    rules = SignalRules(drop_threshold=threshold)
    assert ("drop" in student_signals(history, rules=rules)) is expected


def test_drop_on_a_baseline_with_thirds() -> None:
    # Baseline (4.25 + 4.25 + 4.5) / 3 = 13/3; 13/3 - 3.25 = 1.083 → drop; a float
    # mean would be inexact here, exact arithmetic makes it unambiguous.
    history = [with_index(4.25), with_index(4.25), with_index(4.5), with_index(3.25)]
    assert "drop" in student_signals(history)
    history[-1] = with_index(3.5)  # 13/3 - 3.5 = 0.833
    assert "drop" not in student_signals(history)


def test_drop_needs_two_answered_weeks_of_the_previous_three() -> None:
    assert "drop" in student_signals(
        [with_index(4.0), None, with_index(4.0), with_index(3.0)]
    )
    assert "drop" in student_signals(
        [None, with_index(4.0), with_index(4.0), with_index(3.0)]
    )
    assert "drop" not in student_signals([None, None, with_index(5.0), with_index(3.0)])


def test_drop_baseline_uses_only_the_previous_three_weeks() -> None:
    # The 5.0 weeks are four and five weeks back: outside the window.
    history = [
        with_index(5.0),
        with_index(5.0),
        None,
        None,
        with_index(4.0),
        with_index(3.0),
    ]
    assert "drop" not in student_signals(history)


def test_drop_with_short_history() -> None:
    assert "drop" in student_signals(
        [with_index(4.0), with_index(4.0), with_index(3.0)]
    )
    assert "drop" not in student_signals([with_index(5.0), with_index(3.0)])
    assert "drop" not in student_signals([with_index(1.0)])


def test_drop_ignores_incomplete_weeks_in_the_baseline() -> None:
    incomplete = {"B1": 5, "B2": 5, "S1": 5}  # no P1: no index
    history = [incomplete, with_index(4.0), with_index(4.0), with_index(3.0)]
    assert "drop" in student_signals(history)
    history = [with_index(4.0), incomplete, incomplete, with_index(3.0)]
    assert "drop" not in student_signals(history)


def test_drop_is_not_judged_without_a_judged_index() -> None:
    incomplete_now = {"B1": 1, "B2": 1, "S1": 1}
    assert "drop" not in student_signals([with_index(5.0)] * 3 + [incomplete_now])


def test_a_rise_is_not_a_drop() -> None:
    assert "drop" not in student_signals([with_index(2.0)] * 3 + [with_index(5.0)])


# --- student: persistent_low ---------------------------------------------------------------


def test_persistent_low_at_two_and_a_half_in_two_of_three_weeks() -> None:
    assert "persistent_low" in student_signals(
        [with_index(2.5), with_index(4.0), with_index(2.5)]
    )
    assert "persistent_low" in student_signals(
        [with_index(4.0), with_index(2.5), with_index(2.5)]
    )


def test_persistent_low_just_above_two_and_a_half_does_not_count() -> None:
    # 2.75 is the nearest index above 2.5 that four whole-number answers can give.
    assert "persistent_low" not in student_signals([with_index(4.0), with_index(2.75), with_index(2.5)])
    assert "persistent_low" not in student_signals([with_index(4.0), with_index(2.5), with_index(2.75)])


@pytest.mark.parametrize(
    ("limit", "expected"), [(2.49, False), (2.5, True), (2.51, True)]
)
def test_persistent_low_limit_compared_exactly(limit: float, expected: bool) -> None:
    rules = SignalRules(low_index_max=limit)
    history = [with_index(4.0), with_index(2.5), with_index(2.5)]
    assert ("persistent_low" in student_signals(history, rules=rules)) is expected


def test_persistent_low_fires_when_this_week_is_the_better_one() -> None:
    # Two low weeks, then a better one: still a conversation worth having (issue #10 §3).
    assert "persistent_low" in student_signals(
        [with_index(2.0), with_index(2.0), with_index(4.0)]
    )


def test_persistent_low_one_low_week_is_not_enough() -> None:
    assert "persistent_low" not in student_signals(
        [with_index(4.0), with_index(4.0), with_index(1.0)]
    )
    assert "persistent_low" not in student_signals([with_index(1.0)])


def test_persistent_low_window_is_three_weeks() -> None:
    history = [with_index(2.0), with_index(4.0), with_index(4.0), with_index(2.0)]
    assert "persistent_low" not in student_signals(history)


def test_persistent_low_needs_an_answer_in_each_of_the_three_weeks() -> None:
    assert "persistent_low" not in student_signals([None, None, with_index(2.0)])
    assert "persistent_low" not in student_signals([with_index(2.0), None, with_index(2.0)])
    assert "persistent_low" not in student_signals([with_index(2.0), with_index(2.0), None])


def test_persistent_low_needs_three_weeks_of_history() -> None:
    assert "persistent_low" not in student_signals([with_index(2.5), with_index(2.5)])
    assert "persistent_low" in student_signals([with_index(2.5), with_index(2.5), with_index(2.5)])


# --- student: item_low ---------------------------------------------------------------------


@pytest.mark.parametrize("item_id", NON_REVERSE_ITEMS)
@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (2, 2, True),
        (1, 2, True),
        (2, 1, True),
        (3, 2, False),
        (2, 3, False),
        (3, 3, False),
    ],
)
def test_item_low_two_weeks_running(
    item_id: str, before: int, now: int, expected: bool
) -> None:
    history = [answers(**{item_id: before}), answers(**{item_id: now})]
    assert (f"item_low:{item_id}" in student_signals(history)) is expected


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [
        (4, 4, True),
        (5, 4, True),
        (4, 5, True),
        (3, 4, False),
        (4, 3, False),
        (3, 3, False),
    ],
)
def test_item_low_for_reverse_scored_p1_means_p1_four_or_more(
    before: int, now: int, expected: bool
) -> None:
    # P1 is reverse-scored: its score is 6 - P1, so "score <= 2" is "P1 >= 4".
    history = [answers(P1=before, S1=5, C1=5), answers(P1=now, S1=5, C1=5)]
    assert ("item_low:P1" in student_signals(history)) is expected


def test_item_low_p1_low_raw_value_is_good() -> None:
    history = [answers(P1=1), answers(P1=1)]
    assert "item_low:P1" not in student_signals(history)


@pytest.mark.parametrize("item_id", SCALE_ITEMS)
def test_item_low_needs_the_week_before(item_id: str) -> None:
    low = 5 if item_id == "P1" else 1
    assert f"item_low:{item_id}" not in student_signals([answers(**{item_id: low})])
    assert f"item_low:{item_id}" not in student_signals(
        [None, answers(**{item_id: low})]
    )
    # A gap breaks the run.
    history = [answers(**{item_id: low}), None, answers(**{item_id: low})]
    assert f"item_low:{item_id}" not in student_signals(history)


def test_item_low_missing_item_breaks_the_run() -> None:
    before = answers()
    del before["A1"]
    assert "item_low:A1" not in student_signals([before, answers(A1=1)])


def test_item_low_reports_every_low_item_in_display_order() -> None:
    week = {"B1": 1, "B2": 1, "S1": 5, "P1": 5, "C1": 5, "P2": 5, "A1": 2}
    codes = [c for c in student_signals([week, week]) if c.startswith("item_low:")]
    assert codes == ["item_low:B1", "item_low:B2", "item_low:P1", "item_low:A1"]


# --- student: no_response ------------------------------------------------------------------


def test_no_response_two_weeks_in_a_row() -> None:
    assert student_signals([None, None]) == ["no_response"]
    assert student_signals([answers(), None, None]) == ["no_response"]


def test_no_response_one_week_is_not_a_signal() -> None:
    assert student_signals([answers(), None]) == []
    assert student_signals([None, answers()]) == []
    assert student_signals([None]) == []


def test_no_response_empty_answers_count_as_no_response() -> None:
    assert student_signals([{}, None]) == ["no_response"]


def test_no_response_week_gives_no_other_signal() -> None:
    history = [with_index(1.0), with_index(1.0), None, None]
    assert student_signals(history) == ["no_response"]


def test_no_response_weeks_configurable() -> None:
    rules = SignalRules(no_response_weeks=3)
    assert student_signals([None, None], rules=rules) == []
    assert student_signals([None, None, None], rules=rules) == ["no_response"]


# --- student: general ----------------------------------------------------------------------


def test_empty_history_gives_no_signals() -> None:
    assert student_signals([]) == []


def test_calm_weeks_give_no_signals() -> None:
    assert student_signals([answers()] * 5) == []


def test_student_signals_in_fixed_order() -> None:
    before = {"B1": 5, "B2": 5, "S1": 2, "P1": 4, "C1": 5, "P2": 2, "A1": 5}
    now = {"B1": 2, "B2": 2, "S1": 2, "P1": 5, "C1": 3, "P2": 1, "A1": 5}
    history = [with_index(4.0), with_index(2.5), before, now]
    assert student_signals(history) == [
        "drop",
        "persistent_low",
        "item_low:S1",
        "item_low:P1",
        "item_low:P2",
        "pattern_dont_dare",
        "pattern_no_start",
    ]


def test_student_codes_cover_what_student_signals_returns() -> None:
    assert set(STUDENT_CODES) >= {"drop", "persistent_low", "no_response"}
    assert {f"item_low:{i}" for i in SCALE_ITEMS} <= set(STUDENT_CODES)


# --- class signals -------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "too_few"), [(4, True), (5, False), (6, False)])
def test_class_needs_five_respondents(count: int, too_few: bool) -> None:
    result = class_signals([[answers()] * count])
    assert (result == ["too_few_respondents"]) is too_few
    if not too_few:
        assert result == []


def test_class_too_few_is_the_only_code() -> None:
    dont_dare = answers(P1=5, S1=1)
    assert class_signals([[answers()] * 5] * 3 + [[dont_dare] * 4]) == [
        "too_few_respondents"
    ]


def test_class_min_respondents_is_a_parameter() -> None:
    assert class_signals([[answers()] * 9], min_respondents=10) == [
        "too_few_respondents"
    ]
    assert class_signals([[answers()] * 10], min_respondents=10) == []


def test_class_empty_input_is_too_few() -> None:
    assert class_signals([]) == ["too_few_respondents"]
    assert class_signals([[]]) == ["too_few_respondents"]
    assert class_signals([[None] * 5]) == ["too_few_respondents"]  # type: ignore[list-item]


BASELINE_WEEK = class_week(4.0, 4.0, 4.0, 4.0, 4.0)


@pytest.mark.parametrize(
    ("judged", "expected"),
    [
        (class_week(3.5, 3.5, 3.5, 3.5, 3.75), False),  # mean 3.55: 0.45 below
        (class_week(3.5, 3.5, 3.5, 3.5, 3.5), True),  # mean 3.50: 0.50 below
        (class_week(3.5, 3.5, 3.5, 3.5, 3.25), True),  # mean 3.45: 0.55 below
    ],
)
def test_class_drop_boundary(judged: list[dict[str, int]], expected: bool) -> None:
    assert ("class_drop" in class_signals([BASELINE_WEEK] * 3 + [judged])) is expected


@pytest.mark.parametrize(
    ("threshold", "expected"), [(0.29, True), (0.3, True), (0.31, False)]
)
def test_class_drop_compared_exactly(threshold: float, expected: bool) -> None:
    # 3.4 - 3.1 is 0.2999999999999998 in floats; the rule must still see 0.3.
    before = class_week(3.5, 3.5, 3.25, 3.25, 3.5)  # mean 3.4
    now = class_week(3.0, 3.0, 3.0, 3.25, 3.25)  # mean 3.1
    rules = SignalRules(class_drop_threshold=threshold)
    assert (
        "class_drop" in class_signals([before] * 3 + [now], rules=rules)
    ) is expected


def test_class_drop_only_counts_weeks_with_enough_respondents() -> None:
    small = class_week(5.0, 5.0, 5.0, 5.0)  # 4 respondents: not part of the baseline
    judged = class_week(3.5, 3.5, 3.5, 3.5, 3.5)
    assert "class_drop" not in class_signals([small, small, BASELINE_WEEK, judged])
    assert "class_drop" in class_signals([small, BASELINE_WEEK, BASELINE_WEEK, judged])
    assert "class_drop" in class_signals([BASELINE_WEEK, small, BASELINE_WEEK, judged])


def test_class_drop_needs_two_previous_weeks() -> None:
    judged = class_week(3.0, 3.0, 3.0, 3.0, 3.0)
    assert "class_drop" not in class_signals([BASELINE_WEEK, judged])
    assert "class_drop" in class_signals([BASELINE_WEEK, BASELINE_WEEK, judged])
    assert "class_drop" not in class_signals([judged])


def test_class_drop_window_is_three_weeks() -> None:
    high = class_week(5.0, 5.0, 5.0, 5.0, 5.0)
    judged = class_week(3.75, 3.75, 3.75, 3.75, 3.75)
    # The 5.0 weeks are four and five weeks back; the window holds only 4.0-weeks.
    history = [high, high, BASELINE_WEEK, BASELINE_WEEK, BASELINE_WEEK, judged]
    assert "class_drop" not in class_signals(history)


def test_class_drop_baseline_weighs_each_week_once() -> None:
    # Mean of weekly means: (4.0 + 3.0) / 2 = 3.5 → a drop to 3.0 is 0.5. Pooling all 15
    # respondents would give 3.33 and no signal.
    week_of_five = class_week(4.0, 4.0, 4.0, 4.0, 4.0)
    week_of_ten = class_week(*[3.0] * 10)
    judged = class_week(3.0, 3.0, 3.0, 3.0, 3.0)
    assert "class_drop" in class_signals([week_of_five, week_of_ten, judged])


@pytest.mark.parametrize(
    ("with_pattern", "respondents", "expected"),
    [
        (6, 25, False),  # 24%
        (5, 20, True),  # 25%
        (13, 50, True),  # 26%
        (1, 5, False),  # 20%
        (2, 5, True),  # 40%
        (1, 8, False),  # 12.5%
        (2, 8, True),  # 25%
        (0, 5, False),
    ],
)
def test_class_pattern_share_boundaries(
    with_pattern: int, respondents: int, expected: bool
) -> None:
    dont_dare = [answers(P1=4, S1=3)] * with_pattern + [answers()] * (
        respondents - with_pattern
    )
    assert ("class_pattern_dont_dare" in class_signals([dont_dare])) is expected
    no_start = [answers(P2=2)] * with_pattern + [answers()] * (
        respondents - with_pattern
    )
    assert ("class_pattern_no_start" in class_signals([no_start])) is expected


def test_class_patterns_only_count_the_judged_week() -> None:
    earlier = [answers(P1=5, S1=1, P2=1)] * 5
    assert class_signals([earlier, [answers()] * 5]) == []


def test_class_signals_in_fixed_order() -> None:
    judged = [answers(B1=2, B2=2, P1=5, S1=2, P2=1)] * 5
    assert class_signals([BASELINE_WEEK] * 3 + [judged]) == [
        "class_drop",
        "class_pattern_dont_dare",
        "class_pattern_no_start",
    ]
    assert CLASS_CODES == (
        "too_few_respondents",
        "class_drop",
        "class_pattern_dont_dare",
        "class_pattern_no_start",
    )


# --- pattern counts ------------------------------------------------------------------------


def test_pattern_counts() -> None:
    week = [
        {**answers(P1=4, S1=3, P2=2), "O1": True},  # both patterns
        {**answers(), "O1": False},
        answers(B1=2),
        None,  # no response: shows no pattern
    ]
    assert pattern_counts(week) == (1, 1)  # type: ignore[arg-type]
    assert pattern_counts(week, rules=SignalRules(dont_dare_p1_min=5, no_start_p2_max=1)) == (0, 0)  # type: ignore[arg-type]


def test_pattern_counts_of_an_empty_week() -> None:
    assert pattern_counts([]) == (0, 0)



# --- rules object --------------------------------------------------------------------------


def test_default_rules_match_the_product_spec() -> None:
    r = DEFAULT_RULES
    assert (r.drop_threshold, r.drop_window, r.drop_min_weeks) == (1.0, 3, 2)
    assert (r.low_index_max, r.low_weeks, r.low_window) == (2.5, 2, 3)
    assert (r.low_item_max, r.low_item_weeks, r.no_response_weeks) == (2, 2, 2)
    assert (r.dont_dare_p1_min, r.dont_dare_s1_max, r.dont_dare_c1_max) == (4, 3, 3)
    assert r.no_start_p2_max == 2
    assert (r.class_drop_threshold, r.class_window, r.class_min_weeks) == (0.5, 3, 2)
    assert r.class_pattern_share == 0.25


def test_rules_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_RULES.drop_threshold = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "bad",
    [
        {"drop_min_weeks": 4},
        {"drop_min_weeks": 0},
        {"low_weeks": 4},
        {"class_min_weeks": 0},
        {"low_item_weeks": 0},
        {"no_response_weeks": 0},
        {"class_pattern_share": 0},
        {"class_pattern_share": 1.5},
    ],
)
def test_nonsensical_rules_are_refused(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        SignalRules(**bad)  # type: ignore[arg-type]
