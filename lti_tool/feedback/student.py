"""The learner's view: their own published feedback in this activity, newest first.

Only publishes are shown, never drafts, and only the launching learner's own: the
query is scoped to the launch's user, course and resource link, with no id in the URL.
"""

from __future__ import annotations

from flask import render_template

from ..extensions import db
from ..lti import current_launch, learner_required
from ..models import OutboxEntry
from ..models.feedback import Feedback, FeedbackPublish
from ..models.outbox import STATUS_SENT
from .forms import format_score
from .util import feedback_link, when


def my_publishes(course_id: int, resource_link_id: int, user_id: int) -> list[tuple[FeedbackPublish, bool]]:
    """(publish, reached the gradebook) for this learner, newest first."""
    rows = db.session.execute(
        db.select(FeedbackPublish, OutboxEntry.status)
        .join(Feedback, Feedback.id == FeedbackPublish.feedback_id)
        .outerjoin(OutboxEntry, OutboxEntry.id == FeedbackPublish.outbox_entry_id)
        .where(
            Feedback.course_id == course_id,
            Feedback.resource_link_id == resource_link_id,
            Feedback.student_id == user_id,
            FeedbackPublish.course_id == course_id,
        )
        .order_by(FeedbackPublish.published_at.desc(), FeedbackPublish.id.desc())
    ).all()
    return [(pub, status == STATUS_SENT) for pub, status in rows]


@learner_required
def mine():
    launch = current_launch()
    link = feedback_link()
    return render_template(
        "feedback/student.html",
        link=link,
        publishes=my_publishes(launch.course_id, link.id, launch.user_id),
        when=when,
        format_score=format_score,
    )
