"""The score a publish sends to the gradebook (AGS), shaped by each LMS's quirks.

Pure functions over plain data; operations.py puts the result in the outbox. See
shared/docs/lms-notes.md for the facts behind each rule:

- Moodle replaces the gradebook feedback on every score POST, so a POST without
  `comment` erases it: on Moodle and on platforms we do not know, always send it.
- Canvas adds a new submission comment on every POST that carries one: send the
  comment only when it differs from the one the LMS already has.
- Moodle ignores `scoreGiven` unless `gradingProgress` is FullyGraded.
- The `timestamp` is set by the outbox at each attempt (LMSs refuse older ones).
"""

from __future__ import annotations

PLATFORM_CANVAS = "canvas"


def normalise_comment(text: str) -> str:
    """The comment as the gradebook gets it: plain text, Unix newlines, trimmed."""
    return (text or "").replace("\r\n", "\n").strip()


def should_send_comment(platform: str | None, text: str, delivered_comment: str | None) -> bool:
    """Whether this publish's payload carries the comment.

    `delivered_comment` is the comment of the latest publish that carried one and was
    not refused (sent, or still on its way), or None when there is none.
    """
    comment = normalise_comment(text)
    if not comment:
        return False
    if (platform or "").lower() == PLATFORM_CANVAS:
        return comment != normalise_comment(delivered_comment or "")
    return True


def score_payload(*, text: str, score: float | None, maximum: float | None, include_comment: bool) -> dict:
    """The AGS score body without userId and timestamp (the outbox adds both)."""
    payload: dict = {"activityProgress": "Completed", "gradingProgress": "FullyGraded"}
    if score is not None:
        if maximum is None:
            raise ValueError("a score needs the line item's maximum")
        payload["scoreGiven"] = score
        payload["scoreMaximum"] = maximum
    if include_comment:
        payload["comment"] = normalise_comment(text)
    return payload


def dedupe_key(feedback_id: int, revision: int) -> str:
    """One outbox entry per published revision: a double submit is one publish."""
    return f"feedback:{feedback_id}:{revision}"


# ------------------------------------------------------------------ LMS grading views
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
# LTI Submission Review: the platform offers "review" for results in these activity states.
REVIEWABLE_STATUS = ["Submitted", "Completed"]


def submission_review(url: str, label: str) -> dict:
    """The line item's `submissionReview` (LTI Submission Review 1.0): the platform's
    gradebook then launches an LtiSubmissionReviewRequest for a student. `custom` routes
    the launch to the feedback activity even where the platform sends only these."""
    return {"reviewableStatus": list(REVIEWABLE_STATUS), "label": label, "url": url, "custom": {"erbij_activity": "feedback"}}


def canvas_submission_payload(*, launch_url: str, submitted_at: str) -> dict:
    """A score that records a submission in Canvas without grading it: SpeedGrader then
    shows the student's row and launches `launch_url` (submission type basic_lti_launch)."""
    return {
        "activityProgress": "Submitted",
        "gradingProgress": "PendingManual",
        CANVAS_SUBMISSION: {
            "new_submission": True,
            "submission_type": "basic_lti_launch",
            "submission_data": launch_url,
            "submitted_at": submitted_at,
        },
    }


def canvas_submission_key(resource_link_id: int, student_id: int) -> str:
    """One recorded submission per student per activity."""
    return f"canvas-submission:{resource_link_id}:{student_id}"
