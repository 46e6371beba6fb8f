"""The operator's login: scrypt hash, rate limit per account and per address, expiry, audit."""

from __future__ import annotations

from datetime import timedelta

from lti_tool import timeutil
from lti_tool.extensions import db
from lti_tool.models.admin import AuditEntry, Operator

from .conftest import PASSWORD, login


def _frozen(monkeypatch, start):
    clock = {"now": start}
    monkeypatch.setattr(timeutil, "utcnow", lambda: clock["now"])
    return clock


def test_operator_create_stores_a_scrypt_hash_and_the_login_works(app, client):
    result = app.test_cli_runner().invoke(args=["operator", "create", "bob"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        op = db.session.execute(db.select(Operator)).scalar_one()
        assert op.password_hash.startswith("scrypt$") and PASSWORD not in op.password_hash
    resp = login(client, "bob")
    assert resp.status_code == 302 and resp.headers["Location"] == "/admin/"
    assert client.get("/admin/registrations").status_code == 200


def test_a_short_password_is_refused(app):
    result = app.test_cli_runner().invoke(args=["operator", "create", "bob"], input="short\nshort\n")
    assert result.exit_code != 0 and "12 characters" in result.output


def test_failed_logins_per_account_are_limited_even_with_the_right_password(app, client, operator, monkeypatch):
    _frozen(monkeypatch, timeutil.utcnow().replace(minute=1))
    for i in range(5):
        resp = login(client, "alice", "wrong", address=f"10.0.0.{i}")  # five addresses: the account limit counts
        assert resp.status_code == 401
    resp = login(client, "alice", PASSWORD, address="10.0.0.99")
    assert resp.status_code == 429
    assert "Te veel mislukte pogingen. Probeer het over 14 minuten opnieuw." in resp.get_data(as_text=True)
    assert client.get("/admin/registrations").status_code == 302  # not logged in


def test_failed_logins_per_address_are_limited_across_accounts(app, client, operator, monkeypatch, new_browser):
    clock = _frozen(monkeypatch, timeutil.utcnow().replace(minute=16))
    for i in range(10):
        assert login(client, f"guess-{i}", "wrong", address="10.9.9.9").status_code == 401
    resp = client.get("/admin/login", headers={"Accept-Language": "en"}, environ_base={"REMOTE_ADDR": "10.9.9.9", "wsgi.url_scheme": "https"})
    assert resp.status_code == 200
    assert login(client, "alice", PASSWORD, address="10.9.9.9").status_code == 429
    assert login(new_browser(), "alice", PASSWORD, address="10.1.1.1").status_code == 302  # another address is not blocked
    clock["now"] += timedelta(minutes=15)  # the next window
    assert login(new_browser(), "alice", PASSWORD, address="10.9.9.9").status_code == 302


def test_the_block_message_is_translated(app, client, operator, monkeypatch):
    _frozen(monkeypatch, timeutil.utcnow().replace(minute=31))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for _ in range(5):
        login(client, "alice", "wrong")
    resp = login(client, "alice", PASSWORD)
    assert resp.status_code == 429 and "Too many failed attempts. Try again in 14 minutes." in resp.get_data(as_text=True)


def test_the_session_ends_after_idle_time_and_after_eight_hours(app, client, operator, monkeypatch):
    clock = _frozen(monkeypatch, timeutil.utcnow())
    assert login(client).status_code == 302
    clock["now"] += timedelta(minutes=29)
    assert client.get("/admin/registrations").status_code == 200
    clock["now"] += timedelta(minutes=31)  # 31 minutes idle since the last request
    assert client.get("/admin/registrations").status_code == 302
    assert login(client).status_code == 302
    for _ in range(17):  # active all the time, but 8 h 30 after the login
        clock["now"] += timedelta(minutes=29)
        client.get("/admin/registrations")
    assert client.get("/admin/registrations").status_code == 302


def test_logout_ends_the_session_and_logins_are_audited(app, client, operator):
    login(client, "alice", "wrong")
    login(client, "nobody-knows-me", "secret-typed-in-the-wrong-field")
    login(client)
    page = client.get("/admin/audit").get_data(as_text=True)
    from .conftest import csrf_of

    client.post("/admin/logout", data={"csrf_token": csrf_of(page)})
    assert client.get("/admin/registrations").status_code == 302
    with app.app_context():
        rows = db.session.execute(db.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        assert [r.action for r in rows][-4:] == ["operator.login_failed", "operator.login_failed", "operator.login", "operator.logout"]
        assert rows[-4].target == "operator:alice" and rows[-3].target == "operator:(unknown)" and rows[-1].actor == "operator:alice"
        assert all("nobody-knows-me" not in (r.target + str(r.detail)) for r in rows)
        assert rows[-2].address


def test_the_audit_log_refuses_updates_and_deletes_in_the_database(app, operator):
    import pytest
    from sqlalchemy.exc import DatabaseError

    with app.app_context():
        with pytest.raises(DatabaseError):
            db.session.execute(db.update(AuditEntry).values(action="x"))
            db.session.flush()
        db.session.rollback()
        with pytest.raises(DatabaseError):
            db.session.execute(db.delete(AuditEntry))
            db.session.flush()
        db.session.rollback()
        assert db.session.query(AuditEntry).count() == 1
