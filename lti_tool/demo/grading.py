"""How the demo LMS treats an incoming AGS score: pure rules, with the real LMS quirks.

- A score replaces the previous result entirely; a score without `comment` erases the
  comment (Moodle).
- `scoreGiven` is kept only when `gradingProgress` is FullyGraded (Moodle).
- A timestamp older than or equal to the stored one is refused with 409 (Moodle; Canvas
  answers 400 for the same case).
- A userId that is not a Learner of the course is refused with 422 (Canvas).
- A scoreGiven above scoreMaximum is accepted but flagged in the gradebook.
- Canvas's submission extension (`https://canvas.instructure.com/lti/submission`) records a
  submission; a later score without it keeps the submission (as Canvas does).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from .store import LineItem, Result

ACTIVITY_PROGRESS = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING_PROGRESS = frozenset({"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"})
FULLY_GRADED = "FullyGraded"
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"
SUBMISSION_TYPES = frozenset({"none", "basic_lti_launch", "online_text_entry", "external_tool", "online_upload", "online_url"})


class ScoreRefused(Exception):
    """The score is not accepted; `status` is the HTTP status the LMS answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Score:
    """A parsed `application/vnd.ims.lis.v1.score+json` body."""

    user_id: str
    score_given: float | None
    score_maximum: float | None
    comment: str | None
    timestamp_raw: str
    timestamp: datetime
    activity_progress: str
    grading_progress: str
    submission: dict | None = None


def parse_score(body: object) -> Score:
    """Validate the score JSON; raise ScoreRefused(400) with the first problem found."""
    if not isinstance(body, dict):
        raise ScoreRefused(400, "The score must be a JSON object.")
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise ScoreRefused(400, "userId is required.")
    timestamp_raw = body.get("timestamp")
    if not isinstance(timestamp_raw, str):
        raise ScoreRefused(400, "timestamp is required (ISO 8601 with a time zone).")
    try:
        timestamp = datetime.fromisoformat(timestamp_raw)
    except ValueError:
        raise ScoreRefused(400, f"timestamp {timestamp_raw!r} is not ISO 8601.") from None
    if timestamp.tzinfo is None:
        raise ScoreRefused(400, "timestamp must include a time zone offset.")
    activity = body.get("activityProgress")
    if activity not in ACTIVITY_PROGRESS:
        raise ScoreRefused(400, f"activityProgress must be one of {sorted(ACTIVITY_PROGRESS)}.")
    grading = body.get("gradingProgress")
    if grading not in GRADING_PROGRESS:
        raise ScoreRefused(400, f"gradingProgress must be one of {sorted(GRADING_PROGRESS)}.")
    score_given = _number(body, "scoreGiven")
    score_maximum = _number(body, "scoreMaximum")
    if score_given is not None:
        if score_maximum is None:
            raise ScoreRefused(400, "scoreMaximum is required with scoreGiven.")
        if score_given < 0:
            raise ScoreRefused(400, "scoreGiven must not be negative.")
    if score_maximum is not None and score_maximum <= 0:
        raise ScoreRefused(400, "scoreMaximum must be above 0.")
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ScoreRefused(400, "comment must be a string.")
    submission = _submission(body.get(CANVAS_SUBMISSION))
    return Score(
        submission=submission,
        user_id=user_id,
        score_given=score_given,
        score_maximum=score_maximum,
        comment=comment,
        timestamp_raw=timestamp_raw,
        timestamp=timestamp,
        activity_progress=str(activity),
        grading_progress=str(grading),
    )


def accept_score(
    score: Score,
    *,
    line_item_id: int,
    is_learner: bool,
    previous: Result | None,
    received_at: float,
) -> Result:
    """The new gradebook cell for this score, or ScoreRefused (422 / 409)."""
    if not is_learner:
        raise ScoreRefused(422, f"User {score.user_id!r} is not a student in this course.")
    if previous is not None and score.timestamp <= datetime.fromisoformat(previous.timestamp_utc):
        raise ScoreRefused(
            409,
            f"timestamp {score.timestamp_raw} is not newer than the stored result ({previous.timestamp}).",
        )
    keep_score = score.grading_progress == FULLY_GRADED and score.score_given is not None
    score_given = score.score_given if keep_score else None
    score_maximum = score.score_maximum if keep_score else None
    return Result(
        line_item_id=line_item_id,
        user_id=score.user_id,
        score_given=score_given,
        score_maximum=score_maximum,
        # No comment in the POST means no comment any more, like Moodle.
        comment=score.comment,
        timestamp=score.timestamp_raw,
        timestamp_utc=score.timestamp.astimezone(UTC).isoformat(),
        activity_progress=score.activity_progress,
        grading_progress=score.grading_progress,
        above_maximum=bool(score_given is not None and score_maximum is not None and score_given > score_maximum),
        received_at=received_at,
        submission=score.submission or (previous.submission if previous is not None else None),
    )


def _submission(value: object) -> dict | None:
    """Validate Canvas's submission extension: new_submission, submission_type,
    submission_data (the launch URL for basic_lti_launch) and submitted_at."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ScoreRefused(400, f"{CANVAS_SUBMISSION} must be an object.")
    kind = value.get("submission_type", "external_tool")
    if kind not in SUBMISSION_TYPES:
        raise ScoreRefused(400, f"submission_type must be one of {sorted(SUBMISSION_TYPES)}.")
    new = value.get("new_submission", kind != "none")
    if not isinstance(new, bool):
        raise ScoreRefused(400, "new_submission must be true or false.")
    data = value.get("submission_data")
    if data is not None and not isinstance(data, str):
        raise ScoreRefused(400, "submission_data must be a string.")
    if kind in ("basic_lti_launch", "online_url") and not (data or "").startswith(("https://", "http://")):
        raise ScoreRefused(400, f"submission_data must be a URL for {kind}.")
    submitted_at = value.get("submitted_at")
    if submitted_at is not None:
        try:
            if not isinstance(submitted_at, str) or datetime.fromisoformat(submitted_at).tzinfo is None:
                raise ValueError
        except ValueError:
            raise ScoreRefused(400, "submitted_at must be ISO 8601 with a time zone.") from None
    return {"new_submission": new, "submission_type": kind, "submission_data": data, "submitted_at": submitted_at}


def result_score(result: Result, line_item: LineItem) -> float | None:
    """The score on the line item's own scale (Moodle rescales to the grade item maximum)."""
    if result.score_given is None or not result.score_maximum:
        return None
    return round(result.score_given / result.score_maximum * line_item.score_maximum, 5)


def _number(body: dict[str, object], name: str) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScoreRefused(400, f"{name} must be a number.")
    return float(value)
