"""Routes of the feedback composer. Views live in grading.py (teachers), student.py
(learners), bank.py (comment bank) and deep_link.py (editor placement)."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for

from ..lti import LaunchContext, LaunchRefused, current_launch
from ..lti.landing import lands_at
from ..models.course import ACTIVITY_FEEDBACK
from . import bank, deep_link, grading, student
from .review import check_own, review_student

bp = Blueprint("feedback", __name__, url_prefix="/l/<lid>/feedback")


@lands_at(ACTIVITY_FEEDBACK)
def landing(launch: LaunchContext) -> str:
    """Where a launch of a feedback link lands: teachers grade, learners read.

    A launch about one student (a submission review, a SpeedGrader link) opens that
    student's composer for a teacher and the student's own feedback for the student."""
    if launch.for_user_sub:
        if launch.is_instructor:
            return url_for("feedback.composer", student_id=review_student(launch).id)
        if launch.is_learner:
            check_own(launch)
            return url_for("feedback.mine")
    if launch.is_instructor:
        return url_for("feedback.grading")
    if launch.is_learner:
        return url_for("feedback.mine")
    raise LaunchRefused("forbidden_role", detail="feedback needs instructor or learner")


@bp.route("/")
def entry():
    return redirect(landing(current_launch()))


bp.add_url_rule("/grading", "grading", grading.grading)
bp.add_url_rule("/students/<int:student_id>", "composer", grading.composer)
bp.add_url_rule("/students/<int:student_id>", "composer_post", grading.composer_post, methods=["POST"])
bp.add_url_rule("/students/<int:student_id>/draft", "autosave", grading.autosave, methods=["POST"])
bp.add_url_rule("/students/<int:student_id>/publish", "publish", grading.publish, methods=["POST"])
bp.add_url_rule("/coach", "coach", grading.coach_json, methods=["POST"])
bp.add_url_rule("/feedback/<int:feedback_id>/retry", "retry", grading.retry, methods=["POST"])
bp.add_url_rule("/mine", "mine", student.mine)
bp.add_url_rule("/mine/<int:publish_id>/reply", "reply", student.reply, methods=["POST"])
bp.add_url_rule("/students/<int:student_id>/replies/<int:reply_id>/answer", "answer", grading.answer, methods=["POST"])
bp.add_url_rule("/bank", "bank_page", bank.bank_page)
bp.add_url_rule("/bank", "bank_create", bank.bank_create, methods=["POST"])
bp.add_url_rule("/bank/<int:snippet_id>", "bank_update", bank.bank_update, methods=["POST"])
bp.add_url_rule("/bank/<int:snippet_id>/delete", "bank_delete", bank.bank_delete, methods=["POST"])
bp.add_url_rule("/deep-link", "deep_link_html", deep_link.deep_link_html, methods=["GET", "POST"])
