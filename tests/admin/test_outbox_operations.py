"""The console's outbox buttons: which entries "send again", "stop sending" and "send all
again" change, what they change them to, and the audit entry each leaves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lti_tool import timeutil
from lti_tool.admin import operations
from lti_tool.extensions import db
from lti_tool.models import OutboxEntry
from lti_tool.models.admin import AuditEntry

from .conftest import seed_person

ALL = ("pending", "sending", "retry", "sent", "failed", "dropped")
LATER = timedelta(hours=6)


def _entry(app, registration_id: int, course_id: int, status: str, key: str) -> int:
    """An entry in `status` that has been tried, waits until later and holds a lease."""
    with app.app_context():
        now = timeutil.utcnow()
        entry = OutboxEntry(
            registration_id=registration_id,
            course_id=course_id,
            kind="score",
            target_url="https://lms.example/li/1",
            user_sub="s",
            payload={"scoreGiven": 1},
            dedupe_key=key,
            source="checkin",
            status=status,
            attempts=5,
            next_attempt_at=now + LATER,
            lease_until=now + LATER,
        )
        db.session.add(entry)
        db.session.commit()
        return entry.id


@pytest.fixture
def entries(app, platform):
    """One entry per status in the platform's registration: status → id."""
    course_id = seed_person(app, platform.registration_id)["course_id"]
    with app.app_context():
        db.session.execute(db.delete(OutboxEntry))  # the seeded person's one entry: this test makes its own
        db.session.commit()
    return {s: _entry(app, platform.registration_id, course_id, s, f"entry-{s}") for s in ALL}


def _audits(action: str) -> list[tuple]:
    entries = db.session.execute(db.select(AuditEntry).where(AuditEntry.action == action)).scalars()
    return [(a.actor, a.target, a.registration_id, a.detail) for a in entries]


def _sent_again_now(entry: OutboxEntry) -> bool:
    return entry.status == "retry" and entry.attempts == 0 and entry.lease_until is None and entry.next_attempt_at <= timeutil.utcnow()


def _stopped(entry: OutboxEntry) -> bool:
    # What happened so far (the attempts) stays visible.
    return entry.status == "dropped" and entry.lease_until is None and entry.attempts == 5


ONE_ENTRY = {
    # button: (operation, audit action, the statuses it changes, what a changed entry looks like)
    "retry": (operations.retry_entry, "outbox.retry", ("failed", "retry", "dropped", "pending"), _sent_again_now),
    "drop": (operations.drop_entry, "outbox.drop", ("failed", "retry", "pending"), _stopped),
}


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("button", ONE_ENTRY)
def test_retry_and_drop_change_one_entry_only_from_the_statuses_they_are_for(app, platform, entries, button, status):
    operation, action, changes, changed_looks_right = ONE_ENTRY[button]
    with app.app_context():
        changed = operation(db.session.get(OutboxEntry, entries[status]), actor="operator:alice")
        db.session.expire_all()
        entry = db.session.get(OutboxEntry, entries[status])
        if status in changes:
            assert changed is True and changed_looks_right(entry)
            assert _audits(action) == [("operator:alice", f"outbox:{entry.id}", platform.registration_id, {})]
        else:  # sent, being sent (a worker holds it), or already stopped
            assert changed is False and entry.status == status and entry.attempts == 5 and entry.lease_until is not None
            assert _audits(action) == []
        for other, other_id in entries.items():  # one entry: the others are as they were
            if other != status:
                assert db.session.get(OutboxEntry, other_id).status == other


def test_retry_all_sends_again_the_failed_and_retrying_entries_of_one_registration_only(app, platform, platform_b, entries):
    course_b = seed_person(app, platform_b.registration_id, sub="student-b", course_ctx="course-b")["course_id"]
    b_failed = _entry(app, platform_b.registration_id, course_b, "failed", "entry-b-failed")
    with app.app_context():
        assert operations.retry_all(platform.registration_id, actor="cli") == 2
        db.session.expire_all()
        after = {s: db.session.get(OutboxEntry, i) for s, i in entries.items()}
        assert _sent_again_now(after["failed"]) and _sent_again_now(after["retry"])
        for status in ("pending", "sending", "sent", "dropped"):
            assert after[status].status == status and after[status].attempts == 5, status
        assert db.session.get(OutboxEntry, b_failed).status == "failed"
        assert _audits("outbox.retry_all") == [
            ("cli", f"registration:{platform.registration_id}", platform.registration_id, {"entries": 2})
        ]

        # Retrying entries are sent again too; once none waits, nothing changes and nothing is written down.
        assert operations.retry_all(platform.registration_id, actor="cli") == 2
        db.session.execute(db.update(OutboxEntry).where(OutboxEntry.status == "retry").values(status="sent"))
        db.session.commit()
        assert operations.retry_all(platform.registration_id, actor="cli") == 0
        assert len(_audits("outbox.retry_all")) == 2
