"""Who sees what: the pure privacy rules the student pages and the dashboard share."""

import pytest

from lti_tool.checkin import privacy
from lti_tool.checkin.privacy import (
    ANONYMOUS,
    IDENTIFIED,
    MIN_ITEM_RESPONDENTS,
    MIN_OPEN_TEXT_RESPONDENTS,
    anonymous_respondents,
    effective_mode,
    privacy_sentence,
    visibility,
)


def test_thresholds_are_the_products_defaults():
    assert MIN_ITEM_RESPONDENTS == 5
    assert MIN_OPEN_TEXT_RESPONDENTS == 10


@pytest.mark.parametrize(
    ("course_mode", "allowed", "expected"),
    [
        (IDENTIFIED, True, IDENTIFIED),
        (IDENTIFIED, False, ANONYMOUS),  # the institution's policy bounds the course
        (ANONYMOUS, True, ANONYMOUS),
        (ANONYMOUS, False, ANONYMOUS),
        (None, True, ANONYMOUS),
        ("", True, ANONYMOUS),
        ("IDENTIFIED", True, ANONYMOUS),  # unknown spelling: protect the student
        ("public", True, ANONYMOUS),
    ],
)
def test_identified_only_when_the_institution_allows(course_mode, allowed, expected):
    assert effective_mode(course_mode, allowed) == expected


@pytest.mark.parametrize(
    ("respondents", "items", "open_text"),
    [(0, False, False), (1, False, False), (4, False, False), (5, True, False), (9, True, False), (10, True, True), (40, True, True)],
)
def test_anonymous_boundaries(respondents, items, open_text):
    vis = visibility(ANONYMOUS, respondents)
    assert vis.names is False
    assert vis.item_values is items
    assert vis.open_text is open_text
    assert vis.contact_with_name is True


@pytest.mark.parametrize("respondents", [0, 1, 4, 9, 10])
def test_identified_shows_everything_with_names_whatever_the_count(respondents):
    vis = visibility(IDENTIFIED, respondents)
    assert (vis.names, vis.item_values, vis.open_text, vis.contact_with_name) == (True, True, True, True)


@pytest.mark.parametrize("mode", [None, "", "unknown"])
def test_unknown_response_mode_is_treated_as_anonymous(mode):
    assert visibility(mode, 4) == visibility(ANONYMOUS, 4)
    assert visibility(mode, 10) == visibility(ANONYMOUS, 10)


def test_contact_request_is_always_shown_with_the_name():
    for mode in (ANONYMOUS, IDENTIFIED):
        for n in (0, 4, 5, 10):
            assert visibility(mode, n).contact_with_name is True


def test_anonymous_respondents_counts_only_anonymous_answers():
    # Four identified answers hide nobody: with one anonymous answer the threshold of five
    # would otherwise give that student's answers away.
    assert anonymous_respondents([IDENTIFIED] * 4 + [ANONYMOUS]) == 1
    assert anonymous_respondents([ANONYMOUS] * 5) == 5
    assert anonymous_respondents([]) == 0
    assert anonymous_respondents([None, "x", IDENTIFIED]) == 2
    assert visibility(ANONYMOUS, anonymous_respondents([IDENTIFIED] * 4 + [ANONYMOUS])).item_values is False


def test_privacy_sentences_say_exactly_who_sees_what():
    assert privacy_sentence(ANONYMOUS, "en") == (
        "Your teacher sees only group results, never your name; open answers only when at least "
        "10 classmates answered. Your contact request is shown with your name."
    )
    assert privacy_sentence(ANONYMOUS, "nl") == (
        "Je docent ziet alleen groepsresultaten, nooit je naam; open antwoorden alleen als minstens "
        "10 klasgenoten hebben geantwoord. Je verzoek om contact wordt met je naam getoond."
    )
    assert "with your name" in privacy_sentence(IDENTIFIED, "en")
    assert "never your name" not in privacy_sentence(IDENTIFIED, "en")
    assert "met je naam erbij" in privacy_sentence(IDENTIFIED, "nl")


@pytest.mark.parametrize(("lang", "expected"), [("en-GB", "en"), ("EN", "en"), ("nl_NL", "nl"), ("de", "nl"), (None, "nl")])
def test_privacy_sentence_language(lang, expected):
    assert privacy_sentence(ANONYMOUS, lang) == privacy_sentence(ANONYMOUS, expected)


def test_unknown_mode_gets_the_anonymous_sentence():
    assert privacy_sentence("bogus", "en") == privacy_sentence(ANONYMOUS, "en")


def test_module_is_pure():
    # No Flask, no database: the dashboard can call it anywhere.
    src = open(privacy.__file__).read()
    assert "flask" not in src and "extensions" not in src
