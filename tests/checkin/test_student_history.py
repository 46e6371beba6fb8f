"""The student's own history: charts and table of their weeks, and what the teacher sees."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from lti_tool.checkin import operations
from lti_tool.checkin.student import CHART_WEEKS, history_chart
from lti_tool.checkin.weeks import week_of

from .test_student_support import (
    ANSWERS,
    OTHER_ANSWERS,
    course_id_of,
    landmark_names,
    open_form,
    set_course,
    submit,
    text_of,
)

WED = {  # Wednesdays of four weeks in a row (weeks 45 to 48 of 2026)
    45: datetime(2026, 11, 4, 10),
    46: datetime(2026, 11, 11, 10),
    47: datetime(2026, 11, 18, 10),
    48: datetime(2026, 11, 25, 10),
}


def _at(monkeypatch, when):
    monkeypatch.setattr(operations, "now", lambda: when)


def _history(client, lid) -> str:
    resp = client.get(f"/l/{lid}/checkin/history")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _table_rows(page: str) -> dict[str, list[str]]:
    """The data table as {"week 47": [index, B1, …, A1]} ({"week 46": ["no response"]} for a
    week without one), read back from statements-down, weeks-across with a rowspan gap."""
    table = re.search(r'<table class="history-table">(.*?)</table>', page, re.S).group(1)
    weeks = [f"week {n}" for n in re.findall(r'<th scope="col" class="week-col">.*?</span>(\d+)<', table, re.S)]
    body_rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    columns: dict[str, list[str]] = {w: [] for w in weeks}
    first = re.findall(r"<td([^>]*)>(.*?)</td>", body_rows[0], re.S)
    answered = []
    for week, (attrs, cell) in zip(weeks, first, strict=True):
        columns[week].append(text_of(cell))
        if "rowspan" not in attrs:
            answered.append(week)
    for row in body_rows[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert len(cells) == len(answered)
        for week, cell in zip(answered, cells, strict=True):
            columns[week].append(text_of(cell))
    return columns


def test_history_shows_weeks_with_charts_and_a_table_and_no_response_is_not_zero(launch, client, monkeypatch):
    lid = launch("learner").lid
    _at(monkeypatch, WED[45])
    submit(client, lid, ANSWERS)
    _at(monkeypatch, WED[47])
    submit(client, lid, OTHER_ANSWERS)
    page = _history(client, lid)

    rows = _table_rows(page)
    assert list(rows) == ["week 47", "week 46", "week 45"]  # newest first
    # Index: (B1 4 + B2 3 + S1 5 + (6 - P1 2)) / 4 = 4.0, then the seven answers as given.
    assert rows["week 45"] == ["4,0", "4", "3", "5", "2", "4", "3", "2"]
    assert rows["week 46"] == ["geen reactie"]
    assert "0" not in rows["week 46"]
    assert rows["week 47"][1:] == ["2", "2", "1", "5", "1", "1", "5"]

    # Every chart is an image with a name and a description, drawn without scripts or style.
    svgs = re.findall(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert len(svgs) == 8  # the index and the seven statements
    for svg in svgs:
        chart_id = re.search(r'aria-labelledby="([\w-]+)-title \1-desc"', svg).group(1)
        assert 'role="img"' in svg
        assert f'<title id="{chart_id}-title">' in svg and f'<desc id="{chart_id}-desc">' in svg
        assert "style=" not in svg
    index_svg = svgs[0]
    assert index_svg.count("<circle") == 2  # two answered weeks; the missing week is a gap
    assert "<polyline" not in index_svg  # no line drawn across the missing week
    assert "week 46: geen reactie" in index_svg
    assert "No dot" not in page and "Geen stip betekent" in page


def test_index_is_shown_with_one_decimal(launch, client, monkeypatch):
    lid = launch("learner", locale="en").lid
    _at(monkeypatch, WED[47])
    submit(client, lid, {**ANSWERS, "B1": "5", "B2": "4", "S1": "4", "P1": "1"})  # (5+4+4+5)/4 = 4.5
    assert _table_rows(_history(client, lid))["week 47"][0] == "4.5"


def test_history_says_what_the_teacher_sees_per_week(app, launch, client, monkeypatch):
    lid = launch("learner", locale="en").lid
    _at(monkeypatch, WED[46])
    submit(client, lid, ANSWERS, O1="yes", Q="More practice")
    set_course(app, course_id_of(app, lid), privacy_mode="identified")
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    _at(monkeypatch, WED[47])
    submit(client, lid, ANSWERS)
    page = _history(client, lid)
    sees = dict(
        (text_of(dt), text_of(dd)) for dt, dd in re.findall(r'<div class="sees-row">\s*<dt>(.*?)</dt>\s*<dd>(.*?)</dd>', page, re.S)
    )
    week46 = next(v for k, v in sees.items() if k.startswith("week 46"))
    week47 = next(v for k, v in sees.items() if k.startswith("week 47"))
    # Week 46 was answered anonymously, alone: the teacher sees nothing of the answers,
    # only the contact request, with the name. The later switch reveals nothing.
    assert week46.startswith("Given anonymously.")  # the mode it was given under, for good
    assert "Nothing of your answers: fewer than 5 students answered." in week46
    assert "Your request to talk, with your name." in week46
    assert week47.startswith("Given with your name. Your answers, with your name.")


def test_anonymous_week_with_enough_classmates_shows_group_results(app, launch, client, new_browser, monkeypatch):
    _at(monkeypatch, WED[47])
    me = launch("learner", locale="en").lid
    submit(client, me, ANSWERS, Q="my idea")
    for k in range(2, 6):  # four classmates: five anonymous respondents in all
        b = new_browser()
        submit(b, launch("learner", user=f"student-{k}", browser=b).lid, OTHER_ANSWERS)
    text = text_of(_history(client, me))
    assert "Nothing yet: group results appear after the week closes" in text  # this week is still open
    _at(monkeypatch, WED[48])
    text = text_of(_history(client, me))
    assert "Given anonymously. Only group results, without your name." in text
    assert "Not your open answer: fewer than 10 students answered." in text


def test_a_student_never_sees_another_students_answers(app, launch, client, new_browser, monkeypatch):
    _at(monkeypatch, WED[47])
    first = launch("learner", user="student-1").lid
    submit(client, first, ANSWERS, O1="yes", Q="Geheim idee van student een")

    other = new_browser()
    second = launch("learner", user="student-2", browser=other)
    # Their launch lands on an empty form, not on the first student's answers.
    assert second.path == f"/l/{second.lid}/checkin/week"
    page = second.response.get_data(as_text=True)
    assert "checked" not in page
    assert "Geheim idee" not in page
    assert other.get(f"/l/{second.lid}/checkin/week/done").status_code == 302
    history = _history(other, second.lid)
    assert "Geheim idee" not in history
    assert "Je hebt in deze cursus nog geen check-in ingevuld." in history
    assert "<svg" not in history
    # And the first student's history is still only theirs.
    assert "Geheim idee" not in _history(client, first)  # open text is not repeated in the history
    assert len(_table_rows(_history(client, first))) == 1


def test_history_is_scoped_to_the_course(app, launch, client, monkeypatch):
    _at(monkeypatch, WED[47])
    lid_a = launch("learner", course="course-a").lid
    submit(client, lid_a, ANSWERS)
    lid_b = launch("learner", course="course-b").lid
    assert "nog geen check-in" in _history(client, lid_b)
    assert "checked" not in open_form(client, lid_b)


def test_history_landmarks_have_distinct_names(launch, client, monkeypatch):
    """axe landmark-unique: the table's scroll box (a focusable region) is not named like its section."""
    lid = launch("learner", locale="en").lid
    _at(monkeypatch, WED[47])
    submit(client, lid, ANSWERS)
    page = _history(client, lid)
    names = landmark_names(page)
    assert ("region", "Week by week") in names
    assert ("region", "Table: your answers per week") in names
    assert len(names) == len(set(names)), names
    assert re.search(r'<div class="table-wrap" tabindex="0" role="region" aria-label="[^"]+">\s*<table', page)
    done = client.get(f"/l/{lid}/checkin/week/done").get_data(as_text=True)
    assert len(landmark_names(done)) == len(set(landmark_names(done)))


def test_links_on_their_own_line_are_comfortable_targets(launch, client, monkeypatch):
    """ "See your earlier check-ins" and "Back to this week's check-in" stand alone (no
    sentence around them): WCAG 2.5.8 wants ≥ 24×24 px; our rule for touch is 44 px."""
    lid = launch("learner").lid
    _at(monkeypatch, WED[47])
    assert re.search(r'<p class="history-link"><a href="[^"]+/checkin/history">', open_form(client, lid))
    assert re.search(r'<p class="history-link"><a href="[^"]+/checkin/">', _history(client, lid))
    css = (Path(__file__).parents[2] / "lti_tool/static/checkin.css").read_text()
    rule = re.search(r"\.history-link a\s*\{([^}]*)\}", css).group(1)
    assert "inline-flex" in rule or "inline-block" in rule  # an inline link's box is only the text's height
    assert float(re.search(r"min-height:\s*([\d.]+)rem", rule).group(1)) >= 1.5


# ---------------------------------------------------------------- the chart geometry
@pytest.fixture
def request_ctx(app):
    with app.test_request_context():
        yield


def _weeks(n):
    return [week_of(date(2026, 11, 2) + timedelta(days=7 * k), "Europe/Amsterdam") for k in range(n)]


def test_history_chart_breaks_at_missing_weeks_and_version_changes(request_ctx):
    weeks = _weeks(5)
    chart = history_chart("c", "t", weeks, [4, 5, None, 3, 2], series=[1, 1, None, 1, 2])
    assert [p.y is None for p in chart.points] == [False, False, True, False, False]
    # 4-5 joined; the gap breaks it; 3 and 2 are different wordings: not joined.
    assert len(chart.segments) == 1 and chart.segments[0].count(",") == 2
    top, bottom = chart.top, chart.bottom
    assert chart.points[1].y == top  # 5 at the top
    assert chart.points[4].y == pytest.approx(bottom - (bottom - top) / 4)  # 2 a quarter up
    assert chart.points[0].x < chart.points[1].x < chart.points[4].x


def test_history_chart_of_one_week_is_a_centred_point(request_ctx):
    chart = history_chart("c", "t", _weeks(1), [3])
    assert chart.segments == ()
    assert chart.points[0].x == pytest.approx((chart.left + chart.right) / 2)


def test_history_chart_leaves_room_for_large_labels(request_ctx):
    """On a phone checkin.css draws the labels up to 17 viewBox units high (the chart is
    scaled to ~265 px): the week numbers must still fit inside the viewBox, clear of the dots."""
    for height in (150, 110):
        chart = history_chart("c", "t", _weeks(CHART_WEEKS), [3] * CHART_WEEKS, height=height)
        half_label = 17 * 0.6  # half of a two-digit number at 17 units
        assert chart.points[-1].x + half_label <= chart.width
        assert chart.points[0].x - half_label >= 0
        assert chart.height - chart.bottom >= 4.5 + 17  # a dot at 1, then the label below it
        gap = chart.points[1].x - chart.points[0].x
        assert gap >= 2 * half_label + 6  # neighbouring week numbers never touch
        assert all(p.show_label for p in chart.points)  # and every week keeps its number
        # The 1-5 labels end 10 units left of the plot (_chart.html), clear of a first-week
        # dot (r 4.5), and even at 17 units they start inside the viewBox.
        assert chart.left - 10 >= 17 * 0.6 + 2


def test_chart_labels_grow_as_the_chart_gets_narrower(launch, client, monkeypatch):
    lid = launch("learner").lid
    _at(monkeypatch, WED[47])
    submit(client, lid, ANSWERS)
    page = _history(client, lid)
    for svg in re.findall(r'<div class="chart-box">\s*<svg.*?</svg>\s*</div>', page, re.S):
        assert all('class="chart-label"' in t for t in re.findall(r"<text[^>]*>", svg))
    assert len(re.findall(r'<div class="chart-box">', page)) == 8
    css = (Path(__file__).parents[2] / "lti_tool/static/checkin.css").read_text()
    assert re.search(r"\.chart-box\s*\{[^}]*container-type:\s*inline-size", css)
    sizes = {float(px) for px in re.findall(r"@container[^{]*\{\s*\.chart-label\s*\{\s*font-size:\s*([\d.]+)px", css)}
    assert max(sizes) >= 16  # the narrowest boxes (a phone) get the largest units
