"""signed.py: tokens signed without compressing, random tokens without system calls — and
both still what itsdangerous, Flask and Flask-WTF make and accept."""

from __future__ import annotations

import os
import re

import pytest
from flask import session
from flask_wtf.csrf import validate_csrf
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from lti_tool import signed
from lti_tool.session_cookie import ErbijSessionInterface

COMPRESSIBLE = {"ids": ["same-id-again"] * 40}  # itsdangerous would compress this


@pytest.mark.parametrize("timed", [True, False])
def test_tokens_are_never_compressed_and_read_both_ways(timed):
    theirs = (URLSafeTimedSerializer if timed else URLSafeSerializer)("k", salt="s")
    ours = signed.serializer("k", "s", timed=timed)
    assert theirs.dumps(COMPRESSIBLE).startswith(".")  # the library's own: compressed
    token = ours.dumps(COMPRESSIBLE)
    assert not token.startswith(".")
    assert theirs.loads(token) == COMPRESSIBLE  # what Flask-WTF's check reads
    assert ours.loads(theirs.dumps(COMPRESSIBLE)) == COMPRESSIBLE  # tokens made before


def test_a_token_from_another_key_or_salt_is_refused():
    token = signed.serializer("k", "s").dumps("x")
    with pytest.raises(Exception, match="Signature"):
        signed.serializer("other", "s").loads(token)
    with pytest.raises(Exception, match="Signature"):
        signed.serializer("k", "other").loads(token)


def test_random_tokens_have_the_asked_size_and_never_repeat():
    tokens = {signed.token_urlsafe(24) for _ in range(20_000)}
    assert len(tokens) == 20_000
    assert all(len(t) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)
    assert len(signed.token_hex(20)) == 40
    assert len(signed.token_bytes(64)) == 64
    with pytest.raises(ValueError):
        signed.token_bytes(65)


def test_a_forked_process_draws_other_tokens_than_its_parent():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next tokens
        try:
            os.write(write, " ".join(signed.token_urlsafe(24) for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 4096).decode().split()
    os.close(read)
    os.waitpid(pid, 0)
    parent = [signed.token_urlsafe(24) for _ in range(3)]
    assert len(child) == 3 and not set(child) & set(parent)


def test_csrf_token_is_flask_wtfs_own(app):
    with app.test_request_context("/"):
        token = signed.csrf_token()
        assert not token.startswith(".")
        assert signed.csrf_token() == token  # one per request
        assert len(session["csrf_token"]) == 40
        validate_csrf(token)  # raises when Flask-WTF would refuse it
    with app.test_request_context("/"):
        session["csrf_token"] = "a" * 40
        with pytest.raises(Exception, match="do not match"):
            validate_csrf(token)  # another session's token


def test_the_session_cookie_is_not_compressed_and_old_cookies_still_read(app):
    data = {"lids": [f"launch-{i:02d}-xxxxxxxxxxxxxxxxxxxxxxxxx" for i in range(20)], "csrf_token": "c" * 40}
    ours = ErbijSessionInterface().get_signing_serializer(app)
    cookie = ours.dumps(data)
    assert not cookie.startswith(".")
    flasks = URLSafeTimedSerializer(
        app.secret_key,
        salt="cookie-session",
        serializer=ours.serializer,
        signer_kwargs={"key_derivation": "hmac", "digest_method": ours.signer_kwargs["digest_method"]},
    )
    old = flasks.dumps(data)
    assert old.startswith(".")  # Flask's own compresses this one
    assert ours.loads(old) == data and flasks.loads(cookie) == data


def test_each_key_is_derived_once_and_an_old_secret_still_reads(monkeypatch):
    from itsdangerous import TimestampSigner

    old_token = signed.serializer("old-secret", "rotating").dumps("x")
    calls = []
    real = TimestampSigner.derive_key
    monkeypatch.setattr(TimestampSigner, "derive_key", lambda self, key=None: calls.append(key) or real(self, key))
    rotated = signed.serializer(["old-secret", "new-secret"], "rotating")
    for _ in range(5):
        assert rotated.loads(rotated.dumps("y")) == "y"
    assert len(calls) == 1  # the new secret's key, once for ten signatures and checks
    assert rotated.loads(old_token) == "x"  # signed before the rotation: read with the old secret
    with pytest.raises(Exception, match="Signature"):
        signed.serializer("new-secret", "rotating").loads(old_token)


def test_templates_make_the_csrf_token_with_signed(app, monkeypatch):
    from flask import render_template_string

    made = []
    real = signed.csrf_token
    monkeypatch.setattr(signed, "csrf_token", lambda: made.append(1) or real())
    with app.test_request_context("/"):
        token = render_template_string("{{ csrf_token() }}")
        assert made and token == real()
