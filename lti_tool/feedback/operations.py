"""Every state change of the feedback feature, with its logging, in one place.

Views parse input and call these; nothing else writes feedback rows. Each function
commits its own transaction, so a view never leaves half a change behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from .. import outbox
from ..extensions import cache, db
from ..lti import LaunchContext, PlatformServices, ServiceError, SubmissionRef, launch_url, submission_url
from ..models import OutboxEntry, ResourceLink, User
from ..models.feedback import CommentSnippet, Feedback, FeedbackActivity, FeedbackPublish
from ..models.outbox import STATUS_FAILED
from ..timeutil import utcnow
from . import publishing

log = logging.getLogger(__name__)

LINEITEM_REFRESH = timedelta(minutes=10)  # the teacher may change the maximum in the LMS
LINEITEM_CLAIM = timedelta(minutes=2)  # a crashed creator's claim expires
LINEITEM_RETRY = timedelta(minutes=1)  # after a failed fetch: do not wait on a down LMS at every click
DEFAULT_MAXIMUM = 10.0
LINEITEM_TAG = "erbij-feedback"


# ------------------------------------------------------------------ gradebook column
@dataclass(frozen=True)
class ColumnSync:
    """The feedback activity and whether the LMS answered when we asked about its column."""

    activity: FeedbackActivity
    ok: bool = True


def feedback_activity(launch: LaunchContext) -> FeedbackActivity:
    """The FeedbackActivity row of the launch's resource link, created on first use."""
    link_id = launch.resource_link_id
    activity = db.session.get(FeedbackActivity, link_id)
    if activity is not None:
        return activity
    db.session.add(FeedbackActivity(resource_link_id=link_id, course_id=launch.course_id))
    try:
        db.session.commit()
    except IntegrityError:  # another tab created it a moment ago
        db.session.rollback()
    return db.session.get(FeedbackActivity, link_id)


def sync_gradebook_column(launch: LaunchContext) -> ColumnSync:
    """Make sure the activity knows its line item (name, maximum), creating it once if needed.

    A line item from the launch (`lineitem`) wins. Without one, but with the `lineitems`
    service, Erbij finds or creates a column for this link once and remembers it. Line
    item details are refreshed at most every LINEITEM_REFRESH; a failing LMS leaves the
    cached values in place (ok=False lets the page say so).
    """
    activity = feedback_activity(launch)
    link = db.session.get(ResourceLink, launch.resource_link_id)
    from_launch = (launch.ags.lineitem if launch.ags else None) or link.lineitem_url
    if from_launch and from_launch != activity.lineitem_url:
        activity.lineitem_url = from_launch
        activity.lineitem_created = False
        activity.lineitem_checked_at = None
        db.session.commit()
    if not activity.lineitem_url:
        if launch.ags and launch.ags.lineitems:
            return ColumnSync(activity, ok=_create_lineitem_once(launch, activity, link))
        return ColumnSync(activity, ok=True)
    if activity.lineitem_checked_at and utcnow() - activity.lineitem_checked_at < LINEITEM_REFRESH:
        return ColumnSync(activity, ok=True)
    try:
        item = PlatformServices(launch.registration_id).lineitem(activity.lineitem_url)
    except ServiceError as exc:
        log.warning("line item fetch failed link=%s status=%s: %s", link.id, exc.status, exc)
        activity.lineitem_checked_at = utcnow() - LINEITEM_REFRESH + LINEITEM_RETRY
        db.session.commit()
        return ColumnSync(activity, ok=False)
    _remember_lineitem(activity, item)
    db.session.commit()
    _offer_submission_review(launch, activity, item)
    return ColumnSync(activity, ok=True)


REVIEW_ASKED_EVERY = 24 * 3600  # an LMS that ignores submissionReview is asked once a day


def _offer_submission_review(launch: LaunchContext, activity: FeedbackActivity, item: dict) -> None:
    """Add `submissionReview` to a column the LMS made (the activity's own grade item), so
    that its gradebook offers "review" for a student. Canvas has no submission review (it
    gets SpeedGrader submissions); a refusal is logged and the page goes on."""
    from ..lti.services import SCOPE_LINEITEM

    if item.get("submissionReview") or launch.is_canvas or not launch.ags or SCOPE_LINEITEM not in launch.ags.scopes:
        return
    if not cache.add(f"lineitem-review:{activity.resource_link_id}", 1, timeout=REVIEW_ASKED_EVERY):
        return
    body = {k: v for k, v in item.items() if k in ("id", "label", "scoreMaximum", "resourceLinkId", "resourceId", "tag", "startDateTime", "endDateTime")}
    body["submissionReview"] = publishing.submission_review(launch_url(), _("Open the feedback in Erbij"))
    try:
        PlatformServices(launch.registration_id).update_lineitem(activity.lineitem_url, body)
    except ServiceError as exc:
        log.info("line item %s: submissionReview not accepted (status %s)", activity.lineitem_url, exc.status)
        return
    log.info("line item %s offers submission review", activity.lineitem_url)


def _remember_lineitem(activity: FeedbackActivity, item: dict) -> None:
    activity.lineitem_label = str(item.get("label") or activity.lineitem_label or "")[:500]
    try:
        maximum = float(item.get("scoreMaximum"))
        activity.score_maximum = maximum if maximum > 0 else activity.score_maximum
    except (TypeError, ValueError):
        pass  # keep what we knew: a column without a usable maximum still takes comments
    activity.lineitem_checked_at = utcnow()


def _create_lineitem_once(launch: LaunchContext, activity: FeedbackActivity, link: ResourceLink) -> bool:
    # The conditional UPDATE is the lock: only the request whose UPDATE hits the row
    # talks to the LMS, so two tabs opening at once create one column, not two.
    cooldown_key = f"lineitem-create-failed:{activity.resource_link_id}"
    if cache.get(cooldown_key):
        return False  # it failed a moment ago: do not make every click wait on a down LMS
    t = utcnow()
    claimed = db.session.execute(
        db.update(FeedbackActivity)
        .where(
            FeedbackActivity.resource_link_id == activity.resource_link_id,
            FeedbackActivity.lineitem_url.is_(None),
            (FeedbackActivity.lineitem_claimed_at.is_(None)) | (FeedbackActivity.lineitem_claimed_at < t - LINEITEM_CLAIM),
        )
        .values(lineitem_claimed_at=t)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        db.session.refresh(activity)
        return True
    services = PlatformServices(launch.registration_id)
    try:
        # A column made for this link earlier (our row lost, or made by the LMS) is reused.
        existing = [
            i
            for i in services.lineitems(launch.ags.lineitems, link.link_id)
            if isinstance(i, dict) and i.get("id") and str(i.get("resourceLinkId") or "") == link.link_id
        ]
        if existing:
            item, created = existing[0], False
        else:
            item = services.create_lineitem(
                launch.ags.lineitems,
                {
                    "label": (link.title or _("Feedback"))[:200],
                    "scoreMaximum": DEFAULT_MAXIMUM,
                    "resourceLinkId": link.link_id,
                    "tag": LINEITEM_TAG,
                    # So that the LMS's gradebook can open this student's feedback in Erbij.
                    "submissionReview": publishing.submission_review(launch_url(), _("Open the feedback in Erbij")),
                },
            )
            created = True
        if not item.get("id"):
            raise ServiceError("line item without id", status=None)
    except ServiceError as exc:
        log.warning("line item creation failed link=%s status=%s: %s", link.id, exc.status, exc)
        activity.lineitem_claimed_at = None
        db.session.commit()
        cache.set(cooldown_key, 1, timeout=int(LINEITEM_RETRY.total_seconds()))
        return False
    activity.lineitem_url = str(item["id"])[:1000]
    activity.lineitem_created = created
    _remember_lineitem(activity, item)
    if activity.score_maximum is None:
        activity.score_maximum = DEFAULT_MAXIMUM
    db.session.commit()
    log.info("line item %s link=%s url=%s", "created" if created else "found", link.id, activity.lineitem_url)
    return True


# ------------------------------------------------------------------ drafts
@dataclass(frozen=True)
class Displaced:
    """The version another tab had saved, replaced by this save (shown to copy from)."""

    text: str
    score: float | None
    saved_at: datetime


@dataclass(frozen=True)
class SaveResult:
    feedback: Feedback
    changed: bool
    displaced: Displaced | None = None


def feedback_for(launch: LaunchContext, student_id: int, *, create: bool = False) -> Feedback | None:
    """The draft of `student_id` in the launch's activity (scoped to its course and link)."""
    query = db.select(Feedback).where(
        Feedback.course_id == launch.course_id,
        Feedback.resource_link_id == launch.resource_link_id,
        Feedback.student_id == student_id,
    )
    fb = db.session.execute(query).scalar_one_or_none()
    if fb is not None or not create:
        return fb
    db.session.add(Feedback(course_id=launch.course_id, resource_link_id=launch.resource_link_id, student_id=student_id, parts={}, text=""))
    try:
        db.session.commit()
    except IntegrityError:  # created by another tab at the same moment
        db.session.rollback()
    return db.session.execute(query).scalar_one()


def save_draft(
    fb: Feedback,
    *,
    parts: dict[str, str],
    text: str,
    score: float | None,
    base_revision: int | None,
    user_id: int,
    question: str = "",
) -> SaveResult:
    """Save the teacher's version. Never silently drops a version from another tab.

    A save is a compare-and-swap on `revision`. When the teacher's page was based on
    an older revision (a second tab saved since), this save still wins — the teacher
    keeps what they see — and the other version is kept in `displaced_*` and returned,
    so the page can show it to copy from. An identical save is a no-op (a double
    submit, or an autosave racing a submit), whatever revision it names.
    """
    for _attempt in range(5):
        db.session.refresh(fb)
        if fb.text == text and (fb.parts or {}) == parts and fb.score == score and (fb.question or "") == question:
            return SaveResult(fb, changed=False)
        stale = base_revision is not None and base_revision != fb.revision
        values: dict = {
            "parts": parts,
            "question": question,
            "text": text,
            "score": score,
            "revision": fb.revision + 1,
            "updated_at": utcnow(),
            "updated_by_id": user_id,
        }
        displaced = None
        if stale and (fb.text or fb.score is not None):
            displaced = Displaced(fb.text, fb.score, fb.updated_at)
            values.update(displaced_text=fb.text, displaced_score=fb.score, displaced_at=fb.updated_at)
        hit = db.session.execute(
            db.update(Feedback).where(Feedback.id == fb.id, Feedback.revision == fb.revision).values(**values)
        ).rowcount
        db.session.commit()
        if hit == 1:
            db.session.refresh(fb)
            if displaced:
                log.info("feedback %s saved over a newer version from another tab (base %s)", fb.id, base_revision)
            return SaveResult(fb, changed=True, displaced=displaced)
        # Another request saved between our read and our write: look again.
    raise RuntimeError(f"feedback {fb.id}: could not save after repeated concurrent changes")


def dismiss_displaced(fb: Feedback) -> None:
    """The teacher has copied what they needed from the other tab's version."""
    fb.displaced_text = None
    fb.displaced_score = None
    fb.displaced_at = None
    db.session.commit()


# ------------------------------------------------------------------ publishing
@dataclass(frozen=True)
class PublishResult:
    publish: FeedbackPublish | None
    created: bool
    reason: str | None = None  # "empty", "unchanged", "no_maximum" when nothing was published


def _delivered_comment(fb: Feedback) -> str | None:
    """The comment the LMS has (or is about to get): latest publish with one, not refused."""
    row = db.session.execute(
        db.select(FeedbackPublish.text)
        .outerjoin(OutboxEntry, OutboxEntry.id == FeedbackPublish.outbox_entry_id)
        .where(
            FeedbackPublish.feedback_id == fb.id,
            FeedbackPublish.comment_sent.is_(True),
            (OutboxEntry.id.is_(None)) | (OutboxEntry.status != STATUS_FAILED),
        )
        .order_by(FeedbackPublish.id.desc())
        .limit(1)
    ).first()
    return row[0] if row else None


def latest_publish(fb: Feedback) -> FeedbackPublish | None:
    return db.session.execute(
        db.select(FeedbackPublish).where(FeedbackPublish.feedback_id == fb.id).order_by(FeedbackPublish.id.desc()).limit(1)
    ).scalar_one_or_none()


def publish_feedback(fb: Feedback, activity: FeedbackActivity, launch: LaunchContext) -> PublishResult:
    """Publish the current draft: the frozen version and its outbox entry in ONE commit.

    The dedupe key is the draft revision, so a double click or a repeated submit of the
    same draft is one publish and one gradebook POST; editing makes a new revision and
    so a new publish. Sending happens later, in the outbox worker (kicked here).
    """
    db.session.refresh(fb)
    if not fb.text.strip() and fb.score is None:
        return PublishResult(None, created=False, reason="empty")
    same_revision = db.session.execute(
        db.select(FeedbackPublish).where(FeedbackPublish.feedback_id == fb.id, FeedbackPublish.revision == fb.revision)
    ).scalar_one_or_none()
    if same_revision is not None:
        return PublishResult(same_revision, created=False)
    previous = latest_publish(fb)
    if previous is not None and previous.text == fb.text and previous.score == fb.score and previous.question == (fb.question or ""):
        return PublishResult(previous, created=False, reason="unchanged")
    if fb.score is not None and activity.lineitem_url and activity.score_maximum is None:
        return PublishResult(None, created=False, reason="no_maximum")

    student = db.session.get(User, fb.student_id)
    include_comment = publishing.should_send_comment(launch.extra.get("platform"), fb.text, _delivered_comment(fb))
    pub = FeedbackPublish(
        feedback_id=fb.id,
        course_id=fb.course_id,
        revision=fb.revision,
        text=fb.text,
        question=fb.question or "",
        score=fb.score,
        score_maximum=activity.score_maximum,
        comment_sent=include_comment and bool(activity.lineitem_url),
        published_at=utcnow(),
        published_by_id=launch.user_id,
    )
    db.session.add(pub)
    try:
        db.session.flush()
        if activity.lineitem_url:
            entry = outbox.enqueue_score(
                registration_id=launch.registration_id,
                course_id=fb.course_id,
                lineitem_url=activity.lineitem_url,
                user_sub=student.sub,
                score=publishing.score_payload(
                    text=fb.text, score=fb.score, maximum=activity.score_maximum, include_comment=include_comment
                ),
                dedupe_key=publishing.dedupe_key(fb.id, fb.revision),
                source="feedback",
                source_id=fb.id,
            )
            db.session.flush()
            pub.outbox_entry_id = entry.id
        db.session.commit()
    except IntegrityError:
        # A concurrent submit of the same revision won the race: that publish is ours too.
        db.session.rollback()
        existing = db.session.execute(
            db.select(FeedbackPublish).where(FeedbackPublish.feedback_id == fb.id, FeedbackPublish.revision == fb.revision)
        ).scalar_one_or_none()
        if existing is None:
            raise
        return PublishResult(existing, created=False)
    log.info(
        "feedback %s published revision=%s entry=%s comment=%s score=%s",
        fb.id,
        fb.revision,
        pub.outbox_entry_id,
        pub.comment_sent,
        fb.score is not None,
    )
    if pub.outbox_entry_id:
        outbox.kick()
    return PublishResult(pub, created=True)


def retry_publish(fb: Feedback, course_id: int) -> bool:
    """Send the latest publish of `fb` again now (a teacher's retry after a failure)."""
    pub = latest_publish(fb)
    if pub is None or pub.outbox_entry_id is None:
        return False
    queued = outbox.retry_now(pub.outbox_entry_id, course_id)
    log.info("feedback %s retry entry=%s queued=%s", fb.id, pub.outbox_entry_id, queued)
    if queued:
        outbox.kick()
    return queued


# ------------------------------------------------------------------ Canvas SpeedGrader
def record_canvas_submissions(launch: LaunchContext, activity: FeedbackActivity, students: list[User]) -> int:
    """On Canvas, record one submission per student so that SpeedGrader lists them and
    opens Erbij's composer for the student being graded (a signed, course-bound launch URL).

    Once per student per activity (the outbox dedupe key), and never after a publish: a
    new submission after a grade would mark the student as "resubmitted" in Canvas.
    Returns how many were queued.
    """
    if not launch.is_canvas or not activity.lineitem_url or not students:
        return 0
    keys = {s.id: publishing.canvas_submission_key(activity.resource_link_id, s.id) for s in students}
    queued = set(db.session.execute(db.select(OutboxEntry.dedupe_key).where(OutboxEntry.dedupe_key.in_(list(keys.values())))).scalars())
    published = set(
        db.session.execute(
            db.select(Feedback.student_id)
            .join(FeedbackPublish, FeedbackPublish.feedback_id == Feedback.id)
            .where(Feedback.course_id == launch.course_id, Feedback.resource_link_id == activity.resource_link_id)
        ).scalars()
    )
    submitted_at = utcnow().isoformat(timespec="milliseconds") + "+00:00"
    n = 0
    for student in students:
        if keys[student.id] in queued or student.id in published:
            continue
        url = submission_url(SubmissionRef(launch.registration_id, launch.course_id, activity.resource_link_id, student.id))
        outbox.enqueue_score(
            registration_id=launch.registration_id,
            course_id=launch.course_id,
            lineitem_url=activity.lineitem_url,
            user_sub=student.sub,
            score=publishing.canvas_submission_payload(launch_url=url, submitted_at=submitted_at),
            dedupe_key=keys[student.id],
            source="submission",
            source_id=student.id,
        )
        n += 1
    if not n:
        return 0
    try:
        db.session.commit()
    except IntegrityError:  # another tab queued the same students a moment ago
        db.session.rollback()
        return 0
    log.info("canvas submissions queued link=%s n=%s", activity.resource_link_id, n)
    outbox.kick()
    return n


# ------------------------------------------------------------------ comment bank
def create_snippet(*, owner_id: int, course_id: int, title: str, body: str, shared: bool) -> CommentSnippet:
    snippet = CommentSnippet(owner_id=owner_id, course_id=course_id, title=title, body=body, shared=shared, updated_at=utcnow())
    db.session.add(snippet)
    db.session.commit()
    log.info("snippet %s created course=%s shared=%s", snippet.id, course_id, shared)
    return snippet


def update_snippet(snippet: CommentSnippet, *, title: str, body: str, shared: bool) -> None:
    snippet.title, snippet.body, snippet.shared, snippet.updated_at = title, body, shared, utcnow()
    db.session.commit()
    log.info("snippet %s updated shared=%s", snippet.id, shared)


def delete_snippet(snippet: CommentSnippet) -> None:
    snippet_id = snippet.id
    db.session.delete(snippet)
    db.session.commit()
    log.info("snippet %s deleted", snippet_id)
