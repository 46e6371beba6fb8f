"""Feedback elsewhere in the LMS: an editor placement (Deep Linking, html only).

Canvas's editor button and Brightspace's Insert Stuff send a Deep Linking request that
accepts `html`; the teacher writes (coached) and Erbij returns the text as an html
content item, escaped into paragraphs so that nothing typed can become markup.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..lti import current_launch, instructor_required
from ..lti.deep_linking import html_item, response_jwt
from . import coaching
from .forms import MAX_TEXT_LENGTH
from .guide import PARTS, assemble, clean_parts
from .util import lang


def to_html(text: str) -> str:
    """Plain text as safe HTML: blank lines separate paragraphs, single newlines are <br>."""
    paragraphs = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n")]
    html = [Markup("<p>{}</p>").format(Markup("<br>").join(escape(line) for line in p.split("\n"))) for p in paragraphs if p]
    return str(Markup("\n").join(html))


def _accepts_html() -> bool:
    settings = current_launch().deep_link or {}
    return "html" in (settings.get("accept_types") or [])


@instructor_required
def deep_link_html():
    """A compact composer (with the coach) whose text goes back to the LMS editor."""
    if not _accepts_html():
        abort(404)
    parts = clean_parts({p.key: request.form.get(f"part_{p.key}") for p in PARTS}) if request.method == "POST" else {}
    text = (request.form.get("text") or "").replace("\r\n", "\n")[:MAX_TEXT_LENGTH]
    action = request.form.get("action", "")
    if request.method == "POST" and (action == "assemble" or (not text.strip() and parts)):
        text = assemble(parts)
    error = None
    if request.method == "POST" and action == "insert":
        if text.strip():
            title = _("Feedback")
            token, return_url = response_jwt(current_launch(), [html_item(to_html(text), title)])
            return render_template("lti/deep_link_return.html", jwt=token, return_url=return_url, title=title)
        error = _("Write the feedback before inserting it.")
    return render_template(
        "feedback/deep_link.html",
        parts=PARTS,
        values=parts,
        text=text,
        lang=lang(),
        coach=coaching.review(text, lang(), []),
        error=error,
        max_text=MAX_TEXT_LENGTH,
    ), (400 if error else 200)
