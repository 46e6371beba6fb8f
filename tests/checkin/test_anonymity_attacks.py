"""Issue #10 §1: a curious teacher tries to recover one student's anonymous answers.

Each test performs an attack a teacher could really make (reading the dashboard and the
export after every answer, watching an edit, waiting for the 11th open answer, switching
the course to identified and having students re-save) and shows that it yields nothing.
The property test at the end tries random sequences of the same moves.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool.checkin import operations
from lti_tool.extensions import db
from lti_tool.models import Course
from lti_tool.models.checkin import CheckinRelease, CheckinResponse
from lti_tool.models.outbox import OutboxEntry

from .test_dashboard_support import add_students, set_mode, teacher_klas
from .test_student_support import set_settings

ITEMS = ("B1", "B2", "S1", "P1", "C1", "P2", "A1")
COUNT_FIELDS = ("respondents", "roster_respondents", "roster_size", "contact_requests")


def _answers(level: int, text: str | None = None, opt_in: bool = False) -> dict:
    a = {k: level for k in ITEMS}
    a["O1"] = opt_in
    a["Q"] = text or ""
    return a


def _save(klas, user_id: int, answers: dict) -> None:
    with klas.app.app_context():
        operations.save_checkin(operations.Respondent(klas.course_id, user_id), answers)


def _export(client, klas, week=None) -> dict:
    url = f"/l/{klas.lid}/checkin/dashboard/export.json" + (f"?week={week.isoformat()}" if week else "")
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:1000]
    return json.loads(resp.get_data(as_text=True))


def _figures(week_json: dict) -> dict:
    """Everything the export says about a week beyond how many answered."""
    return {k: v for k, v in week_json.items() if k not in COUNT_FIELDS}


def _week(data: dict, start) -> dict:
    return next(w for w in data["weeks"] if w["week_start"] == start.isoformat())


class Clock:
    """The check-in's clock, moved a week at a time."""

    def __init__(self, monkeypatch):
        self.offset = timedelta()
        real = operations.now
        monkeypatch.setattr(operations, "now", lambda: real() + self.offset)

    def next_week(self):
        self.offset += timedelta(days=7)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def test_reading_after_every_answer_reveals_nothing_to_subtract(app, client, launch, clock):
    """Six students answer one by one; the teacher reads page and export after each."""
    klas = teacher_klas(app, launch)
    students = add_students(klas, 6)
    readings, pages = [], []
    for i, sid in enumerate(students):
        _save(klas, sid, _answers(1 + i % 5))
        data = _export(client, klas)
        readings.append(_figures(_week(data, klas.this_week)))
        pages.append(client.get(f"/l/{klas.lid}/checkin/dashboard").get_data(as_text=True))
        assert _week(data, klas.this_week)["respondents"] == i + 1  # the count is all that moves
    # n·mean_n − (n−1)·mean_(n−1) needs two means: while the week is open there is none.
    assert all(r == readings[0] for r in readings)
    assert all(r["index"]["status"] == "pending" and r["index"]["value"] is None for r in readings)
    assert all(v["value"] is None for r in readings for v in r["items"].values())
    assert "results appear when the week closes" in pages[-1]

    clock.next_week()
    released = _figures(_week(_export(client, klas, klas.this_week), klas.this_week))
    assert released["index"]["status"] == "value"
    # Released once: later readings show exactly the same, also after more reading.
    for _ in range(3):
        assert _figures(_week(_export(client, klas, klas.this_week), klas.this_week)) == released
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(CheckinRelease.id))).scalar() == 1


def test_an_edit_in_the_open_week_changes_nothing_the_teacher_sees(app, client, launch, clock):
    klas = teacher_klas(app, launch)
    students = add_students(klas, 6)
    for sid in students:
        _save(klas, sid, _answers(4))
    before = _week(_export(client, klas), klas.this_week)
    _save(klas, students[0], _answers(1))  # the edit
    after = _week(_export(client, klas), klas.this_week)
    assert before == after

    clock.next_week()
    released = _week(_export(client, klas, klas.this_week), klas.this_week)
    # The final answers (five at index 3.5, the edited one at 2.0), once, to one decimal.
    assert released["index"]["value"] == pytest.approx(round((5 * 3.5 + 2.0) / 6, 1))
    # After the week closed, a save goes to the new week: the release never moves.
    _save(klas, students[0], _answers(5))
    assert _week(_export(client, klas, klas.this_week), klas.this_week) == released


def test_the_eleventh_open_answer_is_not_singled_out(app, client, launch, clock):
    klas = teacher_klas(app, launch)
    students = add_students(klas, 11)
    seen = []
    for i, sid in enumerate(students):
        _save(klas, sid, _answers(3, text=f"antwoord {i}"))
        seen.append(_week(_export(client, klas), klas.this_week)["open_answers"])
    assert all(s == [] for s in seen)  # the 10th and the 11th: nothing to set-difference
    clock.next_week()
    batch = [a["text"] for a in _week(_export(client, klas, klas.this_week), klas.this_week)["open_answers"]]
    assert sorted(batch) == sorted(f"antwoord {i}" for i in range(11))
    assert all(a["student"] is None for a in _week(_export(client, klas, klas.this_week), klas.this_week)["open_answers"])


def test_switching_to_identified_and_re_saving_reveals_no_anonymous_answer(app, client, launch, clock, monkeypatch):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    klas = teacher_klas(app, launch)
    students = add_students(klas, 6)
    for sid in students[:5]:
        _save(klas, sid, _answers(2, text="geheim"))
    set_mode(klas, "identified")
    _save(klas, students[0], _answers(5, text="opnieuw"))  # re-save after the switch
    _save(klas, students[5], _answers(5))  # a first answer after the switch, same week
    with app.app_context():
        modes = set(db.session.execute(db.select(CheckinResponse.privacy_mode)).scalars())
    assert modes == {"anonymous"}  # the week keeps the mode its answers were given under
    data = _export(client, klas)
    this_week = _week(data, klas.this_week)
    assert this_week["responses"] == [] and this_week["index"]["status"] == "pending"
    raw = json.dumps(data)
    for sid in students:
        assert klas.name(sid) not in raw

    clock.next_week()
    _save(klas, students[1], _answers(4))  # next week: identified, as the teacher chose
    data = _export(client, klas)
    assert [r["student"] for r in data["weeks"][-1]["responses"]] == [klas.name(students[1])]
    closed = _week(data, klas.this_week)
    assert closed["responses"] == [] and all(a["student"] is None for a in closed["open_answers"])


def test_anonymous_check_ins_send_nothing_to_the_gradebook(app, client, launch, clock):
    klas = teacher_klas(app, launch)
    students = add_students(klas, 2)
    set_settings(app, klas.course_id, completion_to_gradebook=True, completion_lineitem_url="https://lms.example.org/li/1")
    for sid in students:
        with app.app_context():
            saved = operations.save_checkin(operations.Respondent(klas.course_id, sid, can_post_scores=True), _answers(3))
        assert saved.completion_queued is False
    with app.app_context():
        assert db.session.execute(db.select(OutboxEntry)).first() is None


# ---------------------------------------------------------------- the property
MOVES = st.lists(
    st.one_of(
        st.tuples(st.just("save"), st.integers(0, 6), st.integers(1, 5), st.booleans()),
        st.tuples(st.just("mode"), st.sampled_from(["anonymous", "identified"])),
        st.tuples(st.just("week")),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(moves=MOVES)
def test_no_anonymous_answer_can_be_derived_from_what_a_teacher_reads(app, client, launch, moves):
    """Whatever happens, a week answered anonymously shows the teacher at most one set of
    figures (its release, fixed at close) and never a name besides an opt-in; while it is
    open, nothing but counts. Two readings that differ by one answer never exist."""
    app.config["ERBIJ_ALLOW_IDENTIFIED"] = True
    offset = {"d": timedelta()}
    real_now = operations.now
    operations.now = lambda: real_now() + offset["d"]
    try:
        klas = teacher_klas(app, launch, course=f"prop-{uuid.uuid4().hex[:8]}")
        students = add_students(klas, 7)
        first_figures: dict[str, dict] = {}
        anonymous_weeks: set[str] = set()
        for move in moves:
            if move[0] == "save":
                _n, who, level, opt_in = move
                _save(klas, students[who], _answers(level, text=f"t{level}", opt_in=opt_in))
            elif move[0] == "mode":
                set_mode(klas, move[1])
            else:
                offset["d"] += timedelta(days=7)
            with app.app_context():
                rows = db.session.execute(
                    db.select(
                        CheckinResponse.week_start, CheckinResponse.privacy_mode, CheckinResponse.contact_opt_in, CheckinResponse.user_id
                    ).where(CheckinResponse.course_id == klas.course_id)
                ).all()
                current = operations.current_week(db.session.get(Course, klas.course_id)).start.isoformat()
            by_week: dict[str, set] = {}
            for start, mode, _o, _u in rows:
                by_week.setdefault(start.isoformat(), set()).add(mode)
            for start, modes in by_week.items():
                assert len(modes) == 1, "a week mixes privacy modes"
                if modes == {"anonymous"}:
                    anonymous_weeks.add(start)
            opted = {klas.name(u) for s, m, o, u in rows if o}
            data = _export(client, klas)
            for w in data["weeks"]:
                start = w["week_start"]
                if start not in anonymous_weeks:
                    continue
                assert w["responses"] == []
                assert all(a["student"] is None for a in w["open_answers"])
                assert set(w["contact_requests"]) <= opted
                figures = _figures(w)
                if start >= current:
                    assert figures["index"]["value"] is None and figures["open_answers"] == []
                    assert all(v["value"] is None for v in figures["items"].values())
                else:
                    first_figures.setdefault(start, figures)
                    assert figures == first_figures[start], "a released week changed"
    finally:
        operations.now = real_now
        app.config["ERBIJ_ALLOW_IDENTIFIED"] = False


def test_the_release_command_pins_a_week_at_close(app, client, launch, clock):
    """Run from cron, the release holds the answers of the moment the week closed."""
    klas = teacher_klas(app, launch)
    students = add_students(klas, 6)
    for sid in students:
        _save(klas, sid, _answers(4))
    clock.next_week()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["checkin", "release"])
    assert result.exit_code == 0 and "released weeks" in result.output
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(CheckinRelease.id))).scalar() == 1
    again = runner.invoke(args=["checkin", "release"])  # idempotent
    assert again.exit_code == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(CheckinRelease.id))).scalar() == 1
    week = _week(_export(client, klas, klas.this_week), klas.this_week)
    assert week["index"]["status"] == "value" and week["index"]["value"] == 3.5
