"""The launch context: the one object feature code asks for (`current_launch()`).

A validated launch becomes a LaunchSession row. The browser that launched holds its
id in the (partitioned) session cookie; pages inside the tool carry the id in their
URL (`/l/<lid>/...`) so that two tabs with two launches never mix, and a URL opened
by anyone else — another browser, a student — finds no session and shows nothing.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps
from types import SimpleNamespace

from flask import current_app, g, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..db_insert import insert_or_nothing
from ..extensions import db
from ..models import Course, HandoffToken, LaunchSession, Membership, ResourceLink, User
from ..models.course import ACTIVITIES, ROLE_INSTRUCTOR, ROLE_LEARNER
from ..shared_cache import cache_add
from ..signed import token_urlsafe
from ..timeutil import utcnow
from ..transactions import asks_alone, one_transaction, statements_alone
from . import claims as C
from .errors import LaunchRefused
from .landing import reads_at_launch
from .login import secret_hash
from .roles import erbij_role, is_institution_admin
from .submission_ref import read_submission_ref, token_in
from .validation import ValidatedLaunch

SESSION_KEY = "lids"
MAX_BOUND_LAUNCHES = 20
HANDOFF_TTL = timedelta(minutes=2)


@dataclass(frozen=True)
class AgsEndpoint:
    lineitems: str | None
    lineitem: str | None
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class LaunchContext:
    """Who is here, in which course, with which role and services. Read-only."""

    id: str
    registration_id: int
    deployment_id: int
    user_id: int
    course_id: int
    resource_link_id: int | None
    role: str
    locale: str
    message_type: str
    user_name: str
    course_title: str
    ags: AgsEndpoint | None = None
    nrps_url: str | None = None
    return_url: str | None = None
    document_target: str | None = None
    deep_link: dict | None = None
    for_user_sub: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_instructor(self) -> bool:
        return self.role == ROLE_INSTRUCTOR

    @property
    def is_learner(self) -> bool:
        return self.role == ROLE_LEARNER

    @property
    def is_admin(self) -> bool:
        """An institution administrator's launch into the admin console (this registration only)."""
        return bool(self.extra.get("admin"))

    @property
    def is_submission_review(self) -> bool:
        return self.message_type == C.SUBMISSION_REVIEW_REQUEST

    @property
    def for_user_id(self) -> int | None:
        """The student this launch is about (a submission review's `for_user`, or the
        student of a signed submission link), as Erbij's user id; None when the launch
        names nobody or the platform's user is not known to Erbij yet."""
        if not self.for_user_sub:
            return None
        return db.session.execute(
            db.select(User.id).where(User.registration_id == self.registration_id, User.sub == self.for_user_sub)
        ).scalar_one_or_none()

    @property
    def is_canvas(self) -> bool:
        """The platform is Canvas (its product family, or one of Instructure's issuers)."""
        return self.extra.get("platform") == "canvas"

    @property
    def can_post_scores(self) -> bool:
        """The platform gave us a line item context and the score scope."""
        from .services import SCOPE_SCORE

        return self.ags is not None and SCOPE_SCORE in self.ags.scopes

    @property
    def course(self) -> Course:
        return db.session.get(Course, self.course_id)

    @property
    def user(self) -> User:
        return db.session.get(User, self.user_id)

    @property
    def resource_link(self) -> ResourceLink | None:
        return db.session.get(ResourceLink, self.resource_link_id) if self.resource_link_id else None


def _context_from_row(row: LaunchSession | SimpleNamespace) -> LaunchContext:
    s = row.services or {}
    ags = s.get("ags")
    return LaunchContext(
        id=row.id,
        registration_id=row.registration_id,
        deployment_id=row.deployment_id,
        user_id=row.user_id,
        course_id=row.course_id,
        resource_link_id=row.resource_link_id,
        role=row.role,
        locale=row.locale,
        message_type=row.message_type,
        # Lazy: the locale is chosen from this very launch, so nothing may translate yet.
        user_name=row.user.display_name() or _l("User %(id)s", id=row.user.sub[-6:]),
        course_title=row.course.display_title,
        ags=AgsEndpoint(ags.get("lineitems"), ags.get("lineitem"), tuple(ags.get("scope") or ())) if ags else None,
        nrps_url=s.get("nrps"),
        return_url=s.get("return_url"),
        document_target=s.get("document_target"),
        deep_link=s.get("deep_link"),
        for_user_sub=s.get("for_user"),
        extra={"platform": s.get("platform"), "admin": bool(s.get("admin"))},
    )


# ---------------------------------------------------------------- creating
def _upsert(model, where: dict, values: dict, row=None):
    """Get-or-create by a unique key, then update only what changed — safe when two workers race.

    The first launch of a course often comes from many students at once; the unique
    constraint decides, and the loser reads the winner's row. `row` is the row when the
    caller already read it (or None when it read that there is none).
    """
    if row is _UNREAD:
        row = db.session.execute(db.select(model).filter_by(**where)).scalar_one_or_none()
    if row is None:
        one_transaction()  # the launch's writes stand or fall together (transactions.py)
        try:
            with db.session.begin_nested():
                row = model(**where, **values)
                db.session.add(row)
        except IntegrityError:
            row = db.session.execute(db.select(model).filter_by(**where)).scalar_one()
        else:
            return row
    for k, v in values.items():
        if getattr(row, k) != v:  # an unchanged row is not written
            one_transaction()
            setattr(row, k, v)
    return row


_UNREAD = object()


@functools.cache
def _launch_insert(dialect: str):
    """The launch session's INSERT, which also spends the launch's nonce: a second launch
    with the same nonce (a replay, in any worker) inserts nothing."""
    table = LaunchSession.__table__
    return insert_or_nothing(dialect, table, ("registration_id", "nonce")).returning(table.c.id)


def _over_rows(query, with_link: bool, *, all_exist: bool):
    """`query` over the launch's course, its user, their membership and (with_link) the
    link: outer joins, or inner ones when only a launch whose rows all exist is wanted."""
    query = query.select_from(Course).join(User, (User.registration_id == bindparam("reg_id")) & (User.sub == bindparam("sub")))
    joined = query.join if all_exist else query.outerjoin
    query = joined(Membership, (Membership.course_id == Course.id) & (Membership.user_id == User.id)).where(
        Course.registration_id == bindparam("reg_id"), Course.context_id == bindparam("context_id")
    )
    if with_link:
        joined = query.join if all_exist else query.outerjoin
        query = joined(ResourceLink, (ResourceLink.course_id == Course.id) & (ResourceLink.link_id == bindparam("link_id")))
    return query


@functools.cache
def _known_rows_query(with_link: bool):
    """The returning user's rows in one statement, built once per shape (bound per launch).
    A link's launch also reads what the activities' landing pages read (landing.py)."""
    entities = [Course, User, Membership] + ([ResourceLink] if with_link else [])
    reads = reads_at_launch() if with_link else ()
    for read in reads:
        entities += list(read.entities)
    query = _over_rows(db.select(*entities), with_link, all_exist=False)
    for read in reads:
        query = read.joins(query)
    return query


_SESSION_FROM_ROWS = ("user_id", "course_id", "resource_link_id")


@functools.cache
def _known_rows_and_session_query(with_link: bool):
    """PostgreSQL: `_known_rows_query` that also stores the launch session, in the same
    statement (a data-modifying WITH), when every row it refers to exists: a returning user
    in a known course and link. The INSERT spends the nonce as `_launch_insert` does; its
    id comes back as the last column (None: nothing inserted — a replay, or a row still to
    be made). SQLite has no INSERT inside WITH: there the read and the INSERT are two.

    The statement's transaction commits asynchronously (`synchronous_commit` off, set by
    the statement itself for its own transaction: no round trip of its own). Only a crash
    of PostgreSQL (not a restart, which writes the WAL out) can lose what it stored, the
    launch sessions of the last fraction of a second: those students are asked to open
    Erbij from the LMS again. Such a launch's nonce could then be used once more, but only
    with that browser's own login state (its state cookie or Platform Storage secret) and
    while the token is valid. Everything a student or teacher saves still waits for the
    disk."""
    table = LaunchSession.__table__
    given = [c for c in table.c if c.name not in _SESSION_FROM_ROWS]
    source = _over_rows(
        db.select(
            *[bindparam(f"s_{c.name}", type_=c.type) for c in given],
            User.id,
            Course.id,
            ResourceLink.id if with_link else db.null(),
        ),
        with_link,
        all_exist=True,
    )
    new_session = (
        insert_or_nothing("postgresql", table, ("registration_id", "nonce"))
        .from_select([c.name for c in given] + list(_SESSION_FROM_ROWS), source)
        .returning(table.c.id)
        .cte("new_session")
    )
    # Asynchronous commit for this statement's own transaction (is_local): see above.
    no_wait = db.func.set_config("synchronous_commit", "off", True)
    return _known_rows_query(with_link).add_columns(no_wait, db.select(new_session.c.id).scalar_subquery()).add_cte(new_session)


def _known_rows(values: dict, context_id: str, sub: str, link_id: str | None, *, store: bool):
    """Course, user, membership and resource link of a returning user, in one statement:
    (course, user, membership, link, stored), with _UNREAD for what must be looked up on
    its own (a first launch: no row for the course or the user yet).

    `store` (PostgreSQL): the same statement stores the launch session (`values`) when
    course, user, membership and link all exist. Rows that are not all there (a first
    launch in a course, a new link) store nothing: the caller makes them and stores the
    session after. When they are all there and nothing was stored, the nonce was spent
    before: the launch is a replay."""
    params = {"reg_id": values["registration_id"], "sub": sub, "context_id": context_id}
    reads = ()
    if link_id is not None:
        params["link_id"] = link_id
        reads = tuple((read, read.params()) for read in reads_at_launch())
        for _read, bound in reads:
            params.update(bound)
    if store:
        params.update({f"s_{k}": v for k, v in values.items()})
    query = _known_rows_and_session_query if store else _known_rows_query
    row = db.session.execute(query(link_id is not None), params).first()
    if row is None:
        return _UNREAD, _UNREAD, _UNREAD, _UNREAD, False
    course, user, membership, link = row[0], row[1], row[2], (row[3] if link_id is not None else None)
    at = 4
    for read, bound in reads:  # what the landing pages read, handed to them
        n = len(read.entities)
        read.keep(bound, course, user, link, tuple(row[at : at + n]))
        at += n
    stored = store and row[-1] is not None
    if store and not stored and membership is not None and (link_id is None or link is not None):
        db.session.rollback()
        raise LaunchRefused("replayed", detail="nonce already used")
    return course, user, membership, link, stored


def _ags_claim(c: dict) -> dict | None:
    return c.get(C.AGS) if isinstance(c.get(C.AGS), dict) else None


def _session_values(v: ValidatedLaunch) -> dict:
    """The launch session's columns but the ids of its user, course and link."""
    c = v.claims
    ags = _ags_claim(c)
    for_user = None
    if c.get(C.MESSAGE_TYPE) == C.SUBMISSION_REVIEW_REQUEST:
        for_user = str(c[C.FOR_USER]["user_id"])[:255]
    presentation = c.get(C.LAUNCH_PRESENTATION) or {}
    family = (c.get(C.TOOL_PLATFORM) or {}).get("product_family_code")
    nrps = c.get(C.NRPS) if isinstance(c.get(C.NRPS), dict) else {}
    services = {
        "ags": {k: ags.get(k) for k in ("lineitems", "lineitem", "scope")} if ags else None,
        "nrps": nrps.get("context_memberships_url"),
        "return_url": presentation.get("return_url"),
        "document_target": presentation.get("document_target"),
        "deep_link": c.get(C.DEEP_LINKING) if c.get(C.MESSAGE_TYPE) == C.DEEP_LINKING_REQUEST else None,
        "platform": family or ("canvas" if v.registration.issuer in C.CANVAS_ISSUERS else None),
        "for_user": for_user,  # a submission link's student: set once the link is checked
        # The admin console: an institution administrator who asked for it (never a
        # teacher or a student, whatever the link says).
        "admin": is_institution_admin(c.get(C.ROLES)) and C.asks_for_admin(c),
    }
    now = utcnow()
    return {
        "id": token_urlsafe(24),
        "registration_id": v.registration.id,
        "deployment_id": v.deployment.id,
        "role": erbij_role(c.get(C.ROLES)),
        "locale": C.locale_of(c),
        "message_type": c[C.MESSAGE_TYPE],
        "services": services,
        "created_at": now,
        "expires_at": now + timedelta(seconds=current_app.config["ERBIJ_LAUNCH_TTL"]),
        "nonce": str(c["nonce"])[:255],
    }


def create_launch_session(v: ValidatedLaunch, before_commit: Callable[[LaunchContext], object] | None = None) -> LaunchContext:
    """Record course, user, membership, resource link and the launch session; commit once.

    A returning user costs one statement on PostgreSQL: it reads their rows and stores the
    launch session, which spends the launch's nonce (a replay is refused here, after every
    other check, so that a refused token spends nothing); on SQLite a read and an INSERT.
    They run on their own, with no BEGIN and COMMIT round trips (transactions.py). A name,
    role or title that changed is written after, in one transaction. A row still to be made
    (a first launch, a new link) is made first, and the rows and the session are then one
    transaction. `before_commit` runs with the new launch before the commit, in the same
    session: the landing page, whose read (landing.ReadAtLaunch) the statement above made."""
    c = v.claims
    reg, dep = v.registration, v.deployment
    ctx = c[C.CONTEXT]
    context_id = str(ctx["id"])[:255]
    sub = str(c["sub"])[:255]
    is_link = c.get(C.MESSAGE_TYPE) in C.LINK_MESSAGES
    rl = c[C.RESOURCE_LINK] if is_link else None
    link_id = str(rl["id"])[:255] if is_link else None
    # A signed submission link (Canvas SpeedGrader) names a student; check it is for this
    # platform before anything is written, and for this course and link once they are known.
    submission_token = token_in(c.get(C.TARGET_LINK_URI)) if is_link else None
    submission = read_submission_ref(submission_token) if submission_token else None
    if submission is not None and submission.registration_id != reg.id:
        raise LaunchRefused("submission_link_invalid", detail="made for another platform registration")
    # What the launch session stores besides the rows it refers to (their ids).
    values = _session_values(v)
    # A returning user whose rows are as they were: on PostgreSQL one statement reads them
    # and stores the launch session (not for a submission link, checked against the rows
    # before anything is stored); elsewhere a read and an INSERT. Each runs on its own
    # (no BEGIN and COMMIT); an upsert below opens a transaction first.
    statements_alone()
    conn = db.session.connection()
    known_course, known_user, known_ms, known_link, stored = _known_rows(
        values, context_id, sub, link_id, store=conn.dialect.name == "postgresql" and submission is None
    )

    course = _upsert(
        Course,
        {"registration_id": reg.id, "context_id": context_id},
        {
            k: val
            for k, val in {
                "deployment_id": dep.id,
                "title": str(ctx.get("title") or "")[:500],
                "label": str(ctx.get("label") or "")[:255],
                "ends_at": C.course_end_of(c),
            }.items()
            if val or k == "deployment_id"
        },
        known_course,
    )
    names = {k: str(c.get(k) or "")[:200] for k in ("name", "given_name", "family_name")}
    user = _upsert(
        User,
        {"registration_id": reg.id, "sub": sub},
        {k: val for k, val in names.items() if val},  # Moodle may omit names: keep what we had
        known_user,
    )
    _upsert(
        Membership,
        {"course_id": course.id, "user_id": user.id},
        {"role": values["role"], "active": True},
        known_ms if known_course is not _UNREAD else _UNREAD,
    )

    link = None
    if is_link:
        custom = c.get(C.CUSTOM) if isinstance(c.get(C.CUSTOM), dict) else {}
        link_values = {"title": str(rl.get("title") or "")[:500]}
        if not link_values["title"] and c.get(C.MESSAGE_TYPE) == C.SUBMISSION_REVIEW_REQUEST:
            del link_values["title"]  # a review launch may omit the title: keep the one we have
        activity = str(custom.get("erbij_activity") or "").strip().lower()
        if activity in ACTIVITIES:
            link_values["activity"] = activity
        ags = _ags_claim(c)
        if ags and ags.get("lineitem"):
            link_values["lineitem_url"] = str(ags["lineitem"])[:1000]
        link = _upsert(
            ResourceLink,
            {"course_id": course.id, "link_id": link_id},
            link_values,
            known_link if known_course is not _UNREAD else _UNREAD,
        )

    if submission is not None:
        if submission.course_id != course.id or link is None or submission.resource_link_id != link.id:
            raise LaunchRefused("submission_link_invalid", detail="made for another course or activity")
        student = db.session.get(User, submission.student_id)
        if student is None or student.registration_id != reg.id:
            raise LaunchRefused("submission_link_invalid", detail="student unknown")
        values["services"]["for_user"] = student.sub
    values.update(user_id=user.id, course_id=course.id, resource_link_id=link.id if link else None)
    # A plain INSERT: the row is never read back in this request (no unit of work for it),
    # sent on the session's connection (in its transaction) without the ORM's execute path.
    # It spends the nonce: when it inserts nothing, this id_token was used before.
    if not stored and conn.execute(_launch_insert(conn.dialect.name), values).first() is None:
        db.session.rollback()
        raise LaunchRefused("replayed", detail="nonce already used")
    # The context is made from what was stored (a plain namespace: no ORM instance to build).
    row = SimpleNamespace(**values, user=user, course=course, resource_link=link)
    _note_last_launch(reg.id)
    session = db.session()
    # The identity map holds rows weakly: keep these for the rest of the request.
    session.info["erbij_launch_rows"] = (course, user, link)
    launch = _context_from_row(row)
    if before_commit is not None:
        before_commit(launch)
    # What was just written is what we hold: keep it loaded for the landing page.
    session.expire_on_commit, before = False, session.expire_on_commit
    try:
        db.session.commit()
    finally:
        session.expire_on_commit = before
    return launch


LAST_LAUNCH_EVERY = 600
_last_launch_asked: dict[int, float] = {}  # per process: when the shared cache was last asked


def _note_last_launch(registration_id: int) -> None:
    """The admin console's "last launch": written at most every ten minutes per registration
    (and the shared cache asked about it at most once a minute per process)."""
    from ..models import Registration

    now_mono = time.monotonic()
    if _last_launch_asked.get(registration_id, 0.0) > now_mono - 60:
        return
    if len(_last_launch_asked) > 10_000:
        _last_launch_asked.clear()
    _last_launch_asked[registration_id] = now_mono
    if cache_add(f"lti-last-launch:{registration_id}", 1, timeout=LAST_LAUNCH_EVERY):
        db.session.execute(db.update(Registration).where(Registration.id == registration_id).values(last_launch_at=utcnow()))


# ---------------------------------------------------------------- browser binding
def bind_to_browser(launch_id: str) -> None:
    """Remember in this browser's session cookie that it owns this launch."""
    lids = [lid for lid in session.get(SESSION_KEY, []) if lid != launch_id]
    lids.append(launch_id)
    session[SESSION_KEY] = lids[-MAX_BOUND_LAUNCHES:]
    session.permanent = True


def browser_owns(launch_id: str) -> bool:
    return launch_id in session.get(SESSION_KEY, [])


@functools.cache
def _launch_query():
    """Every page's first statement, built once (its SQL is cached by SQLAlchemy anyway;
    building the statement and its loader options is what each request saves)."""
    return (
        db.select(LaunchSession)
        .options(
            joinedload(LaunchSession.user),
            joinedload(LaunchSession.course),
            joinedload(LaunchSession.resource_link),
        )
        .where(LaunchSession.id == bindparam("lid"))
    )


def load_launch(launch_id: str) -> LaunchContext:
    """The launch named in the URL, if this browser owns it and it has not expired."""
    if not launch_id or not browser_owns(launch_id):
        raise LaunchRefused("session_expired", detail="launch not bound to this browser")
    row = db.session.execute(_launch_query(), {"lid": launch_id}).scalar_one_or_none()
    if row is None or row.expires_at < utcnow():
        raise LaunchRefused("session_expired", detail="launch expired or unknown")
    # One statement per page: `launch.course`, `.user` and `.resource_link` are then read
    # from the identity map, which holds rows weakly — keep these for the request.
    db.session.info["erbij_launch_rows"] = (row, row.course, row.user, row.resource_link)
    return _context_from_row(row)


def current_launch() -> LaunchContext:
    """The launch of this request. Views under /l/<lid>/ always have one."""
    launch = g.get("launch")
    if launch is None:
        raise LaunchRefused("session_expired", detail="no launch in this request")
    return launch


def set_locale(launch: LaunchContext, lang: str) -> None:
    row = db.session.get(LaunchSession, launch.id)
    row.locale = lang
    db.session.commit()


def require_role(*roles: str):
    """View decorator: only these Erbij roles of the current launch may see the page."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_launch().role not in roles:
                raise LaunchRefused("forbidden_role", detail=f"{request.endpoint} needs {roles}")
            return view(*args, **kwargs)

        return wrapped

    return decorator


instructor_required = require_role(ROLE_INSTRUCTOR)
learner_required = require_role(ROLE_LEARNER)


# ---------------------------------------------------------------- new-window hand-off
def create_handoff(launch_id: str) -> str:
    """A single-use token (valid minutes) that lets a new window take over this launch."""
    token = token_urlsafe(32)
    db.session.add(HandoffToken(token_hash=secret_hash(token), launch_id=launch_id, expires_at=utcnow() + HANDOFF_TTL))
    db.session.commit()
    return token


def redeem_handoff(token: str) -> str:
    """Use a hand-off token once; returns the launch id. The UPDATE makes it single-use."""
    now = utcnow()
    h = secret_hash(token or "")
    result = db.session.execute(
        db.update(HandoffToken)
        .where(HandoffToken.token_hash == h, HandoffToken.used_at.is_(None), HandoffToken.expires_at > now)
        .values(used_at=now)
    )
    db.session.commit()
    if result.rowcount != 1:
        raise LaunchRefused("handoff_invalid")
    return db.session.get(HandoffToken, h).launch_id


def init_app(app) -> None:
    """URL processors: `lid` in the path loads the launch; url_for fills it in."""

    @app.url_value_preprocessor
    def _pull_launch(endpoint, values):
        if values and "lid" in values:
            # A page (GET) only reads, and so does a view marked @alone until it writes:
            # no transaction round trips for them (transactions.py).
            if request.method in ("GET", "HEAD") or asks_alone(app.view_functions.get(endpoint)):
                statements_alone()
            g.launch = load_launch(values.pop("lid"))

    expects_lid: dict[str, bool] = {}  # per endpoint; the URL map is fixed once serving

    @app.url_defaults
    def _add_launch(endpoint, values):
        if "lid" in values:
            return
        expects = expects_lid.get(endpoint)
        if expects is None:
            expects = expects_lid[endpoint] = app.url_map.is_endpoint_expecting(endpoint, "lid")
        if expects:
            launch = g.get("launch")
            if launch is not None:
                values["lid"] = launch.id
