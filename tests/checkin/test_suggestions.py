"""Teacher-facing texts: reasons, suggestions, conversation starters and reflection."""

from __future__ import annotations

import pytest

from lti_tool.checkin.items import LANGUAGES
from lti_tool.checkin.signals import CLASS_CODES, STUDENT_CODES, SignalRules
from lti_tool.checkin.suggestions import (
    conversation_starters,
    reason_text,
    reflection_questions,
    rule_explanations,
    suggestions_for,
)

ALL_CODES = STUDENT_CODES + CLASS_CODES
UNKNOWN = "no_such_signal"


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_signal_has_a_reason_in_both_languages(code: str) -> None:
    nl, en = reason_text(code, "nl"), reason_text(code, "en")
    assert nl and en and nl != en
    assert nl != reason_text(UNKNOWN, "nl"), (
        "a known code must not fall back to generic"
    )
    assert en != reason_text(UNKNOWN, "en")
    assert "{" not in nl + en, "every placeholder filled in"
    assert not nl[0].islower() and not en[0].islower(), "starts like a sentence"


@pytest.mark.parametrize("code", ALL_CODES)
def test_every_signal_has_suggestions_in_both_languages(code: str) -> None:
    nl, en = suggestions_for(code, "nl"), suggestions_for(code, "en")
    assert nl and en
    assert all(isinstance(s, str) and s.strip() for s in nl + en)
    assert len(nl) == len(en), "the two languages say the same things"
    assert nl != suggestions_for(UNKNOWN, "nl"), (
        "a known code must not fall back to generic"
    )


@pytest.mark.parametrize("code", ALL_CODES)
def test_reasons_are_neutral(code: str) -> None:
    text = (reason_text(code, "nl") + reason_text(code, "en")).lower()
    for alarming in ("risico", "risk", "gevaar", "danger", "alarm", "!"):
        assert alarming not in text


def test_no_response_reads_as_an_invitation() -> None:
    assert (
        reason_text("no_response", "nl") == "Twee weken geen antwoord — even contact?"
    )
    assert (
        reason_text("no_response", "en")
        == "No answer for two weeks — time to check in?"
    )


def test_no_response_suggestions_do_not_blame_the_student() -> None:
    text = " ".join(suggestions_for("no_response", "nl")).lower()
    assert "vrijwillig" in text
    assert "waarom" not in text


def test_reason_texts_follow_the_rules_in_use() -> None:
    rules = SignalRules(no_response_weeks=3, low_item_weeks=3, class_pattern_share=0.3)
    assert reason_text("no_response", "nl", rules=rules).startswith("Drie weken")
    assert "three weeks" in reason_text("item_low:B1", "en", rules=rules)
    assert reason_text("class_pattern_no_start", "en", rules=rules).startswith("30%")
    assert reason_text("class_pattern_dont_dare", "nl").startswith("25%")


def test_persistent_low_reason_follows_the_rules() -> None:
    assert "minstens twee van de laatste drie weken" in reason_text("persistent_low", "nl")
    rules = SignalRules(low_weeks=3, low_window=4)
    assert "at least three of the last four weeks" in reason_text("persistent_low", "en", rules=rules)


def test_pattern_suggestions_use_the_matching_practices() -> None:
    dont_dare = " ".join(suggestions_for("pattern_dont_dare", "nl")).lower()
    assert "tweetallen" in dont_dare and "fouten" in dont_dare and "inzet" in dont_dare
    no_start = " ".join(suggestions_for("pattern_no_start", "en")).lower()
    assert "steps" in no_start and "roles" in no_start and "choice" in no_start
    assert "expectations" in no_start


def test_class_pattern_suggestions_build_on_the_student_ones() -> None:
    for lang in LANGUAGES:
        student = suggestions_for("pattern_dont_dare", lang)
        assert (
            suggestions_for("class_pattern_dont_dare", lang)[: len(student)] == student
        )


def test_each_item_low_code_has_its_own_reason() -> None:
    codes = [c for c in STUDENT_CODES if c.startswith("item_low:")]
    assert len(codes) == 7
    for lang in LANGUAGES:
        assert len({reason_text(c, lang) for c in codes}) == 7


@pytest.mark.parametrize("code", [UNKNOWN, "", "item_low:Z9", "item_low:"])
@pytest.mark.parametrize("lang", ["nl", "en", "de", None])
def test_unknown_code_never_raises(code: str, lang: str | None) -> None:
    assert reason_text(code, lang)  # type: ignore[arg-type]
    assert suggestions_for(code, lang)  # type: ignore[arg-type]


def test_unknown_language_falls_back_to_dutch() -> None:
    assert suggestions_for("drop", "fr") == suggestions_for("drop", "nl")
    assert reason_text("drop", "fr") == reason_text("drop", "nl")
    assert suggestions_for("drop", "en-US") == suggestions_for("drop", "en")


def test_returned_lists_are_copies() -> None:
    suggestions_for("drop", "nl").clear()
    conversation_starters("nl").clear()
    reflection_questions("nl").clear()
    assert suggestions_for("drop", "nl")
    assert conversation_starters("nl")
    assert reflection_questions("nl")


def test_conversation_starters_ask_rather_than_judge() -> None:
    nl, en = conversation_starters("nl"), conversation_starters("en")
    assert "Fijn dat je er bent. Hoe was je reis hierheen?" in nl
    assert len(nl) == len(en) >= 3
    for starter in nl + en:
        assert starter.endswith("?")
        assert not starter.lower().startswith(("waarom", "why"))


def test_reflection_questions() -> None:
    nl, en = reflection_questions("nl"), reflection_questions("en")
    assert len(nl) == len(en) >= 3
    assert all(q.endswith("?") for q in nl + en)
    joined = " ".join(nl).lower()
    assert "gezien" in joined and "structuur" in joined and "ruimte" in joined
    assert "onzekerheid" in joined and "terugtrekken" in joined


def test_rule_explanations_show_the_rules_in_use() -> None:
    nl = " ".join(rule_explanations("nl"))
    assert (
        "2,5" in nl
        and "1,0" in nl
        and "0,5" in nl
        and "25%" in nl
        and "ontwerpkeuzes" in nl
    )
    en = " ".join(rule_explanations("en"))
    assert "2.5" in en and "1.0" in en and "0.5" in en and "design choices" in en
    custom = " ".join(
        rule_explanations(
            "en", rules=SignalRules(drop_threshold=1.5), min_respondents=8
        )
    )
    assert "1.5 or more below" in custom and "at least 8 answers" in custom
