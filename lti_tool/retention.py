"""Retention: raw check-in answers and released class figures leave when their time is up.

`flask --app wsgi retention run` calls `run_retention`; it is idempotent and cheap, so it
can run every hour. Per registration, under that institution's policy (`institution_policy`):

- Raw check-in answers of a course go `raw_retention_weeks` after the course ended. The end
  is the LMS's end date (custom parameter erbij_course_end), never before the course's last
  check-in; a course without an end date ended `inactive_course_weeks` after its last
  check-in. Every raw answer is stored with its student (the one-per-week rule and the
  student's own history need that), anonymous ones too, so all of them go — the class
  figures released from anonymous weeks stay.
- Released class figures go `aggregate_retention_weeks` after their release, and with them
  any raw answers of that week still there: raw data never outlives the figures made from it
  (otherwise the week would be released again from them).
- Expired launch sessions (who opened Erbij when) are counted into the weekly launch counts
  and removed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_

from . import timeutil
from .audit import SYSTEM, record
from .extensions import db
from .institution_policy import Policy, policy_for
from .lti.login import STATE_TTL
from .models import Course, LaunchSession, Registration
from .models.admin import LaunchCount
from .models.checkin import CheckinRelease, CheckinResponse

ROLLUP_BATCH = 5000


def course_end(ends_at: datetime | None, last_activity: datetime | None, policy: Policy) -> datetime | None:
    """When a course counts as ended: the LMS's end date, but not before its last check-in;
    without an end date, `inactive_course_weeks` after the last check-in. None: no data."""
    if ends_at is not None:
        return max(ends_at, last_activity) if last_activity else ends_at
    if last_activity is None:
        return None
    return last_activity + timedelta(weeks=policy.inactive_course_weeks)


def raw_expired(ends_at: datetime | None, last_activity: datetime | None, policy: Policy, now: datetime) -> bool:
    """Whether a course's raw answers are past their retention."""
    end = course_end(ends_at, last_activity, policy)
    return end is not None and now >= end + timedelta(weeks=policy.raw_retention_weeks)


def release_expired(released_at: datetime, policy: Policy, now: datetime) -> bool:
    return now >= released_at + timedelta(weeks=policy.aggregate_retention_weeks)


def week_of(moment: datetime) -> date:
    """The Monday (UTC) of the ISO week of a naive UTC datetime."""
    day = moment.date()
    return day - timedelta(days=day.weekday())


@dataclass
class RetentionReport:
    courses_expired: int = 0
    responses_deleted: int = 0
    releases_deleted: int = 0
    sessions_counted: int = 0
    by_registration: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def deleted_anything(self) -> bool:
        return bool(self.responses_deleted or self.releases_deleted)


def _registration_retention(reg_id: int, now: datetime, report: RetentionReport) -> None:
    policy = policy_for(reg_id)
    mine = {"responses": 0, "releases": 0, "courses": 0}
    last = (
        db.select(Course.id, Course.ends_at, func.max(CheckinResponse.updated_at))
        .join(CheckinResponse, CheckinResponse.course_id == Course.id)
        .where(Course.registration_id == reg_id)
        .group_by(Course.id, Course.ends_at)
    )
    for course_id, ends_at, last_activity in db.session.execute(last).all():
        if raw_expired(ends_at, last_activity, policy, now):
            result = db.session.execute(db.delete(CheckinResponse).where(CheckinResponse.course_id == course_id))
            mine["responses"] += result.rowcount
            mine["courses"] += 1
    cutoff = now - timedelta(weeks=policy.aggregate_retention_weeks)
    course_ids = db.select(Course.id).where(Course.registration_id == reg_id).scalar_subquery()
    old = db.session.execute(
        db.select(CheckinRelease.id, CheckinRelease.course_id, CheckinRelease.week_start).where(
            CheckinRelease.course_id.in_(course_ids), CheckinRelease.released_at <= cutoff
        )
    ).all()
    if old:
        weeks = or_(*(and_(CheckinResponse.course_id == c, CheckinResponse.week_start == w) for _, c, w in old))
        mine["responses"] += db.session.execute(db.delete(CheckinResponse).where(weeks)).rowcount
        mine["releases"] += db.session.execute(db.delete(CheckinRelease).where(CheckinRelease.id.in_([i for i, _, _ in old]))).rowcount
    if mine["responses"] or mine["releases"]:
        report.by_registration[reg_id] = mine
        report.responses_deleted += mine["responses"]
        report.releases_deleted += mine["releases"]
        report.courses_expired += mine["courses"]
        record(
            "retention.run",
            actor=SYSTEM,
            target=f"registration:{reg_id}",
            registration_id=reg_id,
            detail={"responses_deleted": mine["responses"], "releases_deleted": mine["releases"], "courses_expired": mine["courses"]},
        )


def _roll_up_sessions(now: datetime) -> int:
    """Count expired launch sessions into launch_counts and remove them; a concurrent run
    that removed some of the same rows first makes this one give way (no double count)."""
    rows = db.session.execute(
        db.select(LaunchSession.id, LaunchSession.registration_id, LaunchSession.deployment_id, LaunchSession.created_at)
        # A session also holds its launch's spent nonce: kept while that launch's login
        # state could still be replayed, however short ERBIJ_LAUNCH_TTL is.
        .where(LaunchSession.expires_at < now, LaunchSession.created_at < now - STATE_TTL)
        .limit(ROLLUP_BATCH)
    ).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    from .models import HandoffToken

    db.session.execute(db.delete(HandoffToken).where(HandoffToken.launch_id.in_(ids)))
    if db.session.execute(db.delete(LaunchSession).where(LaunchSession.id.in_(ids))).rowcount != len(ids):
        db.session.rollback()
        return 0
    counts = Counter((r.registration_id, r.deployment_id, week_of(r.created_at)) for r in rows)
    for (reg_id, dep_id, week), n in counts.items():
        updated = db.session.execute(
            db.update(LaunchCount)
            .where(LaunchCount.deployment_id == dep_id, LaunchCount.week_start == week)
            .values(launches=LaunchCount.launches + n)
        ).rowcount
        if not updated:
            db.session.add(LaunchCount(registration_id=reg_id, deployment_id=dep_id, week_start=week, launches=n))
            db.session.flush()
    return len(rows)


def run_retention(now: datetime | None = None) -> RetentionReport:
    """Apply every institution's retention now; commits. Running it twice changes nothing."""
    now = now or timeutil.utcnow()
    report = RetentionReport()
    for reg_id in db.session.execute(db.select(Registration.id).order_by(Registration.id)).scalars().all():
        _registration_retention(reg_id, now, report)
    db.session.commit()
    while True:
        n = _roll_up_sessions(now)
        db.session.commit()
        report.sessions_counted += n
        if n < ROLLUP_BATCH:
            break
    return report


def launches_per_week(registration_ids: list[int], weeks: list[date]) -> dict[tuple[int, date], int]:
    """Launches per deployment and week: the rolled-up counts plus the sessions not rolled up yet."""
    if not registration_ids or not weeks:
        return {}
    found: Counter = Counter()
    for dep_id, week, n in db.session.execute(
        db.select(LaunchCount.deployment_id, LaunchCount.week_start, LaunchCount.launches).where(
            LaunchCount.registration_id.in_(registration_ids), LaunchCount.week_start >= weeks[0]
        )
    ).all():
        found[(dep_id, week)] += n
    start = datetime.combine(weeks[0], datetime.min.time())
    for dep_id, created in db.session.execute(
        db.select(LaunchSession.deployment_id, LaunchSession.created_at).where(
            LaunchSession.registration_id.in_(registration_ids), LaunchSession.created_at >= start
        )
    ).all():
        found[(dep_id, week_of(created))] += 1
    return dict(found)
