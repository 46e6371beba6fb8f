"""The course roster from the platform (NRPS): names for display, roles, who left.

Synced when a teacher opens a check-in dashboard or a grading view. A platform that is
down leaves the last roster in place; the page shows when it was last synced.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from .extensions import cache, db
from .lti import LaunchContext, PlatformServices, ServiceError
from .lti.roles import erbij_role
from .models import Course, Membership, User
from .models.course import ROLE_INSTRUCTOR, ROLE_LEARNER
from .timeutil import utcnow

log = logging.getLogger(__name__)

MIN_INTERVAL = timedelta(seconds=60)  # two tabs opening at once sync once
FAILURE_COOLDOWN = 60  # seconds: while an LMS hangs, only one page a minute waits for it


@dataclass(frozen=True)
class RosterSync:
    synced_at: datetime | None
    ok: bool
    error: str | None = None  # for the log; pages show a translated sentence


def sync_roster(launch: LaunchContext, *, force: bool = False) -> RosterSync:
    """Fetch the roster and store it; members no longer listed become inactive."""
    course = db.session.get(Course, launch.course_id)
    if not launch.nrps_url:
        return RosterSync(course.roster_synced_at, ok=False, error="no NRPS service in this launch")
    if not force and course.roster_synced_at and utcnow() - course.roster_synced_at < MIN_INTERVAL:
        return RosterSync(course.roster_synced_at, ok=True)
    cooldown_key = f"roster-failed:{course.id}"
    if not force and cache.get(cooldown_key):
        return RosterSync(course.roster_synced_at, ok=False, error="the last sync failed less than a minute ago")
    try:
        members = PlatformServices(launch.registration_id).roster(launch.nrps_url)
    except ServiceError as exc:
        log.warning("roster sync failed course=%s status=%s: %s", course.id, exc.status, exc)
        cache.set(cooldown_key, 1, timeout=FAILURE_COOLDOWN)
        return RosterSync(course.roster_synced_at, ok=False, error=str(exc))

    users = {
        u.sub: u
        for u in db.session.execute(db.select(User).where(User.registration_id == launch.registration_id, User.sub.in_([m.user_id for m in members]))).scalars()
    }
    memberships = {m.user_id: m for m in db.session.execute(db.select(Membership).where(Membership.course_id == course.id)).scalars()}
    seen: set[int] = set()
    for m in members:
        user = users.get(m.user_id)
        if user is None:
            user = User(registration_id=launch.registration_id, sub=m.user_id[:255])
            db.session.add(user)
            db.session.flush()
            users[m.user_id] = user
        for attr in ("name", "given_name", "family_name"):
            value = getattr(m, attr)
            if value:
                setattr(user, attr, value[:200])
        role = erbij_role(list(m.roles))
        active = m.status.lower() != "inactive"
        ms = memberships.get(user.id)
        if ms is None:
            ms = Membership(course_id=course.id, user_id=user.id, role=role, active=active)
            db.session.add(ms)
            memberships[user.id] = ms
        else:
            ms.role, ms.active = role, active
        seen.add(user.id)
    for user_id, ms in memberships.items():
        if user_id not in seen and ms.role in (ROLE_LEARNER, ROLE_INSTRUCTOR):
            ms.active = False
    course.roster_synced_at = utcnow()
    db.session.commit()
    return RosterSync(course.roster_synced_at, ok=True)


# Dutch (and Flemish, Arabic-Dutch) family-name prefixes that class lists skip when sorting.
NAME_PREFIXES = frozenset("de den der des het 't ten ter te van vande vander von di da du la le el al bin ben ibn op in".split())


def name_sort_key(user: User) -> tuple[str, str]:
    """Sort like a Dutch class list: by family name without prefixes ('de Vries' → 'vries')."""
    family, given = user.family_name, user.given_name
    if not family:
        parts = (user.name or user.sub).split()
        # Without a family-name field: the first prefix word, or else the last word, starts it.
        start = next((i for i, p in enumerate(parts[1:], 1) if p.lower() in NAME_PREFIXES), len(parts) - 1)
        family, given = " ".join(parts[start:]), " ".join(parts[:start])
    words = family.split()
    while len(words) > 1 and words[0].lower() in NAME_PREFIXES:
        words = words[1:]
    return (fold(" ".join(words)), fold(given))


def fold(text: str) -> str:
    """Lower case without accents: Öztürk sorts with the O's, 'zoe' finds Zoë.

    The grading view's live search mirrors this in feedback-grading.js (NFD there too).
    """
    return "".join(c for c in unicodedata.normalize("NFD", text or "") if not unicodedata.combining(c)).casefold()


def is_active_learner(course_id: int, user_id: int) -> bool:
    """Whether the user is an active learner of the course (one row, not the whole class)."""
    return (
        db.session.execute(
            db.select(Membership.id).where(
                Membership.course_id == course_id,
                Membership.user_id == user_id,
                Membership.role == ROLE_LEARNER,
                Membership.active.is_(True),
            )
        ).first()
        is not None
    )


def _active_learner(course_id: int) -> tuple:
    return (Membership.course_id == course_id, Membership.role == ROLE_LEARNER, Membership.active.is_(True))


def learners(course_id: int) -> list[tuple[Membership, User]]:
    """Active learners of a course, sorted like a class list (family name, prefixes ignored)."""
    rows = db.session.execute(db.select(Membership, User).join(User, User.id == Membership.user_id).where(*_active_learner(course_id))).all()
    return sorted(rows, key=lambda r: name_sort_key(r[1]))


def learner_names(course_id: int) -> list:
    """The ids and name fields of ``learners``, in the same order, as plain rows (no
    entities): what a page listing a class of 300 needs. ``name_sort_key`` and
    ``User.display_name`` read them as they read a User."""
    rows = db.session.execute(
        db.select(User.id, User.sub, User.name, User.given_name, User.family_name)
        .join(Membership, Membership.user_id == User.id)
        .where(*_active_learner(course_id))
    ).all()
    return sorted(rows, key=name_sort_key)
