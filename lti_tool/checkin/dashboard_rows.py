"""A course's check-in answers and people as the dashboard loads them: plain data for
``dashboard_data``'s computation, which runs no query of its own (``dashboard_page``
decides what to load).

``ResponseRow`` is one stored response (a tuple, with what every week and chart derives
from it worked out once); ``load_rows`` reads a period's responses in one query, and
``load_people`` the roster and the respondents it names.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from ..extensions import db
from ..models import User
from ..models.checkin import CheckinResponse
from ..roster import learner_names
from .items import SCALE_ITEMS
from .signals import INDEX_ITEMS, weekly_index


def _versions_of(item_versions: Mapping) -> tuple[int, ...]:
    """The four index items' versions."""
    return tuple(int(item_versions.get(i) or 0) for i in INDEX_ITEMS)


_scale_answers = itemgetter(*SCALE_ITEMS)


def _item_scores(answers: Mapping) -> tuple | None:
    """The scale items' answers in ``SCALE_ITEMS`` order; None unless every one was given
    (the common path of ``week_measures`` sums these columns)."""
    try:
        scores = _scale_answers(answers)
    except KeyError:
        return None
    return None if None in scores else scores


_new_tuple = tuple.__new__


class ResponseRow(tuple):
    """One stored response, as plain data (no ORM object leaves ``load_rows``).

    A tuple: immutable, and one small object per row (a 300 x 40 course is 12,000 of them,
    built on every page view). ``index_versions``, ``index_value`` and ``item_scores`` are
    derived once per row, because every week and every chart asks for them; ``load_rows``
    works them out once per distinct stored JSON text instead of once per row.
    """

    __slots__ = ()

    def __new__(
        cls,
        user_id: int,
        week_start: date,
        answers: Mapping[str, int],
        item_versions: Mapping[str, int],
        contact_opt_in: bool,
        open_answer: str | None,
        privacy_mode: str,
        index_score: float | None,
    ):
        # Stored at saving time for fast trends; recomputed for rows saved without it.
        value = index_score if index_score is not None else weekly_index(answers)
        return _new_tuple(
            cls,
            (
                user_id,
                week_start,
                answers,
                item_versions,
                contact_opt_in,
                open_answer,
                privacy_mode,
                index_score,
                _versions_of(item_versions),
                value,
                _item_scores(answers),
            ),
        )

    user_id: int = property(itemgetter(0))  # type: ignore[assignment]
    week_start: date = property(itemgetter(1))  # type: ignore[assignment]
    answers: Mapping[str, int] = property(itemgetter(2))  # type: ignore[assignment]
    item_versions: Mapping[str, int] = property(itemgetter(3))  # type: ignore[assignment]
    contact_opt_in: bool = property(itemgetter(4))  # type: ignore[assignment]
    open_answer: str | None = property(itemgetter(5))  # type: ignore[assignment]
    privacy_mode: str = property(itemgetter(6))  # type: ignore[assignment]
    index_score: float | None = property(itemgetter(7))  # type: ignore[assignment]
    index_versions: tuple[int, ...] = property(itemgetter(8))  # type: ignore[assignment]  # the four index items' versions
    index_value: float | None = property(itemgetter(9))  # type: ignore[assignment]
    item_scores: tuple | None = property(itemgetter(10))  # type: ignore[assignment]  # None: an item was not answered

    def __repr__(self) -> str:
        return (
            f"ResponseRow(user_id={self[0]!r}, week_start={self[1]!r}, answers={self[2]!r}, item_versions={self[3]!r}, "
            f"contact_opt_in={self[4]!r}, open_answer={self[5]!r}, privacy_mode={self[6]!r}, index_score={self[7]!r})"
        )


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    on_roster: bool = True


def load_rows(course_id: int, first: date, last: date, weeks: Iterable[date] | None = None) -> list[ResponseRow]:
    """The course's responses from week ``first`` to week ``last`` (of ``weeks`` only, when
    given), in one query.

    Plain columns, not ORM objects: a 40 x 40 course is 1,600 rows, and building entities
    for them would cost more than everything the page computes.
    """
    r = CheckinResponse
    where = [r.course_id == course_id, r.week_start >= first, r.week_start <= last]
    if weeks is not None:
        where.append(r.week_start.in_(sorted(set(weeks))))
    # The JSON columns as their text, decoded once per distinct text: a week's rows share
    # one item_versions, and many answers repeat — 300 x 40 is 24,000 JSON values, but
    # only a few thousand distinct ones. The decoded mappings are shared between rows, and
    # read only (ResponseRow is frozen; views copy what they hand on).
    # Through the session's connection (same transaction): a Core result, without the
    # ORM's per-row result processing of ``session.execute``.
    result = db.session.connection().execute(
        db.select(
            r.user_id,
            r.week_start,
            db.cast(r.answers, db.Text),
            db.cast(r.item_versions, db.Text),
            r.contact_opt_in,
            r.open_answer,
            r.privacy_mode,
            r.index_score,
        ).where(*where)
    )
    decoded: dict[str | None, Mapping] = {None: {}}
    # Per distinct text, also what every row derives from it: the index items' versions,
    # and whether every scale item was answered.
    versions_of: dict[str | None, tuple[Mapping, tuple[int, ...]]] = {}
    answers_of: dict[str | None, tuple[Mapping, tuple | None]] = {}

    def mapping(text: str | None) -> Mapping:
        value = decoded.get(text)
        if value is None:
            value = decoded[text] = json.loads(text) if text else {}
        return value

    def versions(text: str | None) -> tuple[Mapping, tuple[int, ...]]:
        hit = versions_of[text] = (m := mapping(text)), _versions_of(m)
        return hit

    def answers(text: str | None) -> tuple[Mapping, tuple | None]:
        hit = answers_of[text] = (m := mapping(text)), _item_scores(m)
        return hit

    rows = []
    append = rows.append
    for user_id, week_start, answers_text, versions_text, opt_in, open_answer, mode, index_score in result:
        item_versions, index_versions = versions_of.get(versions_text) or versions(versions_text)
        given, scores = answers_of.get(answers_text) or answers(answers_text)
        value = index_score if index_score is not None else weekly_index(given)
        append(
            _new_tuple(
                ResponseRow,
                (user_id, week_start, given, item_versions, opt_in, open_answer, mode, index_score, index_versions, value, scores),
            )
        )
    return rows


def load_people(course_id: int, other_user_ids: Iterable[int]) -> tuple[list[Person], dict[int, Person]]:
    """The active roster (sorted by name) and everyone with a response, by user id.

    ``other_user_ids`` are respondents who may no longer be on the roster: their names are
    still needed for an opt-in or an identified answer they gave while they were.
    """
    roster = [Person(user.id, User.display_name(user, user.sub), True) for user in learner_names(course_id)]
    people = {p.user_id: p for p in roster}
    missing = sorted(set(other_user_ids) - people.keys())
    if missing:
        for user in db.session.execute(db.select(User).where(User.id.in_(missing))).scalars():
            people[user.id] = Person(user.id, user.display_name(user.sub), False)
    return roster, people


def group_by_week(rows: Iterable[ResponseRow]) -> dict[date, list[ResponseRow]]:
    by_week: dict[date, list[ResponseRow]] = defaultdict(list)
    for row in rows:
        by_week[row.week_start].append(row)
    return by_week
