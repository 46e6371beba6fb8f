"""Erbij's keys (JWKS, rotation with overlap) and the admin CLI."""

from datetime import timedelta

from lti_tool.extensions import db
from lti_tool.lti import keys
from lti_tool.models import Registration, ToolKey


def test_jwks_shape_and_first_key_created_on_demand(client):
    data = client.get("/lti/jwks").get_json()
    assert isinstance(data["keys"], list) and len(data["keys"]) == 1  # {"keys": [...]}, not nested
    key = data["keys"][0]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert "d" not in key and "p" not in key  # never the private parts


def test_rotation_keeps_old_key_published_for_the_overlap(app, client, runner=None):
    runner = app.test_cli_runner()
    first = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "New active key" in result.output
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert first in kids and len(kids) == 2
    with app.app_context():
        assert keys.active_key().kid != first
        old = db.session.execute(db.select(ToolKey).where(ToolKey.kid == first)).scalar_one()
        old.retired_at = old.retired_at - timedelta(seconds=app.config["ERBIJ_KEY_OVERLAP"] + 1)
        db.session.commit()
    kids = [k["kid"] for k in client.get("/lti/jwks").get_json()["keys"]]
    assert kids == [k for k in kids if k != first] and len(kids) == 1


def test_platforms_add_list_disable(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "platforms", "add",
            "--issuer", "https://canvas.instructure.com",
            "--client-id", "10000000000042",
            "--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
            "--auth-token-url", "https://sso.canvaslms.com/login/oauth2/token",
            "--key-set-url", "https://sso.canvaslms.com/api/lti/security/jwks",
            "--deployment-id", "1:abc", "--deployment-id", "2:def",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "/lti/launch" in result.output and "/lti/login" in result.output and "/lti/jwks" in result.output
    listing = runner.invoke(args=["platforms", "list"]).output
    assert "canvas.instructure.com" in listing and "1:abc" in listing and "2:def" in listing
    with app.app_context():
        reg = db.session.execute(db.select(Registration)).scalar_one()
        assert reg.enabled and len(reg.deployments) == 2
        assert db.session.execute(db.select(ToolKey)).first() is not None  # a key exists for the LMS to fetch
        reg_id = reg.id
    assert runner.invoke(args=["platforms", "disable", str(reg_id)]).exit_code == 0
    assert "DISABLED" in runner.invoke(args=["platforms", "list"]).output
    assert runner.invoke(args=["platforms", "disable", "999"]).exit_code != 0


def test_platforms_add_is_idempotent(app):
    runner = app.test_cli_runner()
    args = ["platforms", "add", "--issuer", "https://moodle.example", "--client-id", "abc", "--auth-login-url", "https://moodle.example/mod/lti/auth.php", "--auth-token-url", "https://moodle.example/mod/lti/token.php", "--key-set-url", "https://moodle.example/mod/lti/certs.php", "--deployment-id", "1"]
    assert runner.invoke(args=args).exit_code == 0
    assert runner.invoke(args=args).exit_code == 0
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Registration)).scalar() == 1


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}
