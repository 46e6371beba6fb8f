"""What the teacher sees, by privacy mode: thresholds, names, signals, and the mode switch."""

from __future__ import annotations

import json
import re

import pytest

from lti_tool.checkin.privacy import MIN_ITEM_RESPONDENTS, MIN_OPEN_TEXT_RESPONDENTS

from .test_dashboard_support import add_students, answer, close_week, get_dashboard, section, set_mode, teacher_klas, text_of

LOW = {"B1": 2, "B2": 2, "S1": 2, "P1": 4, "C1": 3, "P2": 3, "A1": 3}  # index 2.0
UNSAFE = {"B1": 4, "B2": 4, "S1": 1, "P1": 2, "C1": 4, "P2": 4, "A1": 3}  # index 3.5, S1 low
HIGH = {"B1": 5, "B2": 5, "S1": 5, "P1": 1, "C1": 5, "P2": 5, "A1": 4}  # index 5.0
DROPPED = {"B1": 3, "B2": 4, "S1": 3, "P1": 3, "C1": 4, "P2": 4, "A1": 3}  # index 3.25


@pytest.fixture
def identified_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)


def _values_shown(page: str) -> list[str]:
    """Numbers in the "this week per theme" table's value column (e.g. "3.6")."""
    return re.findall(r'<td class="num"[^>]*>\s*<strong>([0-9.,]+)</strong>', section(page, "themes"))


def _week_with(client, app, launch, n: int, *, texts: bool = True):
    """``n`` anonymous answers this week; the page of that week once it closed."""
    klas = teacher_klas(app, launch)
    add_students(klas, 12)
    for i, sid in enumerate(klas.ids[:n]):
        answer(klas, sid, klas.this_week, text=f"geheime tekst {i}" if texts else None)
    with pytest.MonkeyPatch.context() as mp:
        close_week(mp)
        return klas, get_dashboard(client, klas, klas.this_week)


def test_anonymous_with_four_respondents_shows_no_item_values_and_no_open_text(app, client, launch):
    assert MIN_ITEM_RESPONDENTS == 5
    klas, page = _week_with(client, app, launch, 4)
    assert _values_shown(page) == []
    themes = text_of(section(page, "themes"))
    assert "too few answers" in themes
    assert "4 students answered this week. Group results need at least 5" in themes
    assert "Too few answers" in text_of(page)  # the class index in the strip
    assert "geheime tekst" not in page
    assert "4 open answers are not shown." in text_of(section(page, "open"))
    # The response count itself is no secret: it is shown.
    assert "4 / 12" in text_of(page)


def test_anonymous_with_nine_respondents_shows_item_values_but_no_verbatim_text(app, client, launch):
    klas, page = _week_with(client, app, launch, MIN_OPEN_TEXT_RESPONDENTS - 1)
    assert len(_values_shown(page)) == 8  # the index and seven items
    assert "geheime tekst" not in page
    assert "9 open answers are not shown." in text_of(section(page, "open"))


def test_anonymous_with_ten_respondents_shows_open_text_without_names(app, client, launch):
    klas, page = _week_with(client, app, launch, MIN_OPEN_TEXT_RESPONDENTS)
    open_part = section(page, "open")
    for i in range(10):
        assert f"geheime tekst {i}" in open_part
    assert "Student 0" not in open_part and "Student 1" not in open_part
    assert "not shown" not in open_part


def test_anonymous_open_answers_come_as_one_batch_that_names_no_one(app, client, launch, monkeypatch):
    klas = teacher_klas(app, launch)
    add_students(klas, 10)
    texts = ["zebra", "appel", "Mango", "banaan", "kiwi", "druif", "citroen", "peer", "limoen", "vijg"]
    for sid, t in zip(klas.ids, texts, strict=True):
        answer(klas, sid, klas.this_week, text=t)
    assert "<q>" not in section(get_dashboard(client, klas), "open")  # open week: nothing yet
    close_week(monkeypatch)
    shown = re.findall(r"<q>(.*?)</q>", section(get_dashboard(client, klas, klas.this_week), "open"))
    assert sorted(shown) == sorted(texts)
    # The release is fixed: the same order on every reading (no reshuffle to compare).
    again = re.findall(r"<q>(.*?)</q>", section(get_dashboard(client, klas, klas.this_week), "open"))
    assert again == shown


def _history(klas, user_id, weeks_back_to_answers, mode="identified"):
    for back, answers in weeks_back_to_answers.items():
        if answers is not None:
            answer(klas, user_id, klas.week(back), answers, mode=mode)


def _identified_class(app, launch):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 6)
    drop, low, unsafe, quiet, fine, opted = klas.ids
    _history(klas, drop, {3: HIGH, 2: HIGH, 1: HIGH, 0: DROPPED})
    _history(klas, low, {2: HIGH, 1: LOW, 0: LOW})
    _history(klas, unsafe, {1: UNSAFE, 0: UNSAFE})
    _history(klas, quiet, {3: HIGH, 2: HIGH})  # nothing last week nor this week
    _history(klas, fine, {2: HIGH, 1: HIGH, 0: HIGH})
    answer(klas, opted, klas.week(1), HIGH, mode="identified")
    answer(klas, opted, klas.this_week, HIGH, mode="identified", opt_in=True)
    return klas


def _person_block(people_html: str, name: str) -> str:
    m = re.search(
        rf'<li class="person[^"]*">\s*<div class="person-head">\s*<p class="person-name">\s*{name}\b.*?</li>\s*(?=<li class="person|</ul>)',
        people_html,
        re.S,
    )
    assert m, f"{name} not listed"
    return text_of(m.group(0))


def _asked_to_talk(people_html: str) -> str:
    """The text of the "Asked to talk" list (the group heading says it; cards carry no badge there)."""
    start = people_html.index('<h3 class="people-group">')
    end = people_html.find('<h3 class="people-group">', start + 1)
    return text_of(people_html[start : end if end != -1 else None])


def test_identified_mode_lists_signals_with_the_right_reasons(app, client, launch, identified_allowed):
    klas = _identified_class(app, launch)
    drop, low, unsafe, quiet, fine, opted = klas.ids
    people = section(get_dashboard(client, klas), "people")

    assert "Belonging and safety is clearly lower this week than in the weeks before." in _person_block(people, klas.name(drop))
    low_text = _person_block(people, klas.name(low))
    assert "Belonging and safety was low in at least two of the last three weeks (answered every week), even if this week was better." in low_text
    assert "Has not felt safe enough to ask a question or make a mistake for two weeks running." in _person_block(people, klas.name(unsafe))
    quiet_part = text_of(people[people.index("Contact?") :])
    assert klas.name(quiet) in quiet_part
    assert "No answer for two weeks — time to check in?" in quiet_part
    assert klas.name(fine) not in text_of(people)
    assert klas.name(opted) in _asked_to_talk(people)


def test_identified_signals_match_the_core_codes_in_the_export(app, client, launch, identified_allowed):
    klas = _identified_class(app, launch)
    drop, low, unsafe, quiet, fine, opted = klas.ids
    data = json.loads(client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True))
    codes = {s["student"]: [c["code"] for c in s["signals"]] for s in data["signals"]["students"]}
    assert "drop" in codes[klas.name(drop)]
    assert "persistent_low" in codes[klas.name(low)]
    assert "item_low:S1" in codes[klas.name(unsafe)]
    assert codes[klas.name(quiet)] == ["no_response"]
    assert codes[klas.name(opted)] == []
    assert klas.name(fine) not in codes


def test_anonymous_mode_lists_only_the_students_who_asked_to_talk(app, client, launch):
    klas = teacher_klas(app, launch)
    add_students(klas, 8)
    asking, *others = klas.ids
    for back in range(3):
        for sid in others:
            answer(klas, sid, klas.week(back), LOW)  # would be persistent_low if identified
    answer(klas, asking, klas.this_week, LOW, opt_in=True)
    page = get_dashboard(client, klas)
    people_html = section(page, "people")
    people = text_of(people_html)
    assert klas.name(asking) in _asked_to_talk(people_html)
    for sid in others:
        assert klas.name(sid) not in page
    assert "This course is anonymous" in people
    assert "Belonging and safety was low" not in people  # no individual reasons
    # The class itself may still have signals; they name nobody.
    assert "Signals" not in re.findall(r'<h3 class="people-group">([^<]*)', section(page, "people"))


def test_identified_in_the_course_but_not_allowed_by_the_institution_is_anonymous(app, client, launch):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 3)
    for sid in klas.ids:
        answer(klas, sid, klas.this_week, LOW, mode="identified", text="met naam?")
    page = get_dashboard(client, klas)
    assert "Student 01" not in page and "met naam?" not in page
    assert "Anonymous" in text_of(page)


def test_a_switch_to_identified_does_not_reveal_answers_given_anonymously(app, client, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    add_students(klas, 6)
    # Last week the course was anonymous: six anonymous answers, with open texts.
    for i, sid in enumerate(klas.ids):
        answer(klas, sid, klas.week(1), HIGH, text=f"anoniem gezegd {i}", mode="anonymous")
    set_mode(klas, "identified")
    # This week: three students answer in identified mode, one of them much lower.
    for sid in klas.ids[:3]:
        answer(klas, sid, klas.this_week, DROPPED if sid == klas.ids[0] else HIGH, mode="identified")

    last_week = get_dashboard(client, klas, klas.week(1))
    assert "anoniem gezegd" not in last_week  # six respondents < 10: counted, not shown
    for sid in klas.ids:
        assert klas.name(sid) not in section(last_week, "people")
        assert klas.name(sid) not in section(last_week, "open")

    page = get_dashboard(client, klas)
    people = text_of(section(page, "people"))
    # The drop against last week's anonymous answer would need that answer: no signal.
    assert "clearly lower" not in people
    # Students who answered anonymously last week are not "no response" either.
    assert "Contact?" not in people
    data = json.loads(client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True))
    previous = next(w for w in data["weeks"] if w["week_start"] == klas.week(1).isoformat())
    assert previous["responses"] == []
    assert previous["open_answers"] == [] and previous["open_answers_hidden"] == 6
    current = next(w for w in data["weeks"] if w["week_start"] == klas.this_week.isoformat())
    assert sorted(r["student"] for r in current["responses"]) == sorted(klas.name(s) for s in klas.ids[:3])


def test_a_mixed_week_never_hides_one_anonymous_answer_among_named_ones(app, client, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 6)
    for sid in klas.ids[:5]:
        answer(klas, sid, klas.this_week, HIGH, mode="identified")
    answer(klas, klas.ids[5], klas.this_week, LOW, mode="anonymous", text="alleen ik")
    page = get_dashboard(client, klas)
    # Five named answers are visible per student, but a class mean would give away the
    # sixth (anonymous) answer exactly: so no class values this week.
    assert _values_shown(page) == []
    assert "alleen ik" not in page
    data = json.loads(client.get(f"/l/{klas.lid}/checkin/dashboard/export.json").get_data(as_text=True))
    week = data["weeks"][-1]
    assert week["index"]["status"] == "too_few" and week["index"]["value"] is None
    assert len(week["responses"]) == 5
    assert klas.name(klas.ids[5]) not in json.dumps(data)


def test_a_switch_back_to_anonymous_keeps_old_named_answers_from_unmasking_new_ones(app, client, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 5)
    for sid in klas.ids[:4]:
        answer(klas, sid, klas.this_week, HIGH, mode="identified")
    set_mode(klas, "anonymous")
    answer(klas, klas.ids[4], klas.this_week, LOW, mode="anonymous")
    page = get_dashboard(client, klas)
    # Five answers, but only one given anonymously: its crowd is the four the teacher saw by name.
    assert _values_shown(page) == []
    for sid in klas.ids:
        assert klas.name(sid) not in page


def test_contact_requests_carry_the_name_in_both_modes(app, client, launch, identified_allowed):
    for mode in ("anonymous", "identified"):
        klas = teacher_klas(app, launch, course=f"course-{mode}")
        set_mode(klas, mode)
        add_students(klas, 2, prefix=f"Leerling {mode}")
        answer(klas, klas.ids[0], klas.this_week, HIGH, mode=mode, opt_in=True)
        answer(klas, klas.ids[1], klas.this_week, HIGH, mode=mode)
        people = text_of(section(get_dashboard(client, klas), "people"))
        assert f"Leerling {mode} 01" in people
        assert f"Leerling {mode} 02" not in people
