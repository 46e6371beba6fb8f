"""The export (CSV and JSON) holds exactly what the page shows: same students, values, hidden texts."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from .test_dashboard_support import (
    add_students,
    answer,
    close_week,
    get_dashboard,
    section,
    set_mode,
    teacher_klas,
    text_of,
)

LOW = {"B1": 2, "B2": 2, "S1": 2, "P1": 4, "C1": 2, "P2": 2, "A1": 3}
MID = {"B1": 4, "B2": 3, "S1": 4, "P1": 2, "C1": 4, "P2": 3, "A1": 3}


@pytest.fixture
def identified_allowed(app, monkeypatch):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)


def _export(client, klas, fmt, week=None):
    resp = client.get(f"/l/{klas.lid}/checkin/dashboard/export.{fmt}" + (f"?week={week.isoformat()}" if week else ""))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp


def _csv_rows(resp):
    body = resp.get_data(as_text=True).lstrip("\ufeff")
    delimiter = ";" if body.split("\r\n", 1)[0].count(";") > 1 else ","
    return list(csv.DictReader(io.StringIO(body), delimiter=delimiter))


def _page_people(page: str) -> set[str]:
    """Every name in "who might need you": the cards and the inline "contact?" list."""
    people = section(page, "people")
    names = {n.strip() for n in re.findall(r'<p class="person-name">\s*([^<]+?)\s*<', people)}
    inline = re.search(r'<ul class="people-inline">(.*?)</ul>', people, re.S)
    if inline:
        names |= set(re.findall(r"<li>([^<]+)</li>", inline.group(1)))
    return names


def _theme_values(page: str) -> list[str]:
    return re.findall(r'<td class="num"[^>]*>\s*<strong>([0-9.,]+)</strong>', section(page, "themes"))


def test_downloads_are_attachments_and_never_cached(app, client, launch):
    klas = teacher_klas(app, launch)
    for fmt, mimetype in (("csv", "text/csv"), ("json", "application/json")):
        resp = _export(client, klas, fmt)
        assert resp.mimetype == mimetype
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        assert f'.{fmt}"' in resp.headers["Content-Disposition"]
        assert resp.headers["Cache-Control"] == "no-store"
    assert client.get(f"/l/{klas.lid}/checkin/dashboard/export.xlsx").status_code == 404


def test_identified_export_matches_the_page(app, client, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 7)
    for back in (2, 1, 0):
        for sid in klas.ids[:5]:
            answer(klas, sid, klas.week(back), MID, mode="identified", text="graag uitleg" if back == 0 else None)
        answer(klas, klas.ids[5], klas.week(back), LOW, mode="identified", opt_in=back == 0)
    page = get_dashboard(client, klas)
    data = json.loads(_export(client, klas, "json").get_data(as_text=True))

    # Same students in "who might need you" as in the export's signals.
    assert _page_people(page) == {s["student"] for s in data["signals"]["students"]}
    assert klas.name(klas.ids[5]) in _page_people(page)
    assert klas.name(klas.ids[6]) in _page_people(page)  # never answered: contact?

    # Same class values (the page shows one decimal).
    week = data["weeks"][-1]
    exported = [week["index"]["value"]] + [week["items"][k]["value"] for k in ("B1", "B2", "S1", "P1", "C1", "P2", "A1")]
    assert _theme_values(page) == [f"{v:.1f}" for v in exported]
    assert week["items"]["B1"]["version"] == 1 and week["index"]["version"] == {"B1": 1, "B2": 1, "S1": 1, "P1": 1}

    # Same named responses and open answers.
    assert {r["student"] for r in week["responses"]} == {klas.name(s) for s in klas.ids[:6]}
    open_text = text_of(section(page, "open"))
    assert all(a["student"] in open_text and a["text"] in open_text for a in week["open_answers"])
    assert len(week["open_answers"]) == 5 and week["open_answers_hidden"] == 0

    rows = _csv_rows(_export(client, klas, "csv"))
    this_week = [r for r in rows if r["week_start"] == klas.this_week.isoformat()]
    assert {r["student"] for r in this_week if r["record"] == "response"} == {klas.name(s) for s in klas.ids[:6]}
    assert {r["student"] for r in this_week if r["record"] == "student_signal"} == _page_people(page)
    week_row = next(r for r in this_week if r["record"] == "week")
    assert week_row["index"] == f"{week['index']['value']:.1f}"
    assert week_row["item_versions"].startswith("B1:1 B2:1")


def test_anonymous_export_hides_what_the_page_hides(app, client, launch, monkeypatch):
    klas = teacher_klas(app, launch, locale="nl")
    add_students(klas, 9)
    for sid in klas.ids[:9]:
        answer(klas, sid, klas.this_week, MID, text='=HYPERLINK("http://x")', opt_in=sid == klas.ids[0])
    for sid in klas.ids[:4]:
        answer(klas, sid, klas.week(1), MID, text="vorige week")
    close_week(monkeypatch)  # the week is released when it closes
    page = get_dashboard(client, klas, klas.this_week)
    raw_json = _export(client, klas, "json", klas.this_week).get_data(as_text=True)
    data = json.loads(raw_json)

    assert "HYPERLINK" not in page and "HYPERLINK" not in raw_json and "vorige week" not in raw_json
    this_week, last_week = data["weeks"][-2], data["weeks"][-3]
    assert this_week["open_answers"] == [] and this_week["open_answers_hidden"] == 9
    assert last_week["open_answers_hidden"] == 4
    assert last_week["index"] == {"status": "too_few", "value": None, "respondents": 4, "version": {"B1": 1, "B2": 1, "S1": 1, "P1": 1}}
    assert all(v["value"] is None for v in last_week["items"].values())
    assert this_week["responses"] == [] and last_week["responses"] == []
    # The one name in both: the student who asked to talk.
    assert this_week["contact_requests"] == [klas.name(klas.ids[0])]
    assert _page_people(page) == {klas.name(klas.ids[0])}
    for sid in klas.ids[1:]:
        assert klas.name(sid) not in raw_json

    rows = _csv_rows(_export(client, klas, "csv", klas.this_week))
    assert {r["record"] for r in rows} == {"week", "contact_request", "student_signal"}
    listed = [r for r in rows if r["record"] == "student_signal"]
    assert [(r["student"], r["contact_request"], r["signals"]) for r in listed] == [(klas.name(klas.ids[0]), "yes", "")]
    last = next(r for r in rows if r["record"] == "week" and r["week_start"] == klas.week(1).isoformat())
    assert last["index"] == "" and last["B1"] == ""
    assert "Te weinig antwoorden" in last["note"] and "4 open antwoorden niet getoond" in last["note"]


def test_dutch_csv_opens_as_columns_in_excel(app, client, launch, monkeypatch):
    klas = teacher_klas(app, launch, locale="nl")
    add_students(klas, 5)
    for sid in klas.ids:
        answer(klas, sid, klas.this_week, MID)
    close_week(monkeypatch)
    body = _export(client, klas, "csv").get_data(as_text=True)
    assert body.startswith("\ufeffrecord;week_start;")
    week = next(r for r in _csv_rows(_export(client, klas, "csv")) if r["record"] == "week" and r["week_start"] == klas.this_week.isoformat())
    # One decimal, as on the page: finer figures would help a reader subtract answers.
    assert week["index"] == "3,8" and week["B2"] == "3,0"


def test_student_text_never_runs_as_a_spreadsheet_formula(app, client, launch, identified_allowed):
    klas = teacher_klas(app, launch)
    set_mode(klas, "identified")
    add_students(klas, 1)
    answer(klas, klas.ids[0], klas.this_week, MID, mode="identified", text="=cmd|' /C calc'!A0")
    rows = _csv_rows(_export(client, klas, "csv"))
    response = next(r for r in rows if r["record"] == "response")
    assert response["open_answer"] == "'=cmd|' /C calc'!A0"
    data = json.loads(_export(client, klas, "json").get_data(as_text=True))
    assert data["weeks"][-1]["responses"][0]["open_answer"] == "=cmd|' /C calc'!A0"  # JSON keeps the text as written
