"""Who sees what of a check-in response: the privacy rules, as pure functions over plain data.

The student's pages and the teacher's dashboard both ask this module; neither decides on
its own. The rules (product spec, "Privacy"):

- A course is in one of two modes. **anonymous** (the default): the teacher sees group
  results only, never a name next to answers. **identified**: the teacher sees each
  student's answers with their name — only where the institution allows it.
- A response keeps the mode it was given in (``CheckinResponse.privacy_mode``): a course
  switched to identified later never reveals answers given anonymously.
- Anonymous item results need at least ``MIN_ITEM_RESPONDENTS`` respondents in the week;
  anonymous open answers are shown verbatim (without names) only with at least
  ``MIN_OPEN_TEXT_RESPONDENTS``. Below that the teacher sees nothing of those answers.
- O1, the contact request, is always shown with the student's name, in both modes: the
  student asked to be contacted, which needs a name.

Nothing here reads a request, a database or the app config: callers pass plain values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lti_tool.checkin.items import normalize_lang

ANONYMOUS = "anonymous"
IDENTIFIED = "identified"
MODES: tuple[str, ...] = (ANONYMOUS, IDENTIFIED)

# Fewer anonymous respondents than this: no item results for that week at all, because a
# mean over three or four classmates says too much about each of them.
MIN_ITEM_RESPONDENTS = 5
# Open answers are the easiest to recognise (style, topic), so they need a bigger crowd.
MIN_OPEN_TEXT_RESPONDENTS = 10


def effective_mode(course_mode: str | None, institution_allows_identified: bool) -> str:
    """The mode that really applies to a course: the course's choice, bounded by the institution.

    ``identified`` only when the course chose it AND the institution allows it (config
    ``ERBIJ_ALLOW_IDENTIFIED``, default False). Everything else — anonymous, an unknown or
    empty value, identified where the institution does not allow it — is ``anonymous``:
    when in doubt, protect the student.
    """
    if course_mode == IDENTIFIED and institution_allows_identified:
        return IDENTIFIED
    return ANONYMOUS


@dataclass(frozen=True)
class Visibility:
    """What the teacher may see of one response.

    ``names``: the answers are shown next to the student's name.
    ``item_values``: the scale answers count in what the teacher sees (per student when
    ``names``, otherwise only inside group results).
    ``open_text``: the open answer (Q) is shown verbatim (with the name only when ``names``).
    ``contact_with_name``: the O1 contact request is shown with the name — always True.
    """

    names: bool
    item_values: bool
    open_text: bool
    contact_with_name: bool = True


def visibility(response_mode: str | None, week_respondents: int) -> Visibility:
    """What the teacher sees of a response given in ``response_mode``, in a week with
    ``week_respondents`` anonymous respondents in the course.

    Rules:
    - identified: names, item values and the open answer, whatever the count.
    - anonymous (and any unknown mode): never names; item values only inside group
      results when ``week_respondents >= MIN_ITEM_RESPONDENTS`` (5); the open answer
      verbatim, without a name, only when ``week_respondents >= MIN_OPEN_TEXT_RESPONDENTS``
      (10).
    - O1 is always shown with the name (``contact_with_name``).

    Count only anonymous responses for ``week_respondents`` (``anonymous_respondents``):
    identified answers are attributable already, so they hide nobody. With four
    identified answers and one anonymous one, a "group" mean of five would give away the
    anonymous student's answers exactly.
    """
    if response_mode == IDENTIFIED:
        return Visibility(names=True, item_values=True, open_text=True)
    return Visibility(
        names=False,
        item_values=week_respondents >= MIN_ITEM_RESPONDENTS,
        open_text=week_respondents >= MIN_OPEN_TEXT_RESPONDENTS,
    )


def anonymous_respondents(response_modes: Iterable[str | None]) -> int:
    """How many of a week's responses were given anonymously: the count ``visibility`` needs.

    Pass the ``privacy_mode`` of every response of one course in one week. Unknown modes
    count as anonymous, as ``visibility`` treats them.
    """
    return sum(1 for mode in response_modes if mode != IDENTIFIED)


_SENTENCES: dict[str, dict[str, str]] = {
    ANONYMOUS: {
        "nl": "Je docent ziet alleen groepsresultaten, nooit je naam; open antwoorden alleen "
        f"als minstens {MIN_OPEN_TEXT_RESPONDENTS} klasgenoten hebben geantwoord. "
        "Je verzoek om contact wordt met je naam getoond.",
        "en": "Your teacher sees only group results, never your name; open answers only "
        f"when at least {MIN_OPEN_TEXT_RESPONDENTS} classmates answered. "
        "Your contact request is shown with your name.",
    },
    IDENTIFIED: {
        "nl": "Je docent ziet je antwoorden met je naam erbij, ook je open antwoord en je verzoek om contact.",
        "en": "Your teacher sees your answers with your name, including your open answer and your contact request.",
    },
}


def privacy_sentence(mode: str | None, lang: str | None) -> str:
    """The one sentence a student reads before answering: exactly who sees what.

    ``mode`` is the effective mode (``effective_mode``); an unknown mode gets the
    anonymous sentence, matching ``visibility``. ``lang`` is a language or locale code;
    anything but English is Dutch.
    """
    sentences = _SENTENCES[IDENTIFIED if mode == IDENTIFIED else ANONYMOUS]
    return sentences[normalize_lang(lang)]
