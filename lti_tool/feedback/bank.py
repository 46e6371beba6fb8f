"""The comment bank: reusable snippets with placeholders, personal or shared in a course.

Placeholders are filled for the student in the composer: {first_name}, {name} and
{course}, with Dutch aliases {voornaam}, {naam} and {vak}. An unknown placeholder, or one
without a value (an LMS that sends no names), stays as typed so the teacher notices it.
"""

from __future__ import annotations

import re

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..lti import current_launch, instructor_required
from ..models import User
from ..models.feedback import CommentSnippet
from . import operations
from .forms import parse_snippet
from .util import safe_next, student_or_404, wants_json

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
ALIASES = {"voornaam": "first_name", "naam": "name", "vak": "course"}


def placeholder_values(student: User | None, course_title: str) -> dict[str, str]:
    values = {"course": course_title}
    if student is not None:
        values["first_name"] = student.first_name
        values["name"] = student.display_name()
    return values


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """Replace known placeholders that have a value; leave everything else as typed."""

    def replace(match: re.Match[str]) -> str:
        key = ALIASES.get(match.group(1), match.group(1))
        return values.get(key) or match.group(0)

    return PLACEHOLDER.sub(replace, body)


def visible_snippets(user_id: int, course_id: int) -> list[CommentSnippet]:
    """The teacher's own snippets (from any course) and the ones shared in this course."""
    return list(
        db.session.execute(
            db.select(CommentSnippet)
            .options(joinedload(CommentSnippet.owner))  # the bank page names who shared each one
            .where((CommentSnippet.owner_id == user_id) | ((CommentSnippet.course_id == course_id) & CommentSnippet.shared.is_(True)))
            .order_by(CommentSnippet.title, CommentSnippet.id)
        ).scalars()
    )


def own_snippet_or_404(snippet_id: int) -> CommentSnippet:
    """A snippet the current teacher may change: only their own."""
    snippet = db.session.get(CommentSnippet, snippet_id)
    if snippet is None or snippet.owner_id != current_launch().user_id:
        abort(404)
    return snippet


def visible_snippet(snippet_id: int) -> CommentSnippet | None:
    """A snippet the current teacher may use, or None (deleted meanwhile, or not theirs)."""
    launch = current_launch()
    snippet = db.session.get(CommentSnippet, snippet_id)
    if snippet is None or not (snippet.owner_id == launch.user_id or (snippet.shared and snippet.course_id == launch.course_id)):
        return None
    return snippet


def snippet_json(snippet: CommentSnippet, values: dict[str, str]) -> dict:
    return {
        "id": snippet.id,
        "title": snippet.title,
        "body": snippet.body,
        "filled": fill_placeholders(snippet.body, values),
        "shared": snippet.shared,
        "own": snippet.owner_id == current_launch().user_id,
    }


# ------------------------------------------------------------------ views
def _render_bank(back: str, *, create_errors=None, edit_errors=None, form=None, notice=None, status: int = 200):
    launch = current_launch()
    return render_template(
        "feedback/bank.html",
        snippets=visible_snippets(launch.user_id, launch.course_id),
        back=back,
        create_errors=create_errors or {},
        edit_errors=edit_errors or {},
        form=form or {},
        notice=notice,
    ), status


@instructor_required
def bank_page():
    """All snippets the teacher can use, with forms to add, edit and delete their own."""
    return _render_bank(safe_next(request.args.get("next"), url_for("feedback.grading")), notice=request.args.get("notice"))


@instructor_required
def bank_create():
    """Create a snippet: from the bank page's form, or as JSON from the composer (selection)."""
    launch = current_launch()
    data = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(data, "get"):  # a JSON body that is not an object
        abort(400)
    snippet_in = parse_snippet(data)
    back = safe_next(request.form.get("next") if not request.is_json else None, url_for("feedback.grading"))
    if snippet_in.errors:
        if wants_json():
            return jsonify({"ok": False, "errors": snippet_in.errors}), 400
        return _render_bank(back, create_errors=snippet_in.errors, form=data, status=400)
    # The student whose placeholders the composer shows: checked before anything is saved.
    student = None
    if request.is_json and str(data.get("student_id") or "").isdigit():
        student = student_or_404(int(data["student_id"]))
    snippet = operations.create_snippet(
        owner_id=launch.user_id, course_id=launch.course_id, title=snippet_in.title, body=snippet_in.body, shared=snippet_in.shared
    )
    if wants_json():
        return jsonify(
            {
                "ok": True,
                "snippet": snippet_json(snippet, placeholder_values(student, launch.course_title)),
                "message": _("Snippet saved in your comment bank."),
            }
        )
    return redirect(url_for("feedback.bank_page", next=back, notice="created"))


@instructor_required
def bank_update(snippet_id: int):
    snippet = own_snippet_or_404(snippet_id)
    snippet_in = parse_snippet(request.form)
    back = safe_next(request.form.get("next"), url_for("feedback.grading"))
    if snippet_in.errors:
        return _render_bank(back, edit_errors={snippet.id: snippet_in.errors}, status=400)
    operations.update_snippet(snippet, title=snippet_in.title, body=snippet_in.body, shared=snippet_in.shared)
    return redirect(url_for("feedback.bank_page", next=back, notice="updated"))


@instructor_required
def bank_delete(snippet_id: int):
    snippet = own_snippet_or_404(snippet_id)
    back = safe_next(request.form.get("next"), url_for("feedback.grading"))
    operations.delete_snippet(snippet)
    return redirect(url_for("feedback.bank_page", next=back, notice="deleted"))
