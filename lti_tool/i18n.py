"""Language: the launch's locale (nl or en), switchable; Dutch when nothing says otherwise."""

from flask import g, request

LANGUAGES = ("nl", "en")


def select_locale() -> str:
    launch = g.get("launch")
    if launch is not None:
        return launch.locale
    if g.get("locale_override"):
        return g.locale_override
    return request.accept_languages.best_match(LANGUAGES) or "nl"
