"""PostgreSQL restarting under a request (found by `make faults`, scenario 1)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lti_tool.extensions import db


def test_a_database_gone_at_the_end_of_a_request_leaves_the_response_alone(app, client, monkeypatch):
    """The session's closing ROLLBACK fails on a connection PostgreSQL cut: the response
    already built (here /readyz's 200; in the fault run a confirmed check-in) stands,
    instead of becoming a bare 500 from the server, and the next request works."""
    real_close = Session.close
    failures = []

    def close_on_a_dead_connection(self):
        if not failures:
            failures.append(1)
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection due to administrator command"))
        return real_close(self)

    monkeypatch.setattr(Session, "close", close_on_a_dead_connection)
    resp = client.get("/readyz")
    assert failures == [1]
    assert resp.status_code == 200 and resp.get_json()["checks"]["database"] == "ok"
    assert client.get("/readyz").status_code == 200


def test_the_session_is_dropped_after_a_failed_close(app, monkeypatch):
    def dead(self):
        raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))

    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        session = db.session.registry()
        monkeypatch.setattr(Session, "close", dead)
        db._teardown_session(None)
        monkeypatch.undo()
        assert db.session.registry() is not session  # a fresh session for whatever comes next
