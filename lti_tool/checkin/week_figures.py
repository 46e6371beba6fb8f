"""The class figures of closed weeks, kept in the cache so the page does not recompute them.

A 300-student course has 12,000 answers over 40 weeks; the page shows, for every week but
the few around the selected one, only that week's measures and respondent count. Those
figures of a closed week change only when the week's answers change, so they are cached
under a key that holds a change marker of the week's rows (``week_markers``): how many
there are, how many were given identified, the sums of their ids, revisions and stored
indexes, and the last change. Any insert, delete or re-save (which bumps ``revision`` and
``updated_at``) makes a new key; the old entry is never read again and expires.

What is cached is exactly ``dashboard_data.week_view``'s figures for the course's mode
now (the mode and the signal rules are part of the key), so a cached week shows what a
computed one would, never more. Weeks whose figures come from a release
(``checkin.releases``) are not cached here: the release is already stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ..extensions import db
from ..models.checkin import CheckinResponse
from ..shared_cache import cache_get_many, cache_set
from . import dashboard_data as dd
from . import privacy

ENTRY_TTL = 7 * 24 * 3600  # a closed week's figures; a changed week gets a new key anyway
_KEY_VERSION = 1  # bump when the cached shape or week_view's figures change


@dataclass(frozen=True)
class WeekMarker:
    """What changes whenever any response of one course week changes."""

    respondents: int
    identified: int  # responses given in identified mode
    id_sum: int
    revision_sum: int
    index_sum: float | None
    last_change: object  # max(updated_at), as the driver returns it

    def needs_release(self, mode: str) -> bool:
        """``releases.needs_release`` from the counts: answers, none of them named."""
        return self.respondents > 0 and not (mode == privacy.IDENTIFIED and self.identified > 0)

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode()).hexdigest()[:24]


def week_markers(course_id: int, first: date, last: date) -> dict[date, WeekMarker]:
    """One ``WeekMarker`` per week from ``first`` to ``last`` that has responses (one query)."""
    r = CheckinResponse
    # Through the session's connection (same transaction), as ``load_rows``: a Core result.
    rows = db.session.connection().execute(
        db.select(
            r.week_start,
            db.func.count(),
            db.func.sum(db.case((r.privacy_mode == privacy.IDENTIFIED, 1), else_=0)),
            db.func.sum(r.id),
            db.func.sum(r.revision),
            db.func.sum(r.index_score),
            db.func.max(r.updated_at),
        )
        .where(r.course_id == course_id, r.week_start >= first, r.week_start <= last)
        .group_by(r.week_start)
    )
    return {
        week: WeekMarker(int(n), int(identified or 0), int(ids or 0), int(revisions or 0), _rounded(index_sum), changed)
        for week, n, identified, ids, revisions, index_sum, changed in rows
    }


def _rounded(value) -> float | None:
    # A float sum may differ in its last bits with the order the database adds in.
    return None if value is None else round(float(value), 6)


def cache_key(course_id: int, week_start: date, mode: str, rules: object, marker: WeekMarker) -> str:
    rules_digest = hashlib.sha256(repr(rules).encode()).hexdigest()[:12]
    return f"checkin:week-figures:v{_KEY_VERSION}:{course_id}:{week_start.isoformat()}:{mode}:{rules_digest}:{marker.digest()}"


def figures_of(view: dd.WeekView) -> tuple:
    """What is cached of a computed week: its respondents, pattern shares and measures."""
    measures = tuple((m.key, m.status, m.value, m.respondents, m.version) for m in view.measures.values())
    return (view.respondents, view.share_dont_dare, view.share_no_start, measures)


def summary_view(week, figures: tuple) -> dd.WeekView:
    """A week as the page shows it when it is not the selected one: figures only."""
    respondents, share_dont_dare, share_no_start, measures = figures
    return dd.summary_week_view(
        week,
        respondents=respondents,
        measures={key: dd.Measure(key, status, value, n, version) for key, status, value, n, version in measures},
        share_dont_dare=share_dont_dare,
        share_no_start=share_no_start,
    )


def read(keys: Mapping[date, str]) -> dict[date, tuple]:
    """The cached figures of the weeks in ``keys`` that have them (one cache round trip)."""
    if not keys:
        return {}
    weeks = list(keys)
    found = cache_get_many(*(keys[w] for w in weeks))
    return {w: value for w, value in zip(weeks, found, strict=True) if _valid(value)}


def _valid(value) -> bool:
    return isinstance(value, tuple) and len(value) == 4


def write(entries: Iterable[tuple[str, tuple]]) -> None:
    for key, value in entries:
        cache_set(key, value, timeout=ENTRY_TTL)
