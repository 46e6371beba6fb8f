"""The student's check-in page: a real LTI launch, the form, saving, errors, who sees what."""

from __future__ import annotations

import re
import threading
from datetime import datetime
from pathlib import Path

import pytest

from lti_tool.checkin import items, operations

from .test_student_support import (
    ANSWERS,
    OTHER_ANSWERS,
    all_responses,
    as_ints,
    checked,
    course_id_of,
    csrf_token,
    form_url,
    landmark_names,
    open_form,
    set_course,
    set_settings,
    submit,
    text_of,
    textarea,
    visible_text,
)

SCALE = ("B1", "B2", "S1", "P1", "C1", "P2", "A1")
ANON_EN = (
    "Your teacher sees only group results, never your name; open answers only when at least "
    "10 classmates answered. Your contact request is shown with your name."
)
ANON_NL = (
    "Je docent ziet alleen groepsresultaten, nooit je naam; open antwoorden alleen als minstens "
    "10 klasgenoten hebben geantwoord. Je verzoek om contact wordt met je naam getoond."
)
IDENT_EN = "Your teacher sees your answers with your name, including your open answer and your contact request."
IDENT_NL = "Je docent ziet je antwoorden met je naam erbij, ook je open antwoord en je verzoek om contact."


@pytest.fixture(autouse=True)
def _midweek(monkeypatch):
    # A Wednesday: far from the week's edges unless a test moves the clock.
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 18, 10, 0))


def _fieldsets(page: str) -> dict[str, str]:
    return dict(re.findall(r'<fieldset[^>]*id="item-(\w+)"[^>]*>(.*?)</fieldset>', page, re.S))


# ---------------------------------------------------------------- the form
def test_learner_launch_shows_the_form_in_dutch(launch):
    resp = launch("learner")
    assert resp.response.status_code == 200
    assert resp.path == form_url(resp.lid)
    page = resp.response.get_data(as_text=True)
    assert '<html lang="nl">' in page
    text = text_of(page)
    assert "Nederlands 2" in text  # the course
    assert ANON_NL in text
    assert "Overslaan mag" in text  # skipping has no consequence, said in so many words
    fieldsets = _fieldsets(page)
    assert list(fieldsets) == list(SCALE)
    for item_id, body in fieldsets.items():
        assert "<legend>" in body and "Deze week in Nederlands 2" in body
        radios = re.findall(rf'<input type="radio" id="{item_id}-(\d)" name="{item_id}" value="(\d)"', body)
        assert radios == [(str(v), str(v)) for v in range(1, 6)]
        assert body.count("<label") == 5  # the whole option is a label
        assert "helemaal niet waar" in body and "helemaal waar" in body
    assert re.search(r'<input type="checkbox" id="O1" name="O1" value="yes"', page)
    assert re.search(r'<textarea id="Q" name="Q"', page)
    assert 'name="csrf_token"' in page
    assert checked(page, "B1") is None and checked(page, "O1") is None


def test_learner_launch_in_english(launch):
    page = launch("learner", locale="en").response.get_data(as_text=True)
    assert '<html lang="en">' in page
    text = text_of(page)
    assert ANON_EN in text
    assert "This week in Nederlands 2, I felt that I really belonged in the group." in text
    assert "not at all true" in text and "completely true" in text
    assert "I would like my teacher to have a short chat with me this week." in text
    assert "Skipping is fine" in text


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_stem_is_shown_once_and_every_legend_is_still_a_whole_sentence(launch, locale):
    page = launch("learner", locale=locale).response.get_data(as_text=True)
    stem = {"nl": "Deze week in Nederlands 2", "en": "This week in Nederlands 2"}[locale]
    # On screen: once, as a lead-in right before the first statement (not above each one).
    assert visible_text(page).count(stem) == 1
    lead = re.search(r'<p class="q-lead">(.*?)</p>\s*<fieldset[^>]*id="item-B1"', page, re.S)
    assert lead and text_of(lead.group(1)) == items.stem(locale, "Nederlands 2")
    # For a screen reader each group's legend is the whole statement, stem included.
    for item_id, body in _fieldsets(page).items():
        legend = re.search(r"<legend>(.*?)</legend>", body, re.S).group(1)
        assert text_of(legend) == items.item_text(item_id, locale, "Nederlands 2")
        assert re.search(rf'<span class="visually-hidden">{re.escape(stem)}[^<]*</span>', legend)
        assert items.get_item(item_id).text[locale] in visible_text(legend)


@pytest.mark.parametrize(
    ("now", "dates"),
    [(datetime(2026, 11, 18, 10), "16–22 nov"), (datetime(2026, 10, 28, 10), "26 okt – 1 nov")],
)
def test_the_week_dates_are_kept_on_one_line(launch, client, monkeypatch, now, dates):
    monkeypatch.setattr(operations, "now", lambda: now)
    lid = launch("learner").lid
    page = open_form(client, lid)
    eyebrow = re.search(r'<p class="eyebrow">(.*?)</p>', page, re.S).group(1)
    assert f'(<span class="nowrap">{dates}</span>)' in eyebrow
    submit(client, lid)
    done = client.get(f"/l/{lid}/checkin/week/done").get_data(as_text=True)
    assert f'<span class="nowrap">{dates}</span>' in done
    css = (Path(__file__).parents[2] / "lti_tool/static/checkin.css").read_text()
    assert re.search(r"\.nowrap\s*\{[^}]*white-space:\s*nowrap", css)


def test_form_landmarks_have_distinct_names(launch):
    names = landmark_names(launch("learner").response.get_data(as_text=True))
    assert names and len(names) == len(set(names)), names


@pytest.mark.parametrize(("locale", "sentence"), [("nl", IDENT_NL), ("en", IDENT_EN)])
def test_identified_course_shows_the_identified_sentence(app, launch, client, monkeypatch, locale, sentence):
    lid = launch("learner", locale=locale).lid
    set_course(app, course_id_of(app, lid), privacy_mode="identified")
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    text = text_of(open_form(client, lid))
    assert sentence in text
    assert (ANON_NL if locale == "nl" else ANON_EN) not in text


def test_identified_course_without_institution_permission_stays_anonymous(app, launch, client, monkeypatch):
    lid = launch("learner", locale="en").lid
    set_course(app, course_id_of(app, lid), privacy_mode="identified")
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", False)
    assert ANON_EN in text_of(open_form(client, lid))


def test_page_makes_no_third_party_requests_and_needs_no_inline_code(launch):
    page = launch("learner").response.get_data(as_text=True)
    for url in re.findall(r'(?:src|href|action)="([^"]*)"', page):
        assert url.startswith(("/", "#")), url
    assert "style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son\w+=", page)


# ---------------------------------------------------------------- saving
def test_submit_saves_one_response_and_says_what_happens_next(app, launch, client):
    lid = launch("learner").lid
    resp = submit(client, lid, O1="yes", Q="Meer samenwerken.")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"/l/{lid}/checkin/week/done?saved=1")  # Post/Redirect/Get
    [row] = all_responses(app)
    assert row["answers"] == as_ints(ANSWERS)
    assert row["contact_opt_in"] is True and row["open_answer"] == "Meer samenwerken."
    done = text_of(client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "Dank je wel" in done
    assert ANON_NL in done  # who sees what
    assert "zodra minstens 5 studenten" in done  # when results appear
    assert "zondag 22 november, 23:59" in done  # until when they can change it
    assert "met je naam" in done  # the contact request
    done_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'href="/l/{lid}/checkin/history"' in done_page
    assert f'href="/l/{lid}/checkin/week"' in done_page


def test_changing_in_the_same_week_keeps_one_row_and_prefills(app, launch, client):
    lid = launch("learner").lid
    submit(client, lid, O1="yes", Q="Eerste idee")
    page = open_form(client, lid)
    assert {i: checked(page, i) for i in SCALE} == ANSWERS
    assert checked(page, "O1") == "yes"
    assert textarea(page, "Q") == "Eerste idee"
    assert "Wijzigingen opslaan" in page
    submit(client, lid, OTHER_ANSWERS, Q="Tweede idee")
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)
    assert row["open_answer"] == "Tweede idee" and row["contact_opt_in"] is False
    assert row["revision"] == 2
    page = open_form(client, lid)
    assert {i: checked(page, i) for i in SCALE} == OTHER_ANSWERS
    assert checked(page, "O1") is None


@pytest.mark.parametrize(
    ("locale", "thanks", "changed", "changed_title"),
    [
        ("nl", "Dank je wel voor het invullen!", "Je wijzigingen zijn opgeslagen.", "Wijzigingen opgeslagen"),
        ("en", "Thank you for checking in!", "Your changes are saved.", "Changes saved"),
    ],
)
def test_saving_again_the_same_week_says_the_changes_are_saved(app, launch, client, locale, thanks, changed, changed_title):
    lid = launch("learner", locale=locale).lid
    first = client.get(submit(client, lid).headers["Location"]).get_data(as_text=True)
    assert thanks in text_of(first) and changed not in text_of(first)
    again = submit(client, lid, OTHER_ANSWERS)
    assert again.status_code == 302
    assert all_responses(app)[0]["revision"] == 2
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    text = text_of(page)
    assert re.search(r"<h1>\s*" + re.escape(changed) + r"\s*</h1>", page)
    assert thanks not in text  # not a second "thank you" as if it were the first time
    assert f"<title>{changed_title}" in page
    assert (ANON_NL if locale == "nl" else ANON_EN) in text  # the rest of the page is as before
    # Coming back later (no fresh save) is neither: "you have checked in this week".
    later = text_of(client.get(f"/l/{lid}/checkin/week/done").get_data(as_text=True))
    assert changed not in later and thanks not in later


def test_returning_launch_shows_the_current_answers(app, launch, client):
    lid = launch("learner").lid
    submit(client, lid)
    again = launch("learner")  # a new launch from the course page
    assert again.path == f"/l/{again.lid}/checkin/week/done"
    text = text_of(again.response.get_data(as_text=True))
    assert "Je hebt deze week al meegedaan" in text
    assert "Antwoorden aanpassen" in text


@pytest.mark.parametrize(("zone", "lands_on"), [("Europe/Amsterdam", "/checkin/week/done"), ("Pacific/Kiritimati", "/checkin/week")])
def test_a_returning_launch_lands_by_the_courses_own_week(app, launch, client, monkeypatch, zone, lands_on):
    """The launch reads the student's week with their rows, for the week in Erbij's default
    zone (lti/landing.py ReadAtLaunch). Sunday 12:00 UTC is still Sunday in Amsterdam but
    already Monday in Kiritimati (UTC+14): a course there is in a new week, which the
    student has not answered yet, though they answered Amsterdam's week."""
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 22, 12, 0))
    lid = launch("learner").lid
    submit(client, lid)  # the week of 16 November, the course being in Amsterdam
    set_course(app, course_id_of(app, lid), timezone=zone)
    again = launch("learner")
    assert again.path == f"/l/{again.lid}{lands_on}", again.path
    page = text_of(again.response.get_data(as_text=True))
    assert ("Je hebt deze week al meegedaan" in page) == (lands_on.endswith("/done"))


def test_two_tabs_never_make_two_responses(app, launch, client):
    lid = launch("learner").lid
    tab1 = open_form(client, lid)
    tab2 = open_form(client, lid)
    assert submit(client, lid, ANSWERS, token=csrf_token(tab1)).status_code == 302
    assert submit(client, lid, OTHER_ANSWERS, token=csrf_token(tab2)).status_code == 302
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS)  # the latest submit wins


def test_two_browsers_submitting_at_once_leave_one_response(app, launch, client, new_browser):
    phone = new_browser()
    lid_laptop = launch("learner").lid
    lid_phone = launch("learner", browser=phone).lid
    tokens = (csrf_token(open_form(client, lid_laptop)), csrf_token(open_form(phone, lid_phone)))
    barrier = threading.Barrier(2)
    statuses = []

    def post(browser, lid, token, answers):
        barrier.wait(timeout=10)
        statuses.append(submit(browser, lid, answers, token=token).status_code)

    threads = [
        threading.Thread(target=post, args=(client, lid_laptop, tokens[0], ANSWERS)),
        threading.Thread(target=post, args=(phone, lid_phone, tokens[1], OTHER_ANSWERS)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [302, 302]
    [row] = all_responses(app)
    assert row["answers"] in (as_ints(ANSWERS), as_ints(OTHER_ANSWERS))
    assert row["revision"] == 2


def test_a_form_sent_after_sunday_midnight_counts_for_the_new_week(app, launch, client, monkeypatch):
    lid = launch("learner").lid
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 22, 22, 58))  # Sunday 23:58
    token = csrf_token(open_form(client, lid))
    week_field = re.search(r'name="week" value="([^"]+)"', open_form(client, lid)).group(1)
    assert week_field == "2026-11-16"
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 22, 23, 1))  # Monday 00:01
    resp = submit(client, lid, token=token, week=week_field)
    assert "new_week=1" in resp.headers["Location"]
    assert [str(r["week_start"]) for r in all_responses(app)] == ["2026-11-23"]
    assert "Er begon een nieuwe week" in text_of(client.get(resp.headers["Location"]).get_data(as_text=True))


# ---------------------------------------------------------------- errors
def test_missing_answers_are_refused_and_everything_entered_is_kept(app, launch, client):
    lid = launch("learner", locale="en").lid
    partial = {k: v for k, v in ANSWERS.items() if k not in ("B2", "P2")}
    resp = submit(client, lid, partial, O1="yes", Q="More group work <please> & thanks")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert all_responses(app) == []
    # The summary at the top links to each field that needs an answer, in form order.
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    assert re.findall(r'href="#([^"]+)"', summary) == ["B2-1", "P2-1"]
    assert "2 answers still need a look" in text_of(summary)
    # Each field says what is wrong, tied to its group.
    fieldsets = _fieldsets(page)
    for item_id in ("B2", "P2"):
        assert f'aria-describedby="{item_id}-error"' in page
        assert f'id="{item_id}-error"' in fieldsets[item_id]
        assert "Please choose an answer for this question." in fieldsets[item_id]
        assert fieldsets[item_id].count('aria-invalid="true"') == 5
    assert "aria-invalid" not in fieldsets["B1"]
    # Everything the student entered is still there.
    assert {i: checked(page, i) for i in partial} == partial
    assert checked(page, "B2") is None
    assert checked(page, "O1") == "yes"
    assert textarea(page, "Q") == "More group work <please> & thanks"
    assert "<please>" not in page  # kept, and escaped


def test_out_of_range_and_unreadable_values_are_refused(app, launch, client):
    lid = launch("learner").lid
    resp = submit(client, lid, {**ANSWERS, "S1": "7", "C1": "drie"})
    assert resp.status_code == 400
    fieldsets = _fieldsets(resp.get_data(as_text=True))
    assert "Kies een antwoord van 1 tot en met 5." in fieldsets["S1"]
    assert "Dit antwoord konden we niet lezen." in fieldsets["C1"]
    assert checked(resp.get_data(as_text=True), "B1") == ANSWERS["B1"]
    assert all_responses(app) == []


def test_too_long_open_answer_is_refused_and_kept_in_full(app, launch, client):
    lid = launch("learner").lid
    long_text = "Ik zou graag " + "meer oefenen " * 100
    resp = submit(client, lid, Q=long_text)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "Je antwoord is te lang" in page
    assert 'href="#Q"' in page
    assert textarea(page, "Q") == long_text
    assert 'aria-describedby="Q-hint Q-error"' in page
    assert all_responses(app) == []


def test_post_without_csrf_token_is_refused(app, launch, client):
    lid = launch("learner").lid
    resp = client.post(form_url(lid), data=dict(ANSWERS))
    assert resp.status_code == 400
    assert all_responses(app) == []


# ---------------------------------------------------------------- roles and scope
def test_instructor_launch_does_not_show_the_student_form(app, launch, client):
    resp = launch("instructor")
    page = resp.response.get_data(as_text=True)
    assert resp.response.status_code == 200
    assert 'name="B1"' not in page and "<fieldset" not in page
    assert client.get(form_url(resp.lid)).status_code == 403
    assert client.post(form_url(resp.lid), data={"csrf_token": csrf_token(page), **ANSWERS}).status_code == 403
    assert client.get(f"/l/{resp.lid}/checkin/history").status_code == 403
    assert all_responses(app) == []


def test_checkin_pages_are_not_reachable_from_a_feedback_link(launch, client):
    lid = launch("learner", activity="feedback", link="link-feedback", follow=False).lid
    client.get(f"/lti/ready/{lid}")
    assert client.get(form_url(lid)).status_code == 404


def test_another_browser_cannot_use_a_students_launch(launch, client, new_browser):
    lid = launch("learner").lid
    submit(client, lid, Q="privé")
    other = new_browser()
    for path in (form_url(lid), f"/l/{lid}/checkin/week/done", f"/l/{lid}/checkin/history"):
        resp = other.get(path)
        assert resp.status_code == 401
        assert "privé" not in resp.get_data(as_text=True)


# ---------------------------------------------------------------- privacy mode changes
def test_notice_when_the_privacy_mode_changed_since_the_last_response(app, launch, client, monkeypatch):
    lid = launch("learner").lid
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 11, 10))  # last week
    submit(client, lid)
    monkeypatch.setattr(operations, "now", lambda: datetime(2026, 11, 18, 10))
    assert "Er is iets veranderd" not in open_form(client, lid)
    set_settings(app, course_id_of(app, lid), privacy_changed_at=datetime(2026, 11, 12, 9))
    assert "Er is iets veranderd sinds je vorige check-in" in text_of(open_form(client, lid))
    submit(client, lid)  # answering again under the new mode: nothing to point out any more
    assert "Er is iets veranderd" not in open_form(client, lid)


def test_no_privacy_notice_before_the_first_response(app, launch, client):
    lid = launch("learner").lid
    set_settings(app, course_id_of(app, lid), privacy_changed_at=datetime(2026, 11, 12, 9))
    assert "Er is iets veranderd" not in open_form(client, lid)


def test_changing_answers_posts_one_update_and_holds_no_transaction(app, launch, client):
    """The form's POST runs its statements alone (transactions.py): for changed answers the
    launch's read and the UPDATE (which also checks that the course reports no completion);
    for the week's first, the reads of its mode and one INSERT — no BEGIN or COMMIT round
    trips."""
    from tests.statements import StatementLog

    lid = launch("learner").lid
    token = csrf_token(open_form(client, lid))
    with StatementLog(app) as log:
        # The week's first answers: a few reads and one INSERT, each on its own too.
        assert submit(client, lid, token=token).status_code == 302
        assert [verb for verb, _held in log.verbs if verb != "SELECT"] == ["UPDATE", "INSERT"], log.verbs
        assert not any(held for _verb, held in log.verbs), log.verbs
        log.clear()
        token = csrf_token(open_form(client, lid))  # a page (GET): its reads alone too
        assert log.verbs and not any(held for _verb, held in log.verbs), log.verbs
        log.clear()
        resp = submit(client, lid, OTHER_ANSWERS, token=token)
    assert resp.status_code == 302 and "/week/done" in resp.headers["Location"]
    assert [verb for verb, _held in log.verbs] == ["SELECT", "UPDATE"], log.verbs
    assert not any(held for _verb, held in log.verbs), log.verbs
    [row] = all_responses(app)
    assert row["answers"] == as_ints(OTHER_ANSWERS) and row["revision"] == 2


def test_a_weeks_label_and_deadline_are_in_the_pages_language(app):
    """Made once per week and language (student._week_texts): Dutch and English pages of the
    same week, in one process, each get their own."""
    from flask_babel import force_locale

    from lti_tool.checkin.student import _deadline, _week_label
    from lti_tool.checkin.weeks import weekly_window

    week = weekly_window(datetime(2026, 11, 18, 12, 0), "Europe/Amsterdam")
    with app.test_request_context("/"):
        for _ in range(2):
            with force_locale("nl"):
                assert str(_week_label(week)) == 'week 47 (<span class="nowrap">16–22 nov</span>)'
                assert _deadline(week) == "zondag 22 november, 23:59"
            with force_locale("en"):
                assert str(_week_label(week)) == 'week 47 (<span class="nowrap">16–22 Nov</span>)'
                assert _deadline(week) == "Sunday 22 November, 23:59"
