"""The user-visible words the tests look for, in the flow's language: English message ids,
translated with Erbij's own Dutch catalogues (so a reworded translation does not break
the tests, and a missing one shows up as a failing lookup)."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from lti_tool.translations_build import catalogue_files


@cache
def _dutch() -> dict[str, str]:
    table: dict[str, str] = {}
    for po in catalogue_files():
        if "/nl/" not in str(po):
            continue
        with po.open("rb") as f:
            for message in read_po(f):
                if message.id and isinstance(message.id, str) and message.string:
                    table[message.id] = message.string
    return table


def tr(lang: str, msgid: str, **values) -> str:
    text = msgid if lang == "en" else _dutch().get(msgid)
    if text is None:
        raise AssertionError(f"No Dutch translation for {msgid!r} in Erbij's catalogues")
    return text % values if values else text


@cache
def english_phrases() -> tuple[str, ...]:
    """English message ids that must not be seen on a Dutch page: every id of 12+
    characters with a space, without placeholders, whose Dutch text differs (or is missing)."""
    phrases: set[str] = set()
    for po in catalogue_files():
        if "/nl/" not in str(po):
            continue
        with po.open("rb") as f:
            for message in read_po(f):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for i, msgid in enumerate(ids):
                    if not msgid or "%" in msgid or "{" in msgid or len(msgid) < 12 or " " not in msgid:
                        continue
                    dutch = strings[min(i, len(strings) - 1)] if strings else ""
                    if dutch != msgid:
                        phrases.add(msgid)
    return tuple(sorted(phrases))


def english_on_dutch_page(text: str) -> list[str]:
    """The English phrases of Erbij's catalogues found verbatim in a Dutch page's text."""
    flat = " ".join(text.split())
    return [p for p in english_phrases() if p in flat]
