"""The check-in questionnaire: versioned bilingual items, labels and answer validation."""

from __future__ import annotations

import pytest

from lti_tool.checkin.items import (
    CURRENT_VERSIONS,
    ITEM_HISTORY,
    ITEMS,
    LANGUAGES,
    Q_MAX_LENGTH,
    SCALE_ITEMS,
    construct_name,
    error_message,
    get_item,
    item_text,
    normalize_lang,
    scale_labels,
    stem,
    validate_answers,
)

EXPECTED_CONSTRUCTS = {
    "B1": "belonging",
    "B2": "teacher",
    "S1": "safety",
    "P1": "dont_dare",
    "C1": "competence",
    "P2": "where_to_start",
    "A1": "autonomy",
    "O1": "contact",
    "Q": "open",
}


def full_form(**overrides: str) -> dict[str, str]:
    form = {item_id: "3" for item_id in SCALE_ITEMS}
    form.update(overrides)
    return form


# --- the items as data ---------------------------------------------------------------------


def test_scale_items_in_display_order() -> None:
    assert SCALE_ITEMS == ("B1", "B2", "S1", "P1", "C1", "P2", "A1")


def test_items_and_constructs() -> None:
    assert set(ITEMS) == set(EXPECTED_CONSTRUCTS)
    for item_id, construct in EXPECTED_CONSTRUCTS.items():
        assert ITEMS[item_id].id == item_id
        assert ITEMS[item_id].construct == construct


def test_item_kinds() -> None:
    assert {i for i, item in ITEMS.items() if item.kind == "scale"} == set(SCALE_ITEMS)
    assert ITEMS["O1"].kind == "yes_no"
    assert ITEMS["Q"].kind == "open"


def test_only_p1_is_reverse_scored() -> None:
    assert [i for i, item in ITEMS.items() if item.reverse] == ["P1"]


def test_every_item_starts_at_version_one() -> None:
    assert CURRENT_VERSIONS == {item_id: 1 for item_id in ITEMS}


def test_history_ends_with_the_current_version() -> None:
    assert set(ITEM_HISTORY) == set(ITEMS)
    for item_id, history in ITEM_HISTORY.items():
        assert history[-1] is ITEMS[item_id]
        versions = [item.version for item in history]
        assert versions == sorted(set(versions)), "versions only go up"
        assert all(item.id == item_id for item in history)


@pytest.mark.parametrize("item_id", list(EXPECTED_CONSTRUCTS))
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_item_has_wording_in_both_languages(item_id: str, lang: str) -> None:
    for item in ITEM_HISTORY[item_id]:
        text = item.text[lang]
        assert text.strip() == text and len(text) > 10
    assert ITEMS[item_id].text["nl"] != ITEMS[item_id].text["en"]


@pytest.mark.parametrize("item_id", SCALE_ITEMS)
def test_scale_items_complete_the_stem(item_id: str) -> None:
    nl, en = ITEMS[item_id].text["nl"], ITEMS[item_id].text["en"]
    # Dutch continues with the verb after "Deze week in …", so the completion is lowercase.
    assert nl[0].islower() and nl.endswith(".")
    assert (en[0].islower() or en.startswith("I ")) and en.endswith(".")


def test_wording_matches_the_direction_of_p1_and_p2() -> None:
    # P1 high = held back although wanting to speak (bad); P2 high = knew where to start (good).
    assert "terwijl" in ITEMS["P1"].text["nl"]
    assert "even though" in ITEMS["P1"].text["en"]
    assert "waar ik moest beginnen" in ITEMS["P2"].text["nl"]
    assert "where to start" in ITEMS["P2"].text["en"]


# --- texts ---------------------------------------------------------------------------------


def test_item_text_puts_the_stem_before_scale_items() -> None:
    assert item_text("B1", "nl", "Engels") == (
        "Deze week in Engels had ik het gevoel dat ik er echt bij hoorde in de groep."
    )
    assert item_text("B1", "en", "English") == (
        "This week in English, I felt that I really belonged in the group."
    )


def test_item_text_standalone_items_name_the_course() -> None:
    assert "Engels" in item_text("Q", "nl", "Engels")
    assert "{course}" not in item_text("Q", "en", "English")
    assert item_text("O1", "nl", "Engels") == ITEMS["O1"].text["nl"]


def test_item_text_without_course_title() -> None:
    assert item_text("B1", "nl", None).startswith("Deze week in dit vak had ik")
    assert item_text("B1", "en", "  ").startswith("This week in this course, I")
    assert "in dit vak?" in item_text("Q", "nl", "")


def test_item_text_keeps_braces_in_course_titles() -> None:
    assert "Module {1}" in item_text("B1", "en", "Module {1}")


@pytest.mark.parametrize("lang", ["de", "", None, "xx-YY"])
def test_unknown_language_falls_back_to_dutch(lang: str | None) -> None:
    assert item_text("S1", lang, "Engels") == item_text("S1", "nl", "Engels")  # type: ignore[arg-type]
    assert scale_labels(lang) == scale_labels("nl")  # type: ignore[arg-type]
    assert construct_name("S1", lang) == "Veiligheid"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("en-GB", "en"),
        ("en_US", "en"),
        ("nl-NL", "nl"),
        ("fr", "nl"),
    ],
)
def test_normalize_lang_uses_the_language_part_of_a_locale(
    lang: str, expected: str
) -> None:
    assert normalize_lang(lang) == expected


def test_stem_for_the_form_heading() -> None:
    assert stem("nl", "Engels") == "Deze week in Engels…"
    assert stem("en", "English") == "This week in English…"


def test_item_text_of_an_older_version() -> None:
    assert item_text("B1", "nl", "Engels", version=1) == item_text("B1", "nl", "Engels")
    with pytest.raises(KeyError):
        item_text("B1", "nl", "Engels", version=99)
    with pytest.raises(KeyError):
        get_item("Z9")


def test_scale_labels_run_from_not_at_all_true_to_completely_true() -> None:
    nl, en = scale_labels("nl"), scale_labels("en")
    assert len(nl) == len(en) == 5
    assert nl[0] == "helemaal niet waar" and nl[-1] == "helemaal waar"
    assert en[0] == "not at all true" and en[-1] == "completely true"
    assert len(set(nl)) == len(set(en)) == 5


def test_scale_labels_returns_a_copy() -> None:
    scale_labels("nl").clear()
    assert len(scale_labels("nl")) == 5


@pytest.mark.parametrize(
    ("key", "nl", "en"),
    [
        ("belonging", "Erbij horen", "Belonging"),
        ("B1", "Erbij horen", "Belonging"),
        ("B2", "Contact met docent", "Teacher relationship"),
        ("S1", "Veiligheid", "Safety"),
        ("P1", "Niet durven", "Don't dare"),
        ("P2", "Weten waar te beginnen", "Knowing where to start"),
        ("C1", "Zelfvertrouwen in het werk", "Competence"),
        ("A1", "Keuzeruimte", "Autonomy"),
    ],
)
def test_construct_names(key: str, nl: str, en: str) -> None:
    assert construct_name(key, "nl") == nl
    assert construct_name(key, "en") == en


@pytest.mark.parametrize("item_id", list(EXPECTED_CONSTRUCTS) + ["index"])
def test_every_construct_has_a_name_in_both_languages(item_id: str) -> None:
    assert construct_name(item_id, "nl") and construct_name(item_id, "en")


def test_unknown_construct_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        construct_name("nonsense", "nl")


# --- validate_answers ----------------------------------------------------------------------


def test_valid_form() -> None:
    form = {"B1": "1", "B2": "2", "S1": "3", "P1": "4", "C1": "5", "P2": "3", "A1": "3"}
    clean, errors = validate_answers({**form, "O1": "yes", "Q": "  Meer groepswerk  "})
    assert errors == {}
    assert clean == {
        "B1": 1,
        "B2": 2,
        "S1": 3,
        "P1": 4,
        "C1": 5,
        "P2": 3,
        "A1": 3,
        "O1": True,
        "Q": "Meer groepswerk",
    }


@pytest.mark.parametrize("item_id", SCALE_ITEMS)
def test_every_scale_item_is_required(item_id: str) -> None:
    form = full_form()
    del form[item_id]
    clean, errors = validate_answers(form)
    assert errors == {item_id: "required"}
    assert item_id not in clean


def test_empty_form_lists_every_scale_item() -> None:
    clean, errors = validate_answers({})
    assert errors == {item_id: "required" for item_id in SCALE_ITEMS}
    assert clean == {"O1": False, "Q": ""}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("   ", "required"),
        ("0", "out_of_range"),
        ("6", "out_of_range"),
        ("-1", "out_of_range"),
        ("10", "out_of_range"),
        ("abc", "invalid"),
        ("2.5", "invalid"),
        ("3.0", "invalid"),
        ("+3", "invalid"),
        ("٣", "invalid"),  # Arabic-Indic three: int() would accept it
        ("1" * 50, "invalid"),
    ],
)
def test_scale_value_errors(value: str, code: str) -> None:
    clean, errors = validate_answers(full_form(B1=value))
    assert errors == {"B1": code}
    assert "B1" not in clean


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("5", 5), (" 4 ", 4)])
def test_scale_value_boundaries_accepted(value: str, expected: int) -> None:
    clean, errors = validate_answers(full_form(B1=value))
    assert errors == {}
    assert clean["B1"] == expected


def test_valid_fields_are_kept_when_others_fail() -> None:
    clean, errors = validate_answers(full_form(B1="6", Q="ok", O1="yes"))
    assert errors == {"B1": "out_of_range"}
    assert clean["B2"] == 3 and clean["Q"] == "ok" and clean["O1"] is True


@pytest.mark.parametrize(
    ("o1", "expected"), [(None, False), ("", False), ("yes", True), ("YES ", True)]
)
def test_o1_checkbox(o1: str | None, expected: bool) -> None:
    form = full_form()
    if o1 is not None:
        form["O1"] = o1
    clean, errors = validate_answers(form)
    assert errors == {}
    assert clean["O1"] is expected


@pytest.mark.parametrize("o1", ["on", "no", "true", "1"])
def test_o1_unexpected_value_is_refused_not_guessed(o1: str) -> None:
    clean, errors = validate_answers(full_form(O1=o1))
    assert errors == {"O1": "invalid"}
    assert "O1" not in clean


def test_q_is_optional() -> None:
    clean, errors = validate_answers(full_form())
    assert errors == {}
    assert clean["Q"] == ""


@pytest.mark.parametrize(
    ("length", "ok"),
    [(Q_MAX_LENGTH - 1, True), (Q_MAX_LENGTH, True), (Q_MAX_LENGTH + 1, False)],
)
def test_q_length_boundary(length: int, ok: bool) -> None:
    clean, errors = validate_answers(full_form(Q="a" * length))
    if ok:
        assert errors == {} and len(clean["Q"]) == length
    else:
        assert errors == {"Q": "too_long"} and "Q" not in clean


def test_q_length_is_counted_after_stripping() -> None:
    clean, errors = validate_answers(full_form(Q="  " + "a" * Q_MAX_LENGTH + "\n "))
    assert errors == {}
    assert clean["Q"] == "a" * Q_MAX_LENGTH


def test_q_line_breaks_count_as_one_character() -> None:
    # 1001 characters as sent (CRLF), 1000 as the student's textarea counted them.
    text = "a" * (Q_MAX_LENGTH - 2) + "\r\n" + "b"
    clean, errors = validate_answers(full_form(Q=text))
    assert errors == {}
    assert clean["Q"] == "a" * (Q_MAX_LENGTH - 2) + "\nb"


def test_q_drops_nul_characters() -> None:
    clean, _ = validate_answers(full_form(Q="a\x00b"))
    assert clean["Q"] == "ab"


def test_unrelated_fields_are_ignored() -> None:
    clean, errors = validate_answers(full_form(csrf_token="x", B9="1"))
    assert errors == {}
    assert "csrf_token" not in clean and "B9" not in clean


# --- error messages ------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["required", "out_of_range", "invalid", "too_long"])
def test_every_error_code_has_a_message_in_both_languages(code: str) -> None:
    nl, en = error_message(code, "nl"), error_message(code, "en")
    assert nl and en and nl != en
    assert error_message(code, "de") == nl


def test_required_message_is_friendly() -> None:
    assert error_message("required", "nl") == "Kies een antwoord bij deze vraag."
    assert (
        error_message("required", "en") == "Please choose an answer for this question."
    )


def test_too_long_message_names_the_limit() -> None:
    assert str(Q_MAX_LENGTH) in error_message("too_long", "nl")
    assert str(Q_MAX_LENGTH) in error_message("too_long", "en")


def test_unknown_error_code_gets_a_generic_message() -> None:
    assert error_message("whatever", "en")
    assert error_message("whatever", "en") != error_message("required", "en")
