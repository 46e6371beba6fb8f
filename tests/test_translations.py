"""Every message the app can show has a Dutch translation (Dutch first)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("lti_tool/**.py", "python"), ("templates/**.html", "jinja2")]
SKIP = ("lti_tool/demo", "templates/demo")  # the demo LMS is a developer tool, English only


def _messages() -> dict[str, str]:
    found = {}
    for filename, _lineno, message, _comments, _ctx in extract_from_dir(str(ROOT), METHOD_MAP, keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}):
        if filename.startswith(SKIP):
            continue
        for m in message if isinstance(message, tuple) else (message,):
            if m:
                found.setdefault(m, filename)
    return found


def _dutch() -> dict[str, str]:
    out = {}
    for po in ROOT.glob("lti_tool/**/translations/nl/LC_MESSAGES/messages.po"):
        with po.open("rb") as f:
            for msg in read_po(f):
                if msg.id and msg.string:
                    ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
                    strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
                    if all(strings):
                        for i in ids:
                            out[i] = strings[0]
    return out


def test_every_message_has_dutch():
    dutch = _dutch()
    missing = {m: f for m, f in _messages().items() if m not in dutch}
    assert not missing, "No Dutch translation for:\n" + "\n".join(f"  {f}: {m!r}" for m, f in sorted(missing.items(), key=lambda x: x[1]))


def test_templates_translate_each_language_and_keep_escaping(app):
    """The templates' `_` keeps a message without variables once per language: a page in
    Dutch and then one in English (even in the same request) each get their own, a message
    with variables is still filled in and its values escaped."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = '{{ _("Skip to content") }}|{{ _("You can change your answers until %(deadline)s.", deadline="<b>") }}'
    with app.test_request_context("/", headers={"Accept-Language": "nl"}):
        for _ in range(2):
            dutch = render_template_string(page)
            assert dutch.startswith("Naar de inhoud|") and "&lt;b&gt;" in dutch and "<b>" not in dutch, dutch
        with force_locale("en"):
            assert render_template_string(page) == "Skip to content|You can change your answers until &lt;b&gt;."
        assert render_template_string(page) == dutch
