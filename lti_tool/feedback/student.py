"""The learner's view: their own published feedback in this activity, newest first.

Only publishes are shown, never drafts, and only the launching learner's own: the
query is scoped to the launch's user, course and resource link, with no id in the URL.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..lti import current_launch, learner_required
from ..models import OutboxEntry
from ..models.feedback import FeedbackPublish
from ..models.outbox import STATUS_SENT
from . import dialogue, operations
from .forms import format_score
from .util import feedback_link, when


def my_publishes(course_id: int, resource_link_id: int, user_id: int) -> list[tuple[FeedbackPublish, bool]]:
    """(publish, reached the gradebook) for this learner, newest first."""
    rows = db.session.execute(
        dialogue.of_student(FeedbackPublish, course_id=course_id, resource_link_id=resource_link_id, student_id=user_id)
        .add_columns(OutboxEntry.status)
        .outerjoin(OutboxEntry, OutboxEntry.id == FeedbackPublish.outbox_entry_id)
        .order_by(FeedbackPublish.published_at.desc(), FeedbackPublish.id.desc())
    ).all()
    return [(pub, status == STATUS_SENT) for pub, status in rows]


def notices() -> dict[str, tuple[str, str]]:
    return {
        "draft_saved": ("ok", _("Your reply is saved as a draft. Only you can see it until you send it.")),
        "sent": ("ok", _("Your reply is sent to your teacher. You can still change it until your teacher has read it.")),
        "updated": ("ok", _("Your reply is changed.")),
        "locked": ("warn", _("Your teacher has already read your reply, so it can no longer be changed.")),
    }


def _render(link, *, form_for: int | None = None, form=None, errors=None, notice=None, status: int = 200):
    launch = current_launch()
    publishes = my_publishes(launch.course_id, link.id, launch.user_id)
    replies = dialogue.replies_by_publish([p.id for p, _sent in publishes])
    return render_template(
        "feedback/student.html",
        link=link,
        publishes=publishes,
        replies=replies,
        form_for=form_for,
        form=form or {},
        errors=errors or {},
        notice=notice,
        max_reply=dialogue.MAX_REPLY,
        when=when,
        format_score=format_score,
    ), status


@learner_required
def mine():
    launch = current_launch()
    link = feedback_link()
    # On Canvas, opening the activity is how a student "hands in": SpeedGrader lists them.
    operations.record_canvas_submissions(launch, operations.feedback_activity(launch), [launch.user])
    return _render(link, notice=notices().get(request.args.get("notice", "")))


@learner_required
def reply(publish_id: int):
    """Save, send or change the student's reply under one of their own published feedbacks."""
    launch = current_launch()
    link = feedback_link()
    pub = dialogue.student_publish(publish_id, course_id=launch.course_id, resource_link_id=link.id, student_id=launch.user_id)
    if pub is None:
        abort(404)  # another student's feedback, or none: the same answer, nothing to learn
    data = dialogue.parse_reply(request.form, has_question=bool(pub.question))
    if data.errors:
        return _render(link, form_for=pub.id, form=request.form, errors=data.errors, status=400)
    result = dialogue.save_reply(pub, launch.user_id, data)
    return redirect(url_for("feedback.mine", notice=result.outcome) + f"#pub-{pub.id}")
