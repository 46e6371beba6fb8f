"""The session cookie's serializer writes plain values as plain JSON and reads Flask's own
tagged cookies, and Flask's serializer reads what it writes: one cookie format."""

from datetime import UTC, datetime

import pytest
from flask.json.tag import TaggedJSONSerializer

from lti_tool.session_cookie import PlainFirstJSON

VALUES = [
    {"erbij_launches": ["a1", "b2"], "csrf_token": "x" * 40, "_permanent": True},
    {"operator": {"id": 3, "name": "Beheer"}, "n": 1.5, "none": None},
    {" t": "a key that looks like a tag"},
    {"when": datetime(2026, 12, 4, 12, 0, tzinfo=UTC)},  # not plain: tagged as Flask would (Flask reads it back aware)
    {"pair": (1, 2), "raw": b"\x00\x01"},
]


@pytest.mark.parametrize("value", VALUES)
def test_round_trip_both_ways(app, value):
    ours, flasks = PlainFirstJSON(), TaggedJSONSerializer()
    with app.app_context():
        assert ours.loads(ours.dumps(value)) == value
        assert flasks.loads(ours.dumps(value)) == value
        assert ours.loads(flasks.dumps(value)) == value


# ---------------------------------------------------------------- read when first used
from lti_tool.session_cookie import CookieSession  # noqa: E402

STORED = {"erbij_launches": ["a1"], "csrf_token": "t", "_permanent": True}

USES = {
    "len": len,
    "in": lambda s: "csrf_token" in s,
    "get": lambda s: s.get("csrf_token"),
    "item": lambda s: s["csrf_token"],
    "iter": lambda s: sorted(s),
    "items": lambda s: sorted(s.items()),
    "keys": lambda s: sorted(s.keys()),
    "values": lambda s: len(list(s.values())),
    "dict": lambda s: dict(s),
    "copy": lambda s: s.copy(),
    "eq": lambda s: s == STORED,
    "bool": bool,
    "repr": repr,
    "permanent": lambda s: s.permanent,
    "setdefault": lambda s: s.setdefault("csrf_token", "other"),
    "set": lambda s: s.__setitem__("new", 1),
    "update": lambda s: s.update(new=1),
    "pop": lambda s: s.pop("csrf_token"),
    "del": lambda s: s.__delitem__("csrf_token"),
}


@pytest.mark.parametrize("use", sorted(USES))
def test_a_cookie_session_is_read_once_by_whatever_uses_it_first(use):
    reads = []
    session = CookieSession(lambda: reads.append(1) or dict(STORED))
    assert session.unread and not reads
    USES[use](session)
    assert reads == [1] and not session.unread
    # The cookie's values are all there, with whatever the use changed on top of them.
    assert set(session) >= set(STORED) - {"csrf_token"}
    assert session["erbij_launches"] == ["a1"] and session.permanent is True
    USES[use](CookieSession(lambda: dict(STORED)))  # a second use of a new one reads again
    assert reads == [1]


def test_reading_the_cookie_is_not_a_change():
    session = CookieSession(lambda: dict(STORED))
    assert session.get("csrf_token") == "t"
    assert session.modified is False
    session["csrf_token"] = "u"
    assert session.modified is True


def _session_cookie(client, app):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return cookie.value if cookie is not None else None


def test_a_request_that_does_not_use_the_session_leaves_its_cookie_alone(app, client, monkeypatch):
    with client.session_transaction() as sess:  # a browser with a session: a launch bound, permanent
        sess.update(STORED)
    assert _session_cookie(client, app)
    # Counting the signature checks: a request that never looks at the session checks none.
    from lti_tool import session_cookie

    checks = []
    original = session_cookie.ErbijSessionInterface.get_signing_serializer

    def counting(self, app_):
        signing = original(self, app_)

        class Counting:
            def loads(self, *a, **kw):
                checks.append(1)
                return signing.loads(*a, **kw)

            def dumps(self, *a, **kw):
                return signing.dumps(*a, **kw)

        return Counting()

    monkeypatch.setattr(session_cookie.ErbijSessionInterface, "get_signing_serializer", counting)
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert not [h for h in resp.headers.getlist("Set-Cookie") if h.startswith(app.config["SESSION_COOKIE_NAME"] + "=")]
    assert "Cookie" not in resp.headers.get("Vary", "")
    assert checks == []
    # The session itself is intact: a test's look at it reads the same values.
    with client.session_transaction() as sess:
        assert sess["erbij_launches"] == ["a1"] and sess.permanent
    assert checks == [1]


def test_a_cookie_that_does_not_check_out_is_an_empty_session_when_used(app, client):
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "not.a.signed.cookie", domain="localhost")
    assert client.get("/healthz").status_code == 200  # not used: nothing to say about it
    with client.session_transaction() as sess:
        assert dict(sess) == {}
