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
        old.retired_at = old.retired_at - keys.retired_key_overlap() - timedelta(seconds=1)
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


def test_healthz_and_readyz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.get_json()
    assert body["checks"] == {"database": "ok", "cache": "ok"} and body["outbox_backlog_age_seconds"] == 0


def test_private_keys_are_encrypted_at_rest_and_still_sign(app, client):
    import jwt
    from jwt.algorithms import RSAAlgorithm

    client.get("/lti/jwks")
    with app.app_context():
        stored = db.session.execute(db.select(ToolKey.private_pem)).scalar_one()
        assert stored.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        token = keys.sign({"iss": "erbij", "aud": "x"})
    jwk = client.get("/lti/jwks").get_json()["keys"][0]
    assert jwt.decode(token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience="x")["iss"] == "erbij"


def test_a_key_stored_in_plain_text_is_encrypted_on_first_use(app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    plain = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with app.app_context():
        db.session.add(ToolKey(kid="legacy-kid", private_pem=plain, public_jwk="{}", status="active"))
        db.session.commit()
        assert keys.active_key().kid == "legacy-kid"
        stored = db.session.execute(db.select(ToolKey.private_pem).where(ToolKey.kid == "legacy-kid")).scalar_one()
    assert stored.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


def test_an_undecryptable_key_is_replaced_not_a_crash(app, client):
    first = client.get("/lti/jwks").get_json()["keys"][0]["kid"]
    keys._decrypted.clear()
    app.config["ERBIJ_KEY_ENCRYPTION_KEY"] = "another-key"
    try:
        with app.app_context():
            new = keys.active_key()
            assert new.kid != first
            assert keys.sign({"a": 1})
    finally:
        app.config["ERBIJ_KEY_ENCRYPTION_KEY"] = None
        keys._decrypted.clear()


def test_files_erbij_creates_are_owner_only(tmp_path, monkeypatch):
    import stat

    from lti_tool.config import load_config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    load_config(str(instance))
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert stat.S_IMODE((instance / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((instance / "erbij.sqlite").stat().st_mode) == 0o600
