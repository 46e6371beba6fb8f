"""Teacher views: the grading list, the composer, autosave, the coach endpoint, publish, retry.

Thin: parse the request, call operations (state changes) and the pure helpers, render.
Every lookup is scoped to the launch's course and feedback link; anything else is a 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti import LaunchContext, current_launch, instructor_required
from ..models import User
from ..models.feedback import Feedback, FeedbackActivity
from ..roster import fold, sync_roster
from . import coaching, dialogue, operations
from .bank import fill_placeholders, placeholder_values, visible_snippet, visible_snippets
from .forms import MAX_TEXT_LENGTH, DraftInput, format_score, parse_draft, parse_snippet
from .guide import PARTS, assemble
from .status import StudentStatus, failure_reason, grading_rows, student_name
from .util import clock, feedback_link, lang, safe_next, student_or_404, when, with_notice

MAX_OTHERS = 500  # R13 compares with the other students' texts; a class is far smaller


def notices() -> dict[str, tuple[str, str]]:
    """Outcome messages after a redirect (?notice=…): (kind, sentence)."""
    return {
        "saved": ("ok", _("Draft saved.")),
        "published": ("ok", _("Published. Erbij is sending it to the gradebook; the status is shown below.")),
        "published_local": ("ok", _("Published in Erbij. This activity has no gradebook column, so your student sees it here only.")),
        "already": ("info", _("This version was already published.")),
        "unchanged": ("info", _("Nothing changed since the last publish, so nothing was sent again.")),
        "empty": ("warn", _("Write feedback or enter a score before publishing.")),
        "no_maximum": (
            "warn",
            _(
                "Erbij could not read the maximum score of the gradebook column yet, so it cannot send a score. Try again later, or publish without a score."
            ),
        ),
        "retried": ("ok", _("Sending again now.")),
        "not_retried": ("info", _("There was nothing to send again.")),
        "dismissed": ("ok", _("The other version is hidden.")),
        "snippet": ("ok", _("Snippet saved in your comment bank.")),
        "snippet_gone": ("warn", _("That snippet is no longer in the comment bank, so nothing was inserted. Your text is saved.")),
        "answered": ("ok", _("Your answer is published. Your student sees it under their reply.")),
        "already_answered": ("info", _("This reply already has your answer: a reply can be answered once.")),
    }


# ------------------------------------------------------------------ the grading list
@instructor_required
def grading():
    """All students of the course with their feedback status; a GET filter works without JS."""
    launch = current_launch()
    link = feedback_link()
    roster = sync_roster(launch)
    column = operations.sync_gradebook_column(launch)
    rows = grading_rows(launch.course_id, link.id)
    operations.record_canvas_submissions(launch, column.activity, [r.user for r in rows])
    q = request.args.get("q", "").strip()[:100]
    # Every row is rendered; non-matching ones are `hidden`, so the live filter (JS)
    # can widen a server-side search again.
    needle = fold(q)
    matching = {r.user.id for r in rows if needle in r.search_key}
    counts = Counter(r.status for r in rows)
    return render_template(
        "feedback/grading.html",
        link=link,
        activity=column.activity,
        column_ok=column.ok,
        roster=roster,
        rows=rows,
        matching=matching,
        total=len(rows),
        counts=counts,
        replies=dialogue.sent_replies(launch.course_id, link.id),
        student_name=student_name,
        q=q,
        notice=notices().get(request.args.get("notice", "")),
        failure_reason=failure_reason,
        when=when,
        format_score=format_score,
    )


# ------------------------------------------------------------------ the composer
@dataclass
class ComposerState:
    """What the composer form shows: saved values, or what was just submitted."""

    parts: dict[str, str]
    text: str
    score_raw: str
    revision: int
    question: str = ""


def _state(fb: Feedback | None, draft: DraftInput | None = None) -> ComposerState:
    revision = fb.revision if fb else 0
    if draft is not None:
        return ComposerState(draft.parts, draft.text, draft.score_raw, revision, draft.question)
    if fb is None:
        return ComposerState({}, "", "", 0)
    return ComposerState(dict(fb.parts or {}), fb.text, format_score(fb.score), revision, fb.question or "")


def other_texts(launch: LaunchContext, student_id: int) -> list[str]:
    """The other students' feedback in this activity (for R13, copied belief sentences)."""
    return list(
        db.session.execute(
            db.select(Feedback.text)
            .where(
                Feedback.course_id == launch.course_id,
                Feedback.resource_link_id == launch.resource_link_id,
                Feedback.student_id != student_id,
                Feedback.text != "",
            )
            .limit(MAX_OTHERS)
        ).scalars()
    )


def _neighbours(rows: list[StudentStatus], student_id: int) -> tuple[StudentStatus | None, StudentStatus | None, int]:
    ids = [r.user.id for r in rows]
    if student_id not in ids:
        return None, None, 0
    i = ids.index(student_id)
    return (rows[i - 1] if i > 0 else None), (rows[i + 1] if i + 1 < len(rows) else None), i + 1


def _render_composer(
    student: User,
    activity: FeedbackActivity,
    fb: Feedback | None,
    *,
    draft: DraftInput | None = None,
    errors: dict | None = None,
    snippet_errors: dict | None = None,
    snippet_form: dict | None = None,
    notice: tuple[str, str] | None = None,
    previous_text: str | None = None,
    answer_errors: dict | None = None,
    status: int = 200,
):
    launch = current_launch()
    thread = dialogue.thread(launch.course_id, launch.resource_link_id, student.id)
    # Seen by a teacher: from now on the student's reply is final.
    unread = [r for _pub, r in thread if r is not None and r.read_at is None]
    dialogue.mark_read([r for _pub, r in thread if r is not None], launch.user_id)
    rows = grading_rows(launch.course_id, launch.resource_link_id)
    row = next((r for r in rows if r.user.id == student.id), None)
    prev_row, next_row, position = _neighbours(rows, student.id)
    state = _state(fb, draft)
    values = placeholder_values(student, launch.course_title)
    snippets = [(s, fill_placeholders(s.body, values)) for s in visible_snippets(launch.user_id, launch.course_id)]
    return render_template(
        "feedback/composer.html",
        student=student,
        student_name=student_name(student),
        activity=activity,
        fb=fb,
        row=row,
        state=state,
        parts=PARTS,
        lang=lang(),
        coach=coaching.review(state.text, lang(), other_texts(launch, student.id)),
        snippets=snippets,
        errors=errors or {},
        snippet_errors=snippet_errors or {},
        snippet_form=snippet_form or {},
        notice=notice,
        previous_text=previous_text,
        prev_row=prev_row,
        next_row=next_row,
        position=position,
        total=len(rows),
        failure_reason=failure_reason,
        when=when,
        clock=clock,
        format_score=format_score,
        max_text=MAX_TEXT_LENGTH,
        thread=thread,
        unread_ids={r.id for r in unread},
        answer_errors=answer_errors or {},
        max_answer=dialogue.MAX_ANSWER,
        max_question=dialogue.MAX_QUESTION,
    ), status


def _composer_scope(student_id: int, *, sync_column: bool = True) -> tuple[LaunchContext, User, FeedbackActivity]:
    """The launch, student and activity of a composer request; a 404 outside this course's
    feedback link or for anyone who is not its learner. The autosave skips the (throttled)
    line item check: it never needs the LMS."""
    launch = current_launch()
    feedback_link()
    student = student_or_404(student_id)
    activity = operations.sync_gradebook_column(launch).activity if sync_column else operations.feedback_activity(launch)
    return launch, student, activity


@instructor_required
def composer(student_id: int):
    """One student's feedback: guided parts, free text, score, coach, comment bank."""
    launch, student, activity = _composer_scope(student_id)
    fb = operations.feedback_for(launch, student.id)
    return _render_composer(student, activity, fb, notice=notices().get(request.args.get("notice", "")))


@dataclass
class FormSave:
    fb: Feedback
    draft: DraftInput
    result: operations.SaveResult
    previous_text: str | None
    snippet_gone: bool = False  # the snippet to insert was deleted meanwhile


def _save_from_form(launch: LaunchContext, student: User, activity: FeedbackActivity) -> FormSave:
    """Apply the composer form: assemble when asked (or when only the parts are filled),
    append a snippet, then save. An invalid score keeps the saved one: the text is never lost."""
    draft = parse_draft(request.form, activity.score_maximum)
    previous_text = None
    if request.form.get("action") == "assemble" or (not draft.text.strip() and draft.parts):
        assembled = assemble(draft.parts)
        if draft.text.strip() and draft.text.strip() != assembled:
            previous_text = draft.text  # shown below the form to copy from
        draft.text = assembled
    snippet_gone = False
    if request.form.get("append_snippet"):
        try:
            snippet = visible_snippet(int(request.form["append_snippet"]))
        except ValueError:
            abort(400)
        if snippet is None:
            snippet_gone = True  # still save what the teacher typed
        else:
            filled = fill_placeholders(snippet.body, placeholder_values(student, launch.course_title))
            draft.text = (draft.text.rstrip() + ("\n\n" if draft.text.strip() else "") + filled)[:MAX_TEXT_LENGTH]
    result = _save_draft(launch, student, draft)
    return FormSave(result.feedback, draft, result, previous_text, snippet_gone)


def _save_draft(launch: LaunchContext, student: User, draft: DraftInput) -> operations.SaveResult:
    """The one save of the form and the autosave; an invalid score keeps the saved one."""
    fb = operations.feedback_for(launch, student.id, create=True)
    return operations.save_draft(
        fb,
        parts=draft.parts,
        text=draft.text,
        score=draft.score if draft.score_ok else fb.score,
        base_revision=draft.base_revision,
        user_id=launch.user_id,
        question=draft.question,
    )


@instructor_required
def composer_post(student_id: int):
    """The composer form without JavaScript: save, assemble, insert a snippet, add one, next."""
    launch, student, activity = _composer_scope(student_id)
    saved = _save_from_form(launch, student, activity)
    action = request.form.get("action", "save")
    snippet_errors: dict = {}
    done = "snippet_gone" if saved.snippet_gone else None  # the notice key of what happened besides the save
    if action == "add_snippet":
        snippet_in = parse_snippet(request.form, prefix="snippet_")
        if snippet_in.errors:
            snippet_errors = snippet_in.errors
        else:
            operations.create_snippet(
                owner_id=launch.user_id, course_id=launch.course_id, title=snippet_in.title, body=snippet_in.body, shared=snippet_in.shared
            )
            done = "snippet"
    elif action == "dismiss_conflict":
        operations.dismiss_displaced(saved.fb)
        done = "dismissed"
    notice = notices()[done] if done else None
    if saved.draft.errors or snippet_errors or saved.result.displaced or saved.previous_text is not None:
        return _render_composer(
            student,
            activity,
            saved.fb,
            draft=saved.draft,
            errors=saved.draft.errors,
            snippet_errors=snippet_errors,
            snippet_form=request.form if snippet_errors else None,
            previous_text=saved.previous_text,
            notice=notice,
            status=400 if (saved.draft.errors or snippet_errors) else 200,
        )
    if action == "next":
        rows = grading_rows(launch.course_id, launch.resource_link_id)
        _prev, nxt, _pos = _neighbours(rows, student.id)
        if nxt is not None:
            return redirect(url_for("feedback.composer", student_id=nxt.user.id, notice="saved"))
        return redirect(url_for("feedback.grading", notice="saved"))
    return redirect(url_for("feedback.composer", student_id=student.id, notice=done or "saved") + "#composer")


@instructor_required
def publish(student_id: int):
    """Save the form, then publish that version (one outbox entry per version)."""
    launch, student, activity = _composer_scope(student_id)
    saved = _save_from_form(launch, student, activity)
    if saved.draft.errors or saved.result.displaced:
        # Never publish over a version the teacher has not seen, nor with an invalid score.
        return _render_composer(
            student,
            activity,
            saved.fb,
            draft=saved.draft,
            errors=saved.draft.errors,
            previous_text=saved.previous_text,
            notice=("warn", _("Not published yet: check the message below, then publish again.")),
            status=400 if saved.draft.errors else 409,
        )
    result = operations.publish_feedback(saved.fb, activity, launch)
    if result.created:
        key = "published" if activity.lineitem_url else "published_local"
    else:
        key = result.reason or "already"
    return redirect(url_for("feedback.composer", student_id=student.id, notice=key))


@instructor_required
def answer(student_id: int, reply_id: int):
    """The teacher's one answer to a student's reply (never sent to the gradebook)."""
    launch, student, activity = _composer_scope(student_id, sync_column=False)
    reply = dialogue.reply_in_scope(reply_id, course_id=launch.course_id, resource_link_id=launch.resource_link_id, student_id=student.id)
    if reply is None:
        abort(404)
    text, error = dialogue.parse_answer(request.form)
    if error:
        fb = operations.feedback_for(launch, student.id)
        return _render_composer(student, activity, fb, answer_errors={reply.id: error}, status=400)
    done = dialogue.answer_reply(reply, text, launch.user_id)
    if not done:
        fb = operations.feedback_for(launch, student.id)
        return _render_composer(student, activity, fb, notice=notices()["already_answered"], status=409)
    return redirect(url_for("feedback.composer", student_id=student.id, notice="answered") + "#dialogue")


# ------------------------------------------------------------------ JSON endpoints
def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(400)
    return data


@instructor_required
def autosave(student_id: int):
    """Autosave from the composer's JavaScript (debounced). Same rules as the form save."""
    launch, student, activity = _composer_scope(student_id, sync_column=False)
    draft = parse_draft(_json_body(), activity.score_maximum)
    result = _save_draft(launch, student, draft)
    fb = result.feedback
    body: dict = {
        "ok": True,
        "changed": result.changed,
        "revision": fb.revision,
        "saved_at": clock(fb.updated_at),
        "message": _("Draft saved at %(time)s.", time=clock(fb.updated_at)) if fb.revision else "",
        "errors": draft.errors,
    }
    if result.displaced:
        body["conflict"] = {
            "text": result.displaced.text,
            "score": format_score(result.displaced.score),
            "saved_at": clock(result.displaced.saved_at),
            "message": conflict_message(result.displaced.saved_at),
        }
    return jsonify(body)


def conflict_message(saved_at) -> str:
    return _(
        "This draft was changed in another tab at %(time)s. Your version is saved; the other version is shown below to copy from.",
        time=clock(saved_at),
    )


@instructor_required
def coach_json():
    """Live coaching: the coach's findings for the text, in the page's language."""
    launch = current_launch()
    data = _json_body()
    text = str(data.get("text") or "")[:MAX_TEXT_LENGTH]
    others: list[str] = []
    student_id = data.get("student_id")
    if student_id not in (None, "") and launch.resource_link_id:
        try:
            student = student_or_404(int(student_id))
        except (TypeError, ValueError):
            abort(400)
        feedback_link()
        others = other_texts(launch, student.id)
    return jsonify(coaching.review(text, lang(), others).to_dict())


# ------------------------------------------------------------------ retry
@instructor_required
def retry(feedback_id: int):
    """Send a failed (or waiting) publish again now; scoped to this course and activity."""
    launch = current_launch()
    feedback_link()
    fb = db.session.execute(
        db.select(Feedback).where(
            Feedback.id == feedback_id, Feedback.course_id == launch.course_id, Feedback.resource_link_id == launch.resource_link_id
        )
    ).scalar_one_or_none()
    if fb is None:
        abort(404)
    queued = operations.retry_publish(fb, launch.course_id)
    back = safe_next(request.form.get("next"), url_for("feedback.grading"))
    return redirect(with_notice(back, "retried" if queued else "not_retried"))
