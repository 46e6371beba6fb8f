"""The weekly check-in questionnaire as versioned, bilingual data.

Every item has an id, a version and its wording in Dutch and English. A changed wording
is a new version: the old wording stays in ``ITEM_HISTORY`` so that answers given to it
can still be shown, and trends only compare answers given to the same version.

The seven scale items complete the stem "Deze week in {course}…" / "This week in
{course}…" as a first-person statement. O1 (contact opt-in) and Q (open question) are
standalone sentences, because they do not read naturally after that stem.

The wording is our own, in plain language at about B1 level for MBO students aged 16-25.
It asks about the learning climate in the course, never about mental health.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

LANGUAGES: tuple[str, ...] = ("nl", "en")
DEFAULT_LANG = "nl"

SCALE_MIN = 1
SCALE_MAX = 5

# Open answers longer than this are refused rather than cut off: silently losing the end
# of what a student wrote would be worse than asking them to shorten it.
Q_MAX_LENGTH = 1000

ItemKind = Literal["scale", "yes_no", "open"]


@dataclass(frozen=True)
class Item:
    """One version of one check-in item.

    ``text`` maps a language code to the wording. For scale items the wording completes
    the stem; for O1 and Q it is a whole sentence and may contain ``{course}``.
    ``reverse`` is True when a high score is unfavourable (P1), so that scoring can turn
    it around with ``6 - score``.
    """

    id: str
    version: int
    construct: str
    kind: ItemKind
    text: Mapping[str, str]
    reverse: bool = False


def _item(
    item_id: str,
    *,
    version: int,
    construct: str,
    kind: ItemKind,
    nl: str,
    en: str,
    reverse: bool = False,
) -> Item:
    return Item(item_id, version, construct, kind, {"nl": nl, "en": en}, reverse)


# Oldest version first, current version last. To change a wording, append a new Item with
# version + 1; never edit a published one, or old answers would be shown with new words.
ITEM_HISTORY: dict[str, tuple[Item, ...]] = {
    "B1": (
        _item(
            "B1",
            version=1,
            construct="belonging",
            kind="scale",
            nl="had ik het gevoel dat ik er echt bij hoorde in de groep.",
            en="I felt that I really belonged in the group.",
        ),
    ),
    "B2": (
        _item(
            "B2",
            version=1,
            construct="teacher",
            kind="scale",
            nl="had mijn docent aandacht voor mij als persoon, niet alleen voor mijn werk.",
            en="my teacher showed interest in me as a person, not just in my work.",
        ),
    ),
    "S1": (
        _item(
            "S1",
            version=1,
            construct="safety",
            kind="scale",
            nl="voelde ik me veilig genoeg om een vraag te stellen of een fout te maken.",
            en="I felt safe enough to ask a question or to make a mistake.",
        ),
    ),
    "P1": (
        _item(
            "P1",
            version=1,
            construct="dont_dare",
            kind="scale",
            nl="zei ik niets, terwijl ik eigenlijk wel iets wilde zeggen of om hulp wilde vragen.",
            en="I stayed quiet, even though I actually wanted to say something or ask for help.",
            reverse=True,
        ),
    ),
    "C1": (
        _item(
            "C1",
            version=1,
            construct="competence",
            kind="scale",
            nl="had ik het gevoel dat ik het werk goed kon doen.",
            en="I felt that I could do the work well.",
        ),
    ),
    "P2": (
        _item(
            "P2",
            version=1,
            construct="where_to_start",
            kind="scale",
            nl="wist ik wat er van mij verwacht werd en waar ik moest beginnen.",
            en="I knew what was expected of me and where to start.",
        ),
    ),
    "A1": (
        _item(
            "A1",
            version=1,
            construct="autonomy",
            kind="scale",
            nl="kon ik zelf een beetje kiezen hoe ik mijn werk deed.",
            en="I had some choice in how I did my work.",
        ),
    ),
    "O1": (
        _item(
            "O1",
            version=1,
            construct="contact",
            kind="yes_no",
            nl="Ik wil graag dat mijn docent deze week even met mij praat.",
            en="I would like my teacher to have a short chat with me this week.",
        ),
    ),
    "Q": (
        _item(
            "Q",
            version=1,
            construct="open",
            kind="open",
            nl="Wat zou jou helpen om volgende week (nog) meer mee te doen in {course}?",
            en="What would help you take part (even) more in {course} next week?",
        ),
    ),
}

# Display order of the questionnaire and of the dashboard.
SCALE_ITEMS: tuple[str, ...] = ("B1", "B2", "S1", "P1", "C1", "P2", "A1")

ITEMS: dict[str, Item] = {i: h[-1] for i, h in ITEM_HISTORY.items()}
CURRENT_VERSIONS: dict[str, int] = {i: it.version for i, it in ITEMS.items()}

_STEMS: Mapping[str, str] = {
    # The English stem carries a comma; Dutch puts the verb right after the stem
    # ("Deze week in Engels voelde ik…"), so no comma there.
    "nl": "Deze week in {course}",
    "en": "This week in {course},",
}
# Used when the LMS sends no course title.
_COURSE_FALLBACK: Mapping[str, str] = {"nl": "dit vak", "en": "this course"}

_SCALE_LABELS: Mapping[str, tuple[str, ...]] = {
    # Balanced: two negative, a neutral middle, two positive. "Deels waar" is the middle,
    # not "een beetje waar", which already leans towards agreeing.
    "nl": ("helemaal niet waar", "niet waar", "deels waar", "waar", "helemaal waar"),
    "en": ("not at all true", "not true", "partly true", "true", "completely true"),
}

_CONSTRUCT_NAMES: Mapping[str, Mapping[str, str]] = {
    "belonging": {"nl": "Erbij horen", "en": "Belonging"},
    "teacher": {"nl": "Contact met docent", "en": "Teacher relationship"},
    "safety": {"nl": "Veiligheid", "en": "Safety"},
    "dont_dare": {"nl": "Niet durven", "en": "Don't dare"},
    "competence": {"nl": "Zelfvertrouwen in het werk", "en": "Competence"},
    "where_to_start": {"nl": "Weten waar te beginnen", "en": "Knowing where to start"},
    "autonomy": {"nl": "Keuzeruimte", "en": "Autonomy"},
    "contact": {"nl": "Wil graag contact", "en": "Would like contact"},
    "open": {"nl": "Open vraag", "en": "Open question"},
    # Not an item: the belonging-and-safety index computed in signals.weekly_index.
    "index": {"nl": "Erbij horen en veiligheid", "en": "Belonging and safety"},
}

_ERROR_MESSAGES: Mapping[str, Mapping[str, str]] = {
    "required": {
        "nl": "Kies een antwoord bij deze vraag.",
        "en": "Please choose an answer for this question.",
    },
    "out_of_range": {
        "nl": "Kies een antwoord van 1 tot en met 5.",
        "en": "Please choose an answer from 1 to 5.",
    },
    "invalid": {
        "nl": "Dit antwoord konden we niet lezen. Kies opnieuw.",
        "en": "We could not read this answer. Please choose again.",
    },
    "too_long": {
        "nl": f"Je antwoord is te lang. Je kunt maximaal {Q_MAX_LENGTH} tekens gebruiken.",
        "en": f"Your answer is too long. You can use up to {Q_MAX_LENGTH} characters.",
    },
}
_GENERIC_ERROR: Mapping[str, str] = {
    "nl": "Er ging iets mis met dit antwoord. Probeer het opnieuw.",
    "en": "Something went wrong with this answer. Please try again.",
}


def normalize_lang(lang: str | None) -> str:
    """Return "nl" or "en" for a language or locale code; anything unknown becomes "nl".

    Launch locales arrive as "en-US", "nl_NL" or "EN", so only the language part counts.
    """
    if not lang:
        return DEFAULT_LANG
    base = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return base if base in LANGUAGES else DEFAULT_LANG


def _course(course_title: str | None, lang: str) -> str:
    title = (course_title or "").strip()
    return title or _COURSE_FALLBACK[lang]


def get_item(item_id: str, version: int | None = None) -> Item:
    """Return an item, by default its current version; raise KeyError if unknown."""
    history = ITEM_HISTORY[item_id]
    if version is None:
        return history[-1]
    for item in history:
        if item.version == version:
            return item
    raise KeyError(f"{item_id} has no version {version}")


def stem(lang: str, course_title: str | None) -> str:
    """Return the stem shown above the scale items, e.g. "Deze week in Engels…"."""
    lang = normalize_lang(lang)
    return _STEMS[lang].format(course=_course(course_title, lang)).rstrip(",") + "…"


def item_text(
    item_id: str, lang: str, course_title: str | None, *, version: int | None = None
) -> str:
    """Return the full sentence for an item in ``lang`` (unknown → nl).

    Scale items are stem + completion ("Deze week in Engels voelde ik me …"); O1 and Q are
    standalone. ``version`` selects older wording for showing old answers. The result is
    plain text: HTML escaping is the template's job.
    """
    lang = normalize_lang(lang)
    item = get_item(item_id, version)
    course = _course(course_title, lang)
    if item.kind == "scale":
        return f"{_STEMS[lang].format(course=course)} {item.text[lang]}"
    return item.text[lang].format(course=course)


def scale_labels(lang: str) -> list[str]:
    """Return the labels for scale values 1..5, in order."""
    return list(_SCALE_LABELS[normalize_lang(lang)])


def construct_name(construct_or_item_id: str, lang: str) -> str:
    """Return the short display name of a construct, given its key or an item id.

    Also accepts "index" for the belonging-and-safety index. Raises KeyError if unknown:
    that is a programming error, not user input.
    """
    lang = normalize_lang(lang)
    key = construct_or_item_id
    if key in ITEMS:
        key = ITEMS[key].construct
    return _CONSTRUCT_NAMES[key][lang]


def error_message(code: str, lang: str) -> str:
    """Return a friendly message for a validation error code; unknown codes get a generic one."""
    lang = normalize_lang(lang)
    return _ERROR_MESSAGES.get(code, _GENERIC_ERROR)[lang]


# Only plain ASCII digits: int() would also accept "٣", "+3" or "3_0".
_INTEGER = re.compile(r"-?[0-9]{1,9}")


def validate_answers(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a submitted check-in form; return (clean answers, errors by field id).

    Clean answers hold an int 1-5 for each of the seven scale items (all required),
    ``O1`` as a bool (checkbox value "yes" → True, absent or empty → False) and ``Q`` as
    stripped text ("" when not given, at most ``Q_MAX_LENGTH`` characters).

    Errors are codes, not prose, so the view can show them in the student's language with
    ``error_message``: "required", "out_of_range", "invalid" (not a whole number, or an
    unexpected O1 value) and "too_long". Valid fields are in the clean answers even when
    other fields have errors, so the form can be shown again with what the student chose.
    Fields not in the questionnaire (e.g. a CSRF token) are ignored.
    """
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}

    for item_id in SCALE_ITEMS:
        raw = form.get(item_id)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            errors[item_id] = "required"
        elif not _INTEGER.fullmatch(value):
            errors[item_id] = "invalid"
        elif not SCALE_MIN <= int(value) <= SCALE_MAX:
            errors[item_id] = "out_of_range"
        else:
            clean[item_id] = int(value)

    # An unchecked checkbox is simply absent from the form. Anything other than "yes" is
    # refused rather than guessed, because opting in shows the student's name.
    raw_o1 = form.get("O1")
    o1 = raw_o1.strip().lower() if isinstance(raw_o1, str) else ""
    if o1 == "yes":
        clean["O1"] = True
    elif o1 == "":
        clean["O1"] = False
    else:
        errors["O1"] = "invalid"

    raw_q = form.get("Q")
    q = raw_q if isinstance(raw_q, str) else ""
    # Browsers send textarea line breaks as CRLF; count them as one character, as the
    # textarea's own maxlength does. PostgreSQL text cannot hold NUL, so drop it here.
    q = q.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(q) > Q_MAX_LENGTH:
        errors["Q"] = "too_long"
    else:
        clean["Q"] = q

    return clean, errors
