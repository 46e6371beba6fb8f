"""Scoring and signal rules of the weekly check-in, as pure functions over plain data.

The thresholds are design choices, not science: they live in ``SignalRules`` so that the
UI can show them as such and a course or institution could configure them.

Answers are dicts of item id → int 1-5 (as ``items.validate_answers`` returns them; extra
keys such as O1 and Q are ignored). A week without a response is ``None``, never a zero.

What these functions do NOT decide:
- who may see a signal (anonymous vs identified mode, the O1 opt-in, the minimum number of
  respondents for item results) — that is the privacy layer's job;
- which weeks are comparable: callers pass answers given to the same item versions only,
  because trends compare like with like.

All comparisons are exact (``fractions.Fraction``), so an index that is exactly on a
threshold, such as a drop of exactly 1.0, counts as reaching it without float rounding
deciding the outcome.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from lti_tool.checkin.items import ITEMS, SCALE_ITEMS, SCALE_MAX, SCALE_MIN
from lti_tool.checkin.privacy import MIN_ITEM_RESPONDENTS

Answers = Mapping[str, Any]

# The four items of the belonging-and-safety index; P1 enters reversed (6 - P1).
INDEX_ITEMS: tuple[str, ...] = ("B1", "B2", "S1", "P1")

# The default minimum of respondents before anything is said about a class. It is the
# privacy layer's threshold for item results (``privacy.MIN_ITEM_RESPONDENTS``), set by
# policy, so it is a parameter of class_signals rather than a field of SignalRules.
MIN_RESPONDENTS = MIN_ITEM_RESPONDENTS

# Signal codes in the order the functions return them. Fixed order keeps the dashboard
# stable from one page load to the next.
STUDENT_CODES: tuple[str, ...] = (
    "drop",
    "persistent_low",
    *(f"item_low:{item_id}" for item_id in SCALE_ITEMS),
    "no_response",
    "pattern_dont_dare",
    "pattern_no_start",
)
CLASS_CODES: tuple[str, ...] = (
    "too_few_respondents",
    "class_drop",
    "class_pattern_dont_dare",
    "class_pattern_no_start",
)


@dataclass(frozen=True)
class SignalRules:
    """The thresholds behind every signal (design choices, configurable).

    Student signals:
        drop_threshold, drop_window, drop_min_weeks
            ``drop``: this week's index is at least ``drop_threshold`` below the student's
            own mean over the previous ``drop_window`` weeks, of which at least
            ``drop_min_weeks`` must have a response.
        low_index_max, low_weeks, low_window
            ``persistent_low``: the student answered in each of the last ``low_window``
            weeks (this week included) and the index was <= ``low_index_max`` in at least
            ``low_weeks`` of them — also when this week is the better one.
        low_item_max, low_item_weeks
            ``item_low:<ID>``: an item's score <= ``low_item_max`` in this week and the
            ``low_item_weeks - 1`` weeks right before it.
        no_response_weeks
            ``no_response``: no response in this week and the weeks right before it,
            that many in a row.
    Patterns (for one student and, as shares, for the class):
        dont_dare_p1_min, dont_dare_s1_max, dont_dare_c1_max
            "don't dare": P1 >= ``dont_dare_p1_min`` and (S1 <= ``dont_dare_s1_max`` or
            C1 <= ``dont_dare_c1_max``).
        no_start_p2_max
            "don't know where to start": P2 <= ``no_start_p2_max``.
    Class signals:
        class_drop_threshold, class_window, class_min_weeks
            ``class_drop``: the class mean index is at least ``class_drop_threshold``
            below the mean of the class means of the previous ``class_window`` weeks, of
            which at least ``class_min_weeks`` must have had enough respondents.
        class_pattern_share
            ``class_pattern_*``: at least this share of the week's respondents shows the
            pattern.
    """

    drop_threshold: float = 1.0
    drop_window: int = 3
    drop_min_weeks: int = 2
    low_index_max: float = 2.5
    low_weeks: int = 2
    low_window: int = 3
    low_item_max: int = 2
    low_item_weeks: int = 2
    no_response_weeks: int = 2
    dont_dare_p1_min: int = 4
    dont_dare_s1_max: int = 3
    dont_dare_c1_max: int = 3
    no_start_p2_max: int = 2
    class_drop_threshold: float = 0.5
    class_window: int = 3
    class_min_weeks: int = 2
    class_pattern_share: float = 0.25

    def __post_init__(self) -> None:
        # Catch a nonsensical configuration when it is loaded, not as odd signals later.
        if not 1 <= self.drop_min_weeks <= self.drop_window:
            raise ValueError("need 1 <= drop_min_weeks <= drop_window")
        if not 1 <= self.low_weeks <= self.low_window:
            raise ValueError("need 1 <= low_weeks <= low_window")
        if not 1 <= self.class_min_weeks <= self.class_window:
            raise ValueError("need 1 <= class_min_weeks <= class_window")
        if self.low_item_weeks < 1 or self.no_response_weeks < 1:
            raise ValueError("low_item_weeks and no_response_weeks must be >= 1")
        if not 0 < self.class_pattern_share <= 1:
            raise ValueError("class_pattern_share must be in (0, 1]")


DEFAULT_RULES = SignalRules()


@functools.lru_cache(maxsize=64)
def _exact(value: float) -> Fraction:
    # Via str so that a configured 0.1 means one tenth, not the nearest binary float.
    return Fraction(str(value))


def _responded(answers: Answers | None) -> bool:
    # An empty dict carries no answers; treat it like a missing week, never as zeros.
    return bool(answers)


def _score(item_id: str, answers: Answers | None) -> int | None:
    """The item's score with "high is good" for every item: reverse items become 6 - x."""
    if not answers:
        return None
    raw = answers.get(item_id)
    if raw is None:
        return None
    raw = int(raw)
    return (SCALE_MIN + SCALE_MAX - raw) if ITEMS[item_id].reverse else raw


# The index items with whether each is reversed, for the sum below (no lookups per answer).
_INDEX_SCORING: tuple[tuple[str, bool], ...] = tuple((item_id, ITEMS[item_id].reverse) for item_id in INDEX_ITEMS)
_SCALE_SCORING: tuple[tuple[str, bool], ...] = tuple((item_id, ITEMS[item_id].reverse) for item_id in SCALE_ITEMS)


def _index_sum(answers: Answers | None) -> int | None:
    """The sum of the index items' scores (reverse items as 6 - x); None unless all four
    were answered. The index is this sum over ``len(INDEX_ITEMS)``, exactly."""
    if not answers:
        return None
    total = 0
    for item_id, reverse in _INDEX_SCORING:
        raw = answers.get(item_id)
        if raw is None:
            return None
        total += (SCALE_MIN + SCALE_MAX - int(raw)) if reverse else int(raw)
    return total


def _index(answers: Answers | None) -> Fraction | None:
    total = _index_sum(answers)
    return None if total is None else Fraction(total, len(INDEX_ITEMS))


def _exact_mean(values: Iterable[Fraction | int | None]) -> Fraction | None:
    present = [Fraction(v) for v in values if v is not None]
    if not present:
        return None
    return sum(present, Fraction(0)) / len(present)


def mean(values: Iterable[float | int | None]) -> float | None:
    """Mean of the values that are not None; None when there are none.

    Skipping None keeps "no response" from ever counting as a zero.
    """
    result = _exact_mean(Fraction(v) if v is not None else None for v in values)
    return None if result is None else float(result)


def weekly_index(answers: Answers | None) -> float | None:
    """The belonging-and-safety index: mean of B1, B2, S1 and 6 - P1 (range 1-5).

    P1 ("I stayed quiet although I wanted to speak") is reverse-scored: high P1 is
    unfavourable, so it enters the index as 6 - P1. Returns None when ``answers`` is None
    or any of the four items is missing; a partial index would not compare with others.
    C1, P2 and A1 are not part of the index; they are shown separately.
    """
    result = _index(answers)
    return None if result is None else float(result)


def is_dont_dare(
    answers: Answers | None, *, rules: SignalRules = DEFAULT_RULES
) -> bool:
    """The "wants to, but doesn't dare" pattern: P1 >= 4 and (S1 <= 3 or C1 <= 3).

    Uses raw P1 (high = held back more). A missing S1 or C1 simply doesn't satisfy its
    half of the "or"; a missing P1 means no pattern.
    """
    if not answers:
        return False
    p1, s1, c1 = answers.get("P1"), answers.get("S1"), answers.get("C1")
    if p1 is None or int(p1) < rules.dont_dare_p1_min:
        return False
    return (s1 is not None and int(s1) <= rules.dont_dare_s1_max) or (
        c1 is not None and int(c1) <= rules.dont_dare_c1_max
    )


def is_no_start(answers: Answers | None, *, rules: SignalRules = DEFAULT_RULES) -> bool:
    """The "wants to, but doesn't know where to start" pattern: P2 <= 2."""
    if not answers:
        return False
    p2 = answers.get("P2")
    return p2 is not None and int(p2) <= rules.no_start_p2_max


def student_signals(
    history: Sequence[Answers | None], *, rules: SignalRules = DEFAULT_RULES
) -> list[str]:
    """Signals for one student in the judged week, in the order of ``STUDENT_CODES``.

    ``history`` is oldest first, one entry per week, None for a week without response;
    the last entry is the week being judged. Rules (defaults of ``SignalRules``):

    - ``drop``: this week's index is >= 1.0 below the student's own mean index over the
      previous 3 weeks. At least 2 of those 3 weeks must have a (complete) response, so
      one earlier week alone never sets the baseline. Early in the course, fewer than 3
      previous weeks are used if at least 2 of them have a response.
    - ``persistent_low``: the student answered in each of the last 3 weeks (this week
      included) and at least 2 of those 3 indexes are <= 2.5 — also when this week is the
      better one: one better week after two low ones still deserves a conversation. With a
      week without response in the window (or fewer than 3 weeks of history) it does not fire.
    - ``item_low:<ID>``: one item scores <= 2 this week and the week before (2 weeks
      running; a week without response breaks the run). For the reverse-scored P1 the
      score is 6 - P1, so it means P1 >= 4 in both weeks.
    - ``no_response``: no response this week and the week before. Shown neutrally
      ("contact?"), never as a risk. Needs at least 2 weeks of history.
    - ``pattern_dont_dare``: this week P1 >= 4 and (S1 <= 3 or C1 <= 3).
    - ``pattern_no_start``: this week P2 <= 2.

    A week without response yields only ``no_response`` (or nothing): all other rules
    need an answer in the judged week. An empty history yields no signals.
    """
    if not history:
        return []
    current = history[-1]
    signals: list[str] = []

    if _responded(current):
        # Exact, in whole numbers: an index is its item sum over len(INDEX_ITEMS).
        index_sum = _index_sum(current)
        if index_sum is not None:
            previous = history[-1 - rules.drop_window : -1]
            counted = [s for s in (_index_sum(week) for week in previous) if s is not None]
            # baseline - index = (sum of the counted sums - k x this week's sum) / (k x 4)
            k = len(counted)
            if k >= rules.drop_min_weeks and Fraction(sum(counted) - k * index_sum, k * len(INDEX_ITEMS)) >= _exact(
                rules.drop_threshold
            ):
                signals.append("drop")

            window = history[-rules.low_window :]
            window_sums = [_index_sum(w) for w in window]
            if len(window) == rules.low_window and all(s is not None for s in window_sums):
                low_max = _exact(rules.low_index_max) * len(INDEX_ITEMS)
                if sum(1 for s in window_sums if s <= low_max) >= rules.low_weeks:
                    signals.append("persistent_low")

        run = history[-rules.low_item_weeks :]
        # A week without a response has no scores, so it breaks every item's run.
        if len(run) == rules.low_item_weeks and all(_responded(week) for week in run):
            for item_id, reverse in _SCALE_SCORING:
                for week in run:
                    raw = week.get(item_id)
                    if raw is None or ((SCALE_MIN + SCALE_MAX - int(raw)) if reverse else int(raw)) > rules.low_item_max:
                        break
                else:
                    signals.append(f"item_low:{item_id}")

    run = history[-rules.no_response_weeks :]
    if len(run) == rules.no_response_weeks and not any(_responded(w) for w in run):
        signals.append("no_response")

    if is_dont_dare(current, rules=rules):
        signals.append("pattern_dont_dare")
    if is_no_start(current, rules=rules):
        signals.append("pattern_no_start")
    return signals


def _respondents(week: Iterable[Answers | None] | None) -> list[Answers]:
    return [answers for answers in (week or []) if _responded(answers)]


def _class_index(respondents: Sequence[Answers]) -> Fraction | None:
    # Each respondent with a complete index counts once; the class index is their mean:
    # the mean of sum_i / 4 is (the sum of the sums) / (4 x respondents), exactly.
    total = counted = 0
    for answers in respondents:
        index_sum = _index_sum(answers)
        if index_sum is not None:
            total += index_sum
            counted += 1
    return Fraction(total, counted * len(INDEX_ITEMS)) if counted else None


def class_signals(
    weeks: Sequence[Sequence[Answers | None]],
    min_respondents: int = MIN_RESPONDENTS,
    *,
    rules: SignalRules = DEFAULT_RULES,
) -> list[str]:
    """Signals for the class in the judged week, in the order of ``CLASS_CODES``.

    ``weeks`` is oldest first, each a list of that week's respondents' answers; the last
    week is judged. Rules (defaults of ``SignalRules``):

    - ``too_few_respondents``: the judged week has fewer than ``min_respondents`` (5)
      respondents. Then it is the only code returned, so nothing is said about a group
      small enough to point at individuals. An empty ``weeks`` also gives this code.
    - ``class_drop``: the class mean index is >= 0.5 below the class's own rolling mean:
      the mean of the weekly class means of the previous 3 weeks (each week counts once,
      however many answered). Only weeks with >= ``min_respondents`` respondents count,
      and at least 2 of the 3 must, so the baseline is never one week's mood.
    - ``class_pattern_dont_dare``: >= 25% of the week's respondents show the "don't dare"
      pattern (P1 >= 4 and (S1 <= 3 or C1 <= 3)).
    - ``class_pattern_no_start``: >= 25% of the week's respondents have P2 <= 2.
    """
    current = _respondents(weeks[-1]) if weeks else []
    if len(current) < min_respondents:
        return ["too_few_respondents"]
    signals: list[str] = []

    index = _class_index(current)
    if index is not None:
        previous = [_respondents(week) for week in weeks[-1 - rules.class_window : -1]]
        means = [
            _class_index(week) for week in previous if len(week) >= min_respondents
        ]
        counted = [m for m in means if m is not None]
        baseline = _exact_mean(counted)
        if (
            len(counted) >= rules.class_min_weeks
            and baseline is not None
            and baseline - index >= _exact(rules.class_drop_threshold)
        ):
            signals.append("class_drop")

    share = _exact(rules.class_pattern_share)
    dont_dare, no_start = pattern_counts(current, rules=rules)
    if Fraction(dont_dare, len(current)) >= share:
        signals.append("class_pattern_dont_dare")
    if Fraction(no_start, len(current)) >= share:
        signals.append("class_pattern_no_start")
    return signals


def pattern_counts(respondents: Iterable[Answers | None], *, rules: SignalRules = DEFAULT_RULES) -> tuple[int, int]:
    """How many of a week's respondents show "don't dare" and "don't know where to start".

    The class patterns are these counts over the number of respondents; the dashboard
    shows the same shares. A missing week (None) shows no pattern.
    """
    dont_dare = no_start = 0
    for answers in respondents:
        dont_dare += is_dont_dare(answers, rules=rules)
        no_start += is_no_start(answers, rules=rules)
    return dont_dare, no_start

