"""The dashboard page itself: languages, week navigation, roster note, charts, empty states."""

from __future__ import annotations

import re
from datetime import timedelta

from lti_tool.extensions import cache, db
from lti_tool.models import Course

from .test_dashboard_support import (
    add_students,
    answer,
    close_week,
    dashboard_url,
    get_dashboard,
    section,
    serve_roster,
    teacher_klas,
    text_of,
)

LOWER = {"B1": 2, "B2": 3, "S1": 2, "P1": 4, "C1": 3, "P2": 2, "A1": 3}


def _class_with_history(app, launch, *, locale="en", weeks=4, n=6):
    klas = teacher_klas(app, launch, locale=locale)
    add_students(klas, n)
    for back in range(weeks):
        for sid in klas.ids:
            answer(klas, sid, klas.week(back), LOWER if back == 0 else None, text="Meer voorbeelden graag" if back == 0 else None)
    return klas


def test_english(app, client, launch, monkeypatch):
    klas = _class_with_history(app, launch, locale="en")
    close_week(monkeypatch)
    page = get_dashboard(client, klas, klas.this_week)
    assert '<html lang="en">' in page
    text = text_of(page)
    for phrase in (
        "Who might need you",
        "Class trend: Belonging and safety",
        "This week per theme",
        "What you can do",
        "Open answers",
        "Trends per theme",
        "Your reflection",
        "Download CSV",
        "lower is better",
    ):
        assert phrase in text, phrase
    assert "6 / 6" in text and "100%" in text
    assert "The group scores clearly lower on belonging and safety this week" in text  # class signal in words


def test_dutch(app, client, launch, monkeypatch):
    klas = _class_with_history(app, launch, locale="nl")
    close_week(monkeypatch)
    page = get_dashboard(client, klas, klas.this_week)
    assert '<html lang="nl">' in page
    text = text_of(page)
    for phrase in (
        "Wie heeft jou misschien nodig",
        "Verloop van de groep: Erbij horen en veiligheid",
        "Deze week per thema",
        "Wat je kunt doen",
        "Open antwoorden",
        "Verloop per thema",
        "Jouw reflectie",
        "CSV downloaden",
        "lager is beter",
        "Niet durven",
        "Vorige week",
    ):
        assert phrase in text, phrase
    assert "De groep scoort deze week duidelijk lager" in text
    # Numbers the Dutch way, and no English left in the interface.
    assert re.search(r"\b[1-5],[0-9]\b", text)
    for english in ("Who might need you", "Previous week", "What you can do", "too few answers", "Show as a table"):
        assert english not in text, english


def test_week_navigation(app, client, launch):
    klas = _class_with_history(app, launch, weeks=3)
    page = get_dashboard(client, klas)
    assert f'href="{dashboard_url(klas, klas.week(1))}"' in page
    assert re.search(r'<span class="button[^"]*" aria-disabled="true">Next week', page)

    middle = get_dashboard(client, klas, klas.week(1))
    assert f"Week {klas.week(1).isocalendar()[1]}" in text_of(middle)
    assert f'href="{dashboard_url(klas, klas.week(2))}"' in middle
    assert f'href="{dashboard_url(klas, klas.this_week)}"' in middle  # next week = this week
    assert ">This week</a>" in middle

    first = get_dashboard(client, klas, klas.week(2))
    assert re.search(r'<span class="button[^"]*" aria-disabled="true">.*?Previous week', first, re.S)


def test_weeks_outside_the_course_or_malformed_are_not_found(app, client, launch):
    klas = _class_with_history(app, launch, weeks=2)
    wednesday = klas.this_week + timedelta(days=2)
    for bad in ("2026-13-01", "yesterday", wednesday.isoformat()):
        assert client.get(f"{dashboard_url(klas)}?week={bad}").status_code == 404, bad
    get_dashboard(client, klas, klas.week(-1), status=404)  # the future
    get_dashboard(client, klas, klas.week(5), status=404)  # before the first answer


def test_the_roster_is_synced_on_launch_and_its_time_shown(app, client, launch, platform, rsps):
    klas = teacher_klas(app, launch)
    add_students(klas, 4)
    listed = klas.students[:3]
    klas.students = listed  # the LMS lists three of the four
    serve_roster(rsps, platform, klas)
    for sid, _sub, _name in listed:
        answer(klas, sid, klas.this_week)
    # The teacher's next launch, a minute later (the first one's page found no roster
    # service, and a failed sync is not retried within the minute), syncs it.
    with app.app_context():
        cache.delete(f"roster-failed:{klas.course_id}")
    klas.lid = teacher_klas(app, launch).lid
    text = text_of(get_dashboard(client, klas))
    assert "3 / 3" in text
    assert "Class list of" in text
    assert "could not be reached" not in text
    with app.app_context():
        assert db.session.get(Course, klas.course_id).roster_synced_at is not None


def test_a_platform_that_is_down_leaves_a_note_and_the_page_works(app, client, launch, platform, rsps):
    klas = teacher_klas(app, launch)
    add_students(klas, 5)
    rsps.post(platform.token_url, status=503)
    for sid in klas.ids:
        answer(klas, sid, klas.this_week)
    text = text_of(get_dashboard(client, klas))
    assert "Your LMS could not be reached" in text
    assert "5 / 5" in text
    # The failure is remembered for a while: the next click does not wait for the LMS again.
    calls = len(rsps.calls)
    get_dashboard(client, klas, klas.this_week)
    assert len(rsps.calls) == calls


def test_a_launch_without_the_roster_service_says_so(app, client, launch):
    klas = teacher_klas(app, launch, claims={"https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": None})
    assert "does not share its class list" in text_of(get_dashboard(client, klas))


def test_answers_of_students_who_left_are_counted_apart(app, client, launch):
    klas = teacher_klas(app, launch)
    add_students(klas, 5)
    with app.app_context():
        from lti_tool.models import Membership

        db.session.execute(db.update(Membership).where(Membership.user_id == klas.ids[0]).values(active=False))
        db.session.commit()
    for sid in klas.ids:
        answer(klas, sid, klas.this_week)
    text = text_of(get_dashboard(client, klas))
    assert "4 / 4" in text
    assert "Plus 1 answer from a student no longer on the list." in text


def test_an_empty_course_explains_what_happens_next(app, client, launch):
    klas = teacher_klas(app, launch)
    text = text_of(get_dashboard(client, klas))
    assert "No check-ins yet" in text
    assert "No answers yet" in text
    assert "never as a low score" in text


def test_the_page_keeps_the_content_security_policy(app, client, launch):
    page = get_dashboard(client, _class_with_history(app, launch))
    assert not re.search(r"\sstyle=", page)
    assert "<script" not in page
    assert not re.search(r"\son[a-z]+=", page)
    assert "http://" not in page.replace("http://www.w3.org", "")


def test_charts_are_accessible_and_have_a_data_table(app, client, launch, monkeypatch):
    klas = teacher_klas(app, launch)
    add_students(klas, 6)
    for sid in klas.ids:
        answer(klas, sid, klas.week(3))
        answer(klas, sid, klas.this_week)
    for sid in klas.ids[:2]:  # two answers two weeks ago: too few to show
        answer(klas, sid, klas.week(2))
    close_week(monkeypatch)
    page = get_dashboard(client, klas, klas.this_week)
    svgs = re.findall(r"<svg class=\"dash-chart\"[^>]*>.*?</svg>", page, re.S)
    assert len(svgs) == 8  # the index and seven themes
    for svg in svgs:
        assert 'role="img"' in svg and "aria-labelledby=" in svg
        assert re.search(r"<title id=[^>]*>[^<]+</title>", svg) and re.search(r"<desc id=[^>]*>[^<]+</desc>", svg)
    trend = section(page, "trend")
    assert "One week had too few answers to show." in text_of(trend)
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", trend, re.S)
    status = {week.strip(): value.strip() for week, value, _n in rows}
    assert status[f"Week {klas.week(2).isocalendar()[1]}"] == "too few answers"
    assert status[f"Week {klas.week(1).isocalendar()[1]}"] == "no answers"
    assert status[f"Week {klas.this_week.isocalendar()[1]}"] == "4.0"
    # The too-few week is drawn as a band, never as a point: 2 points for 4 weeks.
    index_svg = svgs[0]
    assert len(re.findall(r"<circle ", index_svg)) == 2
    assert len(re.findall(r'stroke-dasharray="3 3"', index_svg)) == 1


def test_trends_only_compare_the_same_wording(app, client, launch, monkeypatch):
    klas = teacher_klas(app, launch)
    add_students(klas, 5)
    new_b1 = {"B1": 2, "B2": 1, "S1": 1, "P1": 1, "C1": 1, "P2": 1, "A1": 1}
    for back in (3, 2, 1):
        for sid in klas.ids:
            answer(klas, sid, klas.week(back), {"B1": 5, "B2": 4, "S1": 4, "P1": 2, "C1": 4, "P2": 4, "A1": 3})
    for sid in klas.ids:
        answer(klas, sid, klas.this_week, {"B1": 2, "B2": 4, "S1": 4, "P1": 2, "C1": 4, "P2": 4, "A1": 3}, versions=new_b1)
    close_week(monkeypatch)
    page = get_dashboard(client, klas, klas.this_week)
    themes = text_of(section(page, "themes"))
    b1_row = themes[themes.index("Belonging B1") : themes.index("Teacher relationship")]
    assert "Not enough earlier weeks to compare with." in b1_row  # 5.0 -> 2.0 is a new question, not a drop
    b2_row = themes[themes.index("Teacher relationship B2") : themes.index("Safety S1")]
    assert "About the same as the previous 3 weeks" in b2_row
    b1_svg = re.search(r'<svg class="dash-chart"[^>]*aria-labelledby="trend-B1-title.*?</svg>', page, re.S).group(0)
    assert len(re.findall(r"<polyline ", b1_svg)) == 1  # old wording joined; the new week stands alone
    assert "B1 v2" in text_of(section(page, "trend"))  # the index table names the mixed wording
