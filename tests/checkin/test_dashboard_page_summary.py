"""The page's dashboard (``build_page``: weeks outside the selected one's window as cached
summaries) shows exactly the figures of the full one (``build_dashboard``, the export's),
on varied data with small groups, mixed modes and changed wordings — cold, warm, and
after any change to a closed week's answers."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func

from lti_tool.checkin import operations
from lti_tool.checkin.dashboard_page import build_dashboard, build_page
from lti_tool.checkin.signals import weekly_index
from lti_tool.extensions import db
from lti_tool.models import Course
from lti_tool.models.checkin import CheckinResponse

from .test_dashboard_support import GOOD, VERSIONS, add_students, response_row, set_mode, teacher_klas

WEEKS = 14


@pytest.fixture
def identified_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)


def _varied(klas, rng: random.Random, course_mode: str) -> None:
    """Weeks of 0 to 14 answers: below and above both thresholds, modes mixed in an
    identified course, an item skipped now and then, a second wording in some weeks."""
    ids = add_students(klas, 14)
    with klas.app.app_context():
        for back in range(WEEKS):
            week = klas.week(back)
            for user_id in rng.sample(ids, rng.choice([0, 1, 3, 4, 5, 6, 9, 10, 12, 14])):
                answers = {k: rng.randint(1, 5) for k in GOOD}
                if rng.random() < 0.1:
                    answers.pop(rng.choice(list(GOOD)))
                versions = dict(VERSIONS)
                if back % 5 == 2 and rng.random() < 0.5:
                    versions[rng.choice(list(GOOD))] = 2
                mode = course_mode if course_mode == "anonymous" or rng.random() < 0.7 else "anonymous"
                if back % 6 == 3:
                    mode = "anonymous"  # a whole week answered anonymously: released, not cached
                db.session.add(
                    response_row(
                        klas, user_id, week, answers, mode=mode, versions=versions,
                        opt_in=rng.random() < 0.1, text=rng.choice([None, None, "te snel", "fijne groep"]),
                    )
                )
        db.session.commit()


def _both(klas, mode: str, selected):
    with klas.app.app_context():
        course = db.session.get(Course, klas.course_id)
        current = operations.current_week(course)
        full = build_dashboard(course, current=current, selected_start=selected, mode=mode, lang="en")
        page = build_page(course, current=current, selected_start=selected, mode=mode, lang="en")
        return full, page


def _assert_same_figures(full, page) -> None:
    assert [w.week for w in page.weeks] == [w.week for w in full.weeks]
    for f, p in zip(full.weeks, page.weeks, strict=True):
        assert (p.respondents, dict(p.measures), p.share_dont_dare, p.share_no_start) == (
            f.respondents,
            dict(f.measures),
            f.share_dont_dare,
            f.share_no_start,
        ), f.week
        if p.summary:
            # Known by its figures only: nobody in it by name, no opt-in, no open answer.
            assert p.week.start < page.current_start and p.week.start != page.selected.week.start
            assert (p.contacts, tuple(p.named), p.open_answers, p.hidden_open_answers, p.roster_respondents) == ((), (), (), 0, 0)
        else:
            assert p == f, f.week
    assert page.selected == full.selected and not page.selected.summary
    assert (page.cards, page.class_codes, page.comparisons, page.actions) == (full.cards, full.class_codes, full.comparisons, full.actions)


@pytest.mark.parametrize("mode", ["identified", "anonymous"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_page_shows_the_figures_of_the_full_dashboard(app, launch, identified_allowed, mode, seed):
    klas = teacher_klas(app, launch)
    set_mode(klas, mode)
    _varied(klas, random.Random(seed), mode)
    for selected in (None, klas.week(9), klas.week(WEEKS - 1)):
        cold_full, cold_page = _both(klas, mode, selected)
        _assert_same_figures(cold_full, cold_page)
        warm_full, warm_page = _both(klas, mode, selected)  # the summaries now come from the cache
        _assert_same_figures(warm_full, warm_page)
    assert any(w.summary for w in warm_page.weeks)


def _closed_week_changes(klas):
    """Every way a closed week's answers change: a re-save, a new answer, a deleted one."""
    week = klas.week(10)
    r = CheckinResponse

    def resave():
        row = db.session.execute(db.select(r).where(r.course_id == klas.course_id, r.week_start == week).limit(1)).scalar_one()
        answers = {**row.answers, "B1": 1 if row.answers.get("B1") != 1 else 5, "C1": 1 if row.answers.get("C1") != 1 else 5}
        db.session.execute(
            db.update(r)
            .where(r.id == row.id)
            .values(answers=answers, index_score=weekly_index(answers), revision=r.revision + 1, updated_at=func.now())
        )

    def add():
        taken = set(db.session.execute(db.select(r.user_id).where(r.course_id == klas.course_id, r.week_start == week)).scalars())
        user_id = next(i for i in klas.ids if i not in taken)
        answers = {k: 1 for k in GOOD}
        db.session.add(
            r(
                course_id=klas.course_id,
                user_id=user_id,
                week_start=week,
                answers=answers,
                item_versions=dict(VERSIONS),
                privacy_mode="identified",
                index_score=weekly_index(answers),
            )
        )

    def delete():
        row_id = db.session.execute(db.select(func.max(r.id)).where(r.course_id == klas.course_id, r.week_start == week)).scalar()
        db.session.execute(db.delete(r).where(r.id == row_id))

    return week, [resave, add, delete, delete]


def test_a_change_to_a_cached_closed_week_shows_at_once(app, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    ids = add_students(klas, 8)
    with app.app_context():
        for back in range(WEEKS):
            for i, user_id in enumerate(ids[:6]):
                answers = {k: 1 + (i + back + j) % 5 for j, k in enumerate(GOOD)}
                db.session.add(
                    CheckinResponse(
                        course_id=klas.course_id,
                        user_id=user_id,
                        week_start=klas.week(back),
                        answers=answers,
                        item_versions=dict(VERSIONS),
                        privacy_mode="identified",
                        index_score=weekly_index(answers),
                    )
                )
        db.session.commit()
    _full, page = _both(klas, "identified", None)
    week, changes = _closed_week_changes(klas)
    assert next(w for w in page.weeks if w.week.start == week).summary is False  # computed, then cached
    _full, page = _both(klas, "identified", None)
    assert next(w for w in page.weeks if w.week.start == week).summary is True
    for change in changes:
        before = next(w for w in page.weeks if w.week.start == week)
        with app.app_context():
            change()
            db.session.commit()
        full, page = _both(klas, "identified", None)
        _assert_same_figures(full, page)
        after = next(w for w in page.weeks if w.week.start == week)
        assert (after.respondents, dict(after.measures)) != (before.respondents, dict(before.measures)), change.__name__


def test_without_a_cache_the_page_computes_every_week_that_has_no_release(app, launch, identified_allowed, monkeypatch):
    """The cache down: only released weeks come as summaries, the figures the same."""
    from lti_tool.checkin import week_figures

    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    _varied(klas, random.Random(7), "identified")
    monkeypatch.setattr(week_figures, "cache_get_many", lambda *keys: [None] * len(keys))
    for _ in range(2):
        full, page = _both(klas, "identified", None)
        _assert_same_figures(full, page)
        summaries = [f for f, p in zip(full.weeks, page.weeks, strict=True) if p.summary]
        assert summaries and all(f.respondents and not tuple(f.named) for f in summaries)
