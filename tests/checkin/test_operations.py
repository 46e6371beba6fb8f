"""Saving a week's check-in: the weekly window, the concurrency-safe upsert, completion."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import text

from lti_tool.checkin import operations
from lti_tool.checkin.items import CURRENT_VERSIONS
from lti_tool.checkin.signals import weekly_index
from lti_tool.checkin.weeks import weekly_window
from lti_tool.extensions import db
from lti_tool.models.outbox import OutboxEntry

from .test_student_support import (
    ANSWERS,
    OTHER_ANSWERS,
    all_responses,
    as_ints,
    clean,
    course_id_of,
    respondent,
    set_course,
    set_settings,
)

LINEITEM = "https://lms.example.org/api/course-1/lineitems/checkin"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _ags(lineitem: str | None = LINEITEM, scopes=("lineitem", "score")) -> dict:
    claim = {
        "scope": [f"https://purl.imsglobal.org/spec/lti-ags/scope/{s}" for s in scopes],
        "lineitems": "https://lms.example.org/api/course-1/lineitems",
    }
    if lineitem:
        claim["lineitem"] = lineitem
    return {AGS: claim}


def _at(monkeypatch, when: datetime) -> None:
    monkeypatch.setattr(operations, "now", lambda: when)


def _save(app, who, answers=ANSWERS, **kw):
    with app.app_context():
        return operations.save_checkin(who, clean(answers, **kw))


def _outbox(app) -> list[OutboxEntry]:
    with app.app_context():
        rows = db.session.execute(db.select(OutboxEntry).order_by(OutboxEntry.id)).scalars().all()
        db.session.expunge_all()
        return rows


# ---------------------------------------------------------------- the weekly window
@pytest.mark.parametrize(
    ("utc", "zone", "monday"),
    [
        # Amsterdam in November is UTC+1: Sunday 23:59 local is 22:59 UTC, Monday 00:00 is 23:00.
        (datetime(2026, 11, 22, 22, 59, 59), "Europe/Amsterdam", date(2026, 11, 16)),
        (datetime(2026, 11, 22, 23, 0, 0), "Europe/Amsterdam", date(2026, 11, 23)),
        # New York is UTC-5: UTC is Monday already, the course is still on Sunday evening.
        (datetime(2026, 11, 23, 3, 0), "America/New_York", date(2026, 11, 16)),
        (datetime(2026, 11, 23, 4, 59, 59), "America/New_York", date(2026, 11, 16)),
        (datetime(2026, 11, 23, 5, 0), "America/New_York", date(2026, 11, 23)),
        (datetime(2026, 11, 23, 3, 0), "Europe/Amsterdam", date(2026, 11, 23)),
        # The last Sunday of March changes to summer time (UTC+2): Monday 00:00 is 22:00 UTC.
        (datetime(2026, 3, 29, 21, 59, 59), "Europe/Amsterdam", date(2026, 3, 23)),
        (datetime(2026, 3, 29, 22, 0), "Europe/Amsterdam", date(2026, 3, 30)),
    ],
)
def test_weekly_window_edges(utc, zone, monday):
    week = weekly_window(utc, zone)
    assert week.start == monday
    assert week.start.isoweekday() == 1


def test_week_ends_at_monday_midnight_in_the_course_zone():
    assert weekly_window(datetime(2026, 11, 18, 9), "Europe/Amsterdam").ends_at_utc == datetime(2026, 11, 22, 23, 0)
    assert weekly_window(datetime(2026, 11, 18, 9), "America/New_York").ends_at_utc == datetime(2026, 11, 23, 5, 0)


# ---------------------------------------------------------------- saving
def test_first_save_stores_everything_the_dashboard_needs(app, launch, monkeypatch):
    _at(monkeypatch, datetime(2026, 11, 18, 9, 30))
    who = respondent(app, launch("learner").lid)
    saved = _save(app, who, o1=True, q="Meer tijd om te oefenen.")
    assert saved.created and saved.revision == 1 and saved.week.start == date(2026, 11, 16)
    [row] = all_responses(app)
    assert row["answers"] == as_ints(ANSWERS)
    assert row["item_versions"] == CURRENT_VERSIONS
    assert row["privacy_mode"] == "anonymous"
    assert row["index_score"] == pytest.approx(weekly_index(as_ints(ANSWERS)))
    assert row["contact_opt_in"] is True
    assert row["open_answer"] == "Meer tijd om te oefenen."
    assert row["week_start"] == date(2026, 11, 16)
    assert (row["course_id"], row["user_id"]) == (who.course_id, who.user_id)


def test_changing_answers_in_the_same_week_keeps_one_row_with_the_latest(app, launch, monkeypatch):
    _at(monkeypatch, datetime(2026, 11, 16, 8, 0))
    who = respondent(app, launch("learner").lid)
    _save(app, who, q="first")
    _at(monkeypatch, datetime(2026, 11, 22, 22, 30))  # Sunday 23:30 in Amsterdam: same week
    saved = _save(app, who, OTHER_ANSWERS, o1=True)
    assert not saved.created and saved.revision == 2
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)
    assert row["open_answer"] is None  # cleared, as the student cleared it
    assert row["contact_opt_in"] is True
    assert row["revision"] == 2
    assert row["created_at"] == datetime(2026, 11, 16, 8, 0)
    assert row["updated_at"] == datetime(2026, 11, 22, 22, 30)


def test_save_path_across_the_amsterdam_week_boundary(app, launch, monkeypatch):
    who = respondent(app, launch("learner").lid)
    _at(monkeypatch, datetime(2026, 11, 22, 22, 59))  # Sunday 23:59 local
    assert _save(app, who).week.start == date(2026, 11, 16)
    _at(monkeypatch, datetime(2026, 11, 22, 23, 0))  # Monday 00:00 local
    saved = _save(app, who, OTHER_ANSWERS)
    assert saved.created and saved.week.start == date(2026, 11, 23)
    rows = all_responses(app)
    assert [r["week_start"] for r in rows] == [date(2026, 11, 16), date(2026, 11, 23)]
    assert rows[0]["answers"] == as_ints(ANSWERS)  # last week's answers are not touched
    assert rows[1]["answers"] == as_ints(OTHER_ANSWERS)


def test_save_path_uses_the_course_time_zone(app, launch, monkeypatch):
    lid = launch("learner").lid
    who = respondent(app, lid)
    set_course(app, course_id_of(app, lid), timezone="America/New_York")
    _at(monkeypatch, datetime(2026, 11, 23, 3, 0))  # Monday in UTC and Amsterdam, Sunday 22:00 in New York
    assert _save(app, who).week.start == date(2026, 11, 16)
    _at(monkeypatch, datetime(2026, 11, 23, 5, 0))  # Monday 00:00 in New York
    assert _save(app, who).week.start == date(2026, 11, 23)
    assert len(all_responses(app)) == 2


def test_privacy_mode_stored_is_the_effective_mode(app, launch, monkeypatch):
    lid = launch("learner").lid
    who = respondent(app, lid)
    set_course(app, course_id_of(app, lid), privacy_mode="identified")
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", False)
    _at(monkeypatch, datetime(2026, 11, 9, 10))
    _save(app, who)
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    _at(monkeypatch, datetime(2026, 11, 16, 10))
    _save(app, who)
    assert [r["privacy_mode"] for r in all_responses(app)] == ["anonymous", "identified"]


def test_incomplete_answers_are_refused(app, launch):
    who = respondent(app, launch("learner").lid)
    with app.app_context(), pytest.raises(ValueError):
        operations.save_checkin(who, {"B1": 3})
    assert all_responses(app) == []


def test_a_concurrent_insert_between_update_and_insert_is_merged(app, launch, monkeypatch):
    """Made deterministic: another save creates the row just after our UPDATE found
    nothing. Our INSERT then inserts nothing, and ours ends up as an update of that row,
    not an error."""
    _at(monkeypatch, datetime(2026, 11, 18, 12))
    who = respondent(app, launch("learner").lid)
    real_update = operations._update_existing
    merges = []

    def racing_update(course_id, user_id, week_start, values, **kw):
        result = real_update(course_id, user_id, week_start, values, **kw)
        if kw.get("unless_completion"):  # our first try found nothing: now the other tab commits
            assert result is None
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO checkin_responses (course_id, user_id, week_start, answers, item_versions,"
                        " contact_opt_in, privacy_mode, revision, created_at, updated_at)"
                        " VALUES (:c, :u, :w, :a, :v, :o, 'anonymous', 1, :t, :t)"
                    ),
                    {
                        "c": course_id,
                        "u": user_id,
                        "w": week_start,
                        "a": '{"B1": 1}',
                        "v": "{}",
                        "o": False,
                        "t": datetime(2026, 11, 18, 11),
                    },
                )
        else:
            merges.append(result)
        return result

    monkeypatch.setattr(operations, "_update_existing", racing_update)
    saved = _save_alone(app, who, OTHER_ANSWERS)  # as the form's POST saves
    assert len(merges) == 1 and merges[0] is not None  # the INSERT found the row: merged
    assert not saved.created and saved.revision == 2
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)  # latest submit wins


def _run_together(app, jobs):
    """Run each job in its own thread with its own app context, released at once."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                job()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors


@pytest.mark.parametrize("n", [2, 4])
def test_concurrent_saves_leave_exactly_one_response(app, launch, monkeypatch, n):
    _at(monkeypatch, datetime(2026, 11, 18, 12))
    who = respondent(app, launch("learner").lid)
    sets = [{**ANSWERS, "B1": str(k % 5 + 1), "A1": str((k + 2) % 5 + 1)} for k in range(n)]
    _run_together(app, [lambda a=a: operations.save_checkin(who, clean(a)) for a in sets])
    [row] = all_responses(app)
    assert row["answers"] in [as_ints(a) for a in sets]
    assert row["revision"] == n  # every save counted, none lost in an error


def test_both_saves_miss_the_update_and_race_to_insert(app, launch, monkeypatch):
    """PostgreSQL: both transactions find no row, both INSERT; the second waits on the
    unique index, inserts nothing when the first commits, and updates that row instead."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # SQLite lets one writer at a time: the second UPDATE waits for the first commit,
        # so this interleaving cannot happen there (and would deadlock the barrier).
        pytest.skip("needs a database with concurrent writers")
    _at(monkeypatch, datetime(2026, 11, 18, 12))
    who = respondent(app, launch("learner").lid)
    real_update = operations._update_existing
    missed = threading.Barrier(2)
    first_calls = set()

    def update_then_wait(*args, **kw):
        result = real_update(*args, **kw)
        if threading.get_ident() not in first_calls:
            first_calls.add(threading.get_ident())
            missed.wait(timeout=10)  # both have seen "no row" before either inserts
        return result

    monkeypatch.setattr(operations, "_update_existing", update_then_wait)
    results = []
    _run_together(
        app,
        [lambda a=a: results.append(operations.save_checkin(who, clean(a))) for a in (ANSWERS, OTHER_ANSWERS)],
    )
    assert sorted(r.created for r in results) == [False, True]
    [row] = all_responses(app)
    assert row["revision"] == 2
    loser = next(r for r in results if not r.created)
    assert row["answers"] in (as_ints(ANSWERS), as_ints(OTHER_ANSWERS))
    assert loser.revision == 2


# ---------------------------------------------------------------- completion to the gradebook
def _completion_on(app, monkeypatch, course_id, **values):
    """Completion to the gradebook in an identified course (the only mode that reports it)."""
    from lti_tool.models import Course

    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    with app.app_context():
        db.session.get(Course, course_id).privacy_mode = "identified"
        db.session.commit()
    set_settings(app, course_id, completion_to_gradebook=True, **values)


def test_anonymous_check_ins_never_reach_the_gradebook(app, launch, monkeypatch):
    """A completion would tell the teacher who answered when: never in anonymous mode."""
    lid = launch("learner", claims=_ags()).lid
    who = respondent(app, lid)
    set_settings(app, course_id_of(app, lid), completion_to_gradebook=True)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    assert _save(app, who).completion_queued is False
    assert _outbox(app) == []


def test_completion_on_queues_one_entry_per_student_per_week(app, launch, monkeypatch):
    lid = launch("learner", claims=_ags()).lid
    who = operations.Respondent(**{**respondent(app, lid).__dict__})
    _completion_on(app, monkeypatch, course_id_of(app, lid))
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    assert _save(app, who).completion_queued is True
    assert _save(app, who, OTHER_ANSWERS).completion_queued is False  # changed answers: no second entry
    [entry] = _outbox(app)
    assert entry.target_url == LINEITEM
    assert entry.user_sub == "student-1"
    assert entry.source == "checkin"
    assert entry.dedupe_key == f"checkin-completion:{who.course_id}:{who.user_id}:2026-11-16"
    assert entry.payload == {"activityProgress": "Completed", "gradingProgress": "NotReady", "userId": "student-1"}
    assert "scoreGiven" not in entry.payload and "scoreMaximum" not in entry.payload
    _at(monkeypatch, datetime(2026, 11, 24, 9))  # next week: one more
    _save(app, who)
    assert [e.dedupe_key[-10:] for e in _outbox(app)] == ["2026-11-16", "2026-11-23"]


def test_completion_per_student(app, launch, new_browser, monkeypatch):
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    first = respondent(app, launch("learner", claims=_ags()).lid)
    second = respondent(app, launch("learner", user="student-2", browser=new_browser(), claims=_ags()).lid)
    _completion_on(app, monkeypatch, first.course_id)
    _save(app, first)
    _save(app, second)
    assert sorted(e.user_sub for e in _outbox(app)) == ["student-1", "student-2"]


def test_completion_off_queues_nothing(app, launch, monkeypatch):
    lid = launch("learner", claims=_ags()).lid
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    _save(app, respondent(app, lid))  # no settings row: off by default
    set_settings(app, course_id_of(app, lid), completion_to_gradebook=False)
    _save(app, respondent(app, lid))
    assert _outbox(app) == []


def test_completion_needs_the_score_service(app, launch, monkeypatch):
    lid = launch("learner", claims=_ags()).lid
    _completion_on(app, monkeypatch, course_id_of(app, lid))
    who = operations.Respondent(**{**respondent(app, lid).__dict__, "can_post_scores": False})
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    assert _save(app, who).completion_queued is False
    assert _outbox(app) == []
    assert len(all_responses(app)) == 1  # the check-in itself is saved all the same


def test_completion_without_a_line_item_is_skipped_and_logged(app, launch, monkeypatch, caplog):
    lid = launch("learner", claims=_ags(lineitem=None)).lid
    _completion_on(app, monkeypatch, course_id_of(app, lid))
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    with caplog.at_level("WARNING", logger="lti_tool.checkin.operations"):
        assert _save(app, respondent(app, lid)).completion_queued is False
    assert _outbox(app) == []
    assert "no line item" in caplog.text
    assert "4" not in caplog.text.split("no line item")[1][:40]  # no answers in the log


def test_completion_falls_back_to_the_settings_line_item(app, launch, monkeypatch):
    lid = launch("learner", claims=_ags(lineitem=None)).lid
    fallback = "https://lms.example.org/api/course-1/lineitems/fallback"
    _completion_on(app, monkeypatch, course_id_of(app, lid), completion_lineitem_url=fallback)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    _save(app, respondent(app, lid))
    assert [e.target_url for e in _outbox(app)] == [fallback]


def test_concurrent_saves_queue_one_completion(app, launch, monkeypatch):
    lid = launch("learner", claims=_ags()).lid
    _completion_on(app, monkeypatch, course_id_of(app, lid))
    who = respondent(app, lid)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    _run_together(app, [lambda a=a: operations.save_checkin(who, clean(a)) for a in (ANSWERS, OTHER_ANSWERS, ANSWERS)])
    assert len(_outbox(app)) == 1
    assert len(all_responses(app)) == 1


def test_completion_key_is_per_course_student_and_week():
    assert operations.completion_key(3, 7, date(2026, 11, 16)) == "checkin-completion:3:7:2026-11-16"


def test_response_and_completion_commit_together(app, launch, monkeypatch):
    """If queueing the completion fails, the response is not half-saved either (on SQLite
    the savepoint must not commit the INSERT on its own)."""
    who = respondent(app, launch("learner", claims=_ags()).lid)
    _completion_on(app, monkeypatch, who.course_id)
    _at(monkeypatch, datetime(2026, 11, 17, 9))

    def broken(*args):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(operations, "_queue_completion", broken)
    with app.app_context():
        with pytest.raises(RuntimeError):
            operations.save_checkin(who, clean(ANSWERS))
        db.session.rollback()
    assert all_responses(app) == []


# ---------------------------------------------------------------- statements alone (the form's POST)
def _save_alone(app, who, answers=ANSWERS):
    """Saved as the form's POST saves: its statements each on their own (transactions.py)."""
    from lti_tool.transactions import statements_alone

    with app.app_context():
        assert statements_alone()
        return operations.save_checkin(who, clean(answers))


def test_a_changed_answer_alone_is_one_write_outside_any_transaction(app, launch, monkeypatch):
    from tests.statements import StatementLog

    who = respondent(app, launch("learner").lid)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    _save_alone(app, who)  # the week's first: an INSERT, in a transaction of its own
    with StatementLog(app) as log:
        saved = _save_alone(app, who, OTHER_ANSWERS)
    assert saved.revision == 2 and not saved.created
    assert [w for w in log.verbs if w[0] in ("INSERT", "UPDATE", "DELETE")] == [("UPDATE", False)]
    assert not any(held for _verb, held in log.verbs), log.verbs
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)


def test_a_changed_answer_and_its_completion_still_commit_together(app, launch, monkeypatch):
    """With completion on, the UPDATE is not committed on its own: when queueing fails,
    the earlier answers stand."""
    who = respondent(app, launch("learner", claims=_ags()).lid)
    _completion_on(app, monkeypatch, who.course_id)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    _save_alone(app, who)

    def broken(*args):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(operations, "_queue_completion", broken)
    with pytest.raises(RuntimeError):
        _save_alone(app, who, OTHER_ANSWERS)
    with app.app_context():
        db.session.rollback()
    [row] = all_responses(app)
    assert row["answers"] == as_ints(ANSWERS) and row["revision"] == 1


def test_completion_switched_on_mid_week_is_queued_at_the_next_change(app, launch, monkeypatch):
    """The one-statement re-save changes nothing once the course reports completions: the
    save then takes the path that queues this week's completion with the answers."""
    who = respondent(app, launch("learner", claims=_ags()).lid)
    _completion_on(app, monkeypatch, who.course_id)
    set_settings(app, who.course_id, completion_to_gradebook=False)  # identified, completion off
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    assert _save_alone(app, who).completion_queued is False
    assert _outbox(app) == []
    set_settings(app, who.course_id, completion_to_gradebook=True)
    saved = _save_alone(app, who, OTHER_ANSWERS)
    assert saved.completion_queued is True and saved.revision == 2 and not saved.created
    [entry] = _outbox(app)
    assert entry.dedupe_key == operations.completion_key(who.course_id, who.user_id, date(2026, 11, 16))
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)


def test_the_weeks_first_answer_alone_and_its_completion_commit_together(app, launch, monkeypatch):
    who = respondent(app, launch("learner", claims=_ags()).lid)
    _completion_on(app, monkeypatch, who.course_id)
    _at(monkeypatch, datetime(2026, 11, 17, 9))
    monkeypatch.setattr(operations, "_queue_completion", lambda *a: (_ for _ in ()).throw(RuntimeError("outbox unavailable")))
    with pytest.raises(RuntimeError):
        _save_alone(app, who)
    with app.app_context():
        db.session.rollback()
    assert all_responses(app) == []
