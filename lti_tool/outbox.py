"""Durable delivery of scores to LMS gradebooks.

`enqueue_score` adds a row in the caller's transaction (commit both together), so a
publish is never lost: it survives an LMS outage and a restart. `drain` claims due
rows with an atomic UPDATE (a lease), so several workers never send the same row at
the same time; a worker that dies mid-send leaves a lease that expires, and the row
is tried again. Network errors, time-outs, 5xx and 429 retry with exponential
back-off; other 4xx stop with the LMS's reason. The score timestamp is set at each
attempt: LMSs refuse a timestamp older than the last one they stored.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import socket
import threading
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from .extensions import db
from .lti.services import PlatformServices, ServiceError
from .models.outbox import (
    STATUS_DROPPED,
    STATUS_FAILED,
    STATUS_PENDING,
    STATUS_RETRY,
    STATUS_SENDING,
    STATUS_SENT,
    OutboxEntry,
)
from .timeutil import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BASE_DELAY = 10  # seconds; doubles per attempt
MAX_DELAY = 600  # a long LMS outage is retried every ten minutes, not once an hour
INTERNAL_ERROR_PREFIX = "Erbij could not send it:"  # last_error of a failure inside Erbij, not at the LMS


def _lease() -> timedelta:
    """How long a claimed entry is a worker's: a token request and a score POST, each
    bounded by the request time-out, plus a margin. A killed worker's entry is taken over
    after this, not after minutes."""
    timeout = float(current_app.config.get("ERBIJ_HTTP_TIMEOUT") or 10)
    return timedelta(seconds=3 * timeout + 15)


def enqueue_score(
    *,
    registration_id: int,
    course_id: int,
    lineitem_url: str,
    user_sub: str,
    score: dict,
    dedupe_key: str,
    source: str,
    source_id: int | None = None,
) -> OutboxEntry:
    """Queue a score POST; returns the existing entry when dedupe_key was queued before.

    Adds to the session without committing: the caller commits it together with the
    change it reports (the feedback, the check-in), so both exist or neither does.
    """
    existing = db.session.execute(db.select(OutboxEntry).where(OutboxEntry.dedupe_key == dedupe_key)).scalar_one_or_none()
    if existing is not None:
        return existing
    entry = OutboxEntry(
        registration_id=registration_id,
        course_id=course_id,
        kind="score",
        target_url=lineitem_url,
        user_sub=user_sub,
        payload={**score, "userId": user_sub},
        dedupe_key=dedupe_key[:255],
        source=source,
        source_id=source_id,
        status=STATUS_PENDING,
        next_attempt_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def is_duplicate(exc: IntegrityError) -> bool:
    """True when an IntegrityError comes from a concurrent enqueue of the same dedupe_key."""
    return "dedupe_key" in str(exc.orig) or "outbox_entries" in str(exc.orig)


def retry_now(entry_id: int, course_id: int) -> bool:
    """A teacher's retry of a failed entry (course-scoped). True when it was re-queued."""
    result = db.session.execute(
        db.update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.course_id == course_id, OutboxEntry.status.in_([STATUS_FAILED, STATUS_RETRY, STATUS_DROPPED]))
        .values(status=STATUS_RETRY, next_attempt_at=utcnow(), attempts=0, lease_until=None)
    )
    db.session.commit()
    return result.rowcount == 1


def _backoff(attempts: int) -> timedelta:
    delay = min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)
    return timedelta(seconds=delay * random.uniform(0.8, 1.2))


def _claim(owner: str) -> OutboxEntry | None:
    """Atomically take one due entry. Only the worker whose UPDATE hits the row sends it."""
    now = utcnow()
    due = or_(
        OutboxEntry.status.in_([STATUS_PENDING, STATUS_RETRY]) & (OutboxEntry.next_attempt_at <= now),
        (OutboxEntry.status == STATUS_SENDING) & (OutboxEntry.lease_until < now),  # a dead worker's
    )
    candidates = db.session.execute(
        db.select(OutboxEntry.id).where(due).order_by(OutboxEntry.next_attempt_at, OutboxEntry.id).limit(5)
    ).scalars().all()
    for entry_id in candidates:
        result = db.session.execute(
            db.update(OutboxEntry)
            .where(OutboxEntry.id == entry_id, due)
            .values(status=STATUS_SENDING, lease_until=now + _lease(), lease_owner=owner, attempts=OutboxEntry.attempts + 1)
        )
        db.session.commit()
        if result.rowcount == 1:
            return db.session.get(OutboxEntry, entry_id)
    return None


def _timestamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _send(entry: OutboxEntry) -> None:
    services = PlatformServices(entry.registration_id)
    if entry.kind != "score":
        raise ServiceError(f"unknown outbox kind {entry.kind}", status=400)
    services.post_score(entry.target_url, {**entry.payload, "timestamp": _timestamp()})


def _finish(entry_id: int, owner: str, **values) -> None:
    # Only the lease holder may record the outcome (a slow worker whose lease
    # expired must not overwrite the next worker's result).
    db.session.execute(
        db.update(OutboxEntry).where(OutboxEntry.id == entry_id, OutboxEntry.lease_owner == owner).values(lease_until=None, **values)
    )
    db.session.commit()


def process_one(owner: str | None = None) -> OutboxEntry | None:
    """Claim and send one due entry; returns it (refreshed) or None when nothing is due."""
    owner = owner or worker_id()
    entry = _claim(owner)
    if entry is None:
        return None
    entry_id, attempts, registration_id = entry.id, entry.attempts, entry.registration_id
    try:
        _send(entry)
    except ServiceError as exc:
        db.session.rollback()
        final = not exc.retryable or attempts >= MAX_ATTEMPTS
        reason = f"{exc} {exc.body}".strip()[:1000]
        log.warning("outbox entry %s attempt %s failed (status=%s, final=%s)", entry_id, attempts, exc.status, final)
        _finish(
            entry_id,
            owner,
            status=STATUS_FAILED if final else STATUS_RETRY,
            last_status=exc.status,
            last_error=reason,
            next_attempt_at=utcnow() + _backoff(attempts),
        )
    except Exception as exc:  # noqa: BLE001 - Redis, the database, a bug: never leave it "sending"
        # Not the LMS's answer: record why and try again later, so the entry neither waits
        # out its lease in "sending" nor shows the teacher "queued" with no reason.
        db.session.rollback()
        final = attempts >= MAX_ATTEMPTS
        log.exception("outbox entry %s attempt %s failed inside Erbij (final=%s)", entry_id, attempts, final)
        _finish(
            entry_id,
            owner,
            status=STATUS_FAILED if final else STATUS_RETRY,
            last_status=None,
            last_error=f"{INTERNAL_ERROR_PREFIX} {type(exc).__name__}"[:1000],
            next_attempt_at=utcnow() + _backoff(attempts),
        )
    else:
        _finish(entry_id, owner, status=STATUS_SENT, sent_at=utcnow(), last_status=200, last_error=None)
        _revive_after_outage(registration_id)
    db.session.expire_all()
    return db.session.get(OutboxEntry, entry_id)


def _revive_after_outage(registration_id: int) -> None:
    """The LMS answers again: entries of that platform that gave up during the outage
    (network errors, 5xx, 429 — never a refusal such as 422) are sent again."""
    outage = or_(OutboxEntry.last_status.is_(None), OutboxEntry.last_status >= 500, OutboxEntry.last_status == 429)
    result = db.session.execute(
        db.update(OutboxEntry)
        .where(OutboxEntry.registration_id == registration_id, OutboxEntry.status == STATUS_FAILED, outage)
        .where(~OutboxEntry.last_error.like("%refused by Erbij%"))
        .values(status=STATUS_RETRY, attempts=0, next_attempt_at=utcnow())
    )
    db.session.commit()
    if result.rowcount:
        log.info("outbox: platform %s answers again, %s entries re-queued", registration_id, result.rowcount)


def drain(limit: int = 100, owner: str | None = None) -> int:
    """Send up to `limit` due entries; returns how many were attempted."""
    owner = owner or worker_id()
    n = 0
    while n < limit and process_one(owner) is not None:
        n += 1
    return n


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def run_worker(app, poll_interval: float = 2.0, stop: threading.Event | None = None) -> None:
    """Loop until stopped: the `flask --app wsgi worker` command and the in-process drainer."""
    owner = worker_id() + ":" + secrets.token_hex(3)
    stop = stop or threading.Event()
    while not stop.is_set():
        try:
            with app.app_context():
                sent = drain(owner=owner)
        except Exception:  # keep the worker alive through a database hiccup
            log.exception("outbox worker iteration failed")
            sent = 0
        if not sent:
            stop.wait(poll_interval)


_drainer_lock = threading.Lock()
_drainers: dict[int, threading.Thread] = {}


def kick(app=None) -> None:
    """Make sure this process drains the outbox (the embedded default, no separate worker)."""
    app = app or current_app._get_current_object()
    if not app.config.get("ERBIJ_DRAIN_OUTBOX_IN_PROCESS"):
        return
    with _drainer_lock:
        thread = _drainers.get(os.getpid())
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=run_worker, args=(app, 1.0), name="erbij-outbox", daemon=True)
            thread.start()
            _drainers[os.getpid()] = thread
