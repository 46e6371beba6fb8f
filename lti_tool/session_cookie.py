"""The session cookie: Flask's signed cookie, read and written with less work.

Flask reads the cookie for every request, and every response that used the session
writes it again (the session is permanent, so each response renews it). Flask builds a
new signing serializer for each, derives the signing key from the secret anew for each
signature, and walks every value looking for Python types to tag (tuples, bytes,
datetimes…). Erbij's session holds plain
JSON values only (launch ids, the CSRF token, the operator's login); this signs with
`signed.serializer()` (made once per secret key, keys derived once, never compressed:
zlib gives up the GIL, and under load the thread waits to get it back) and writes and reads
plain values as plain JSON. Anything else still goes through Flask's tagged JSON, and the
cookie format is Flask's own: cookies written before this change read the same, and the
other way round.

The cookie is read when the request first uses the session (`CookieSession`): a request
that never looks at it (the OIDC login, a static file, a health check) neither checks its
signature nor writes it again, and its response leaves the browser's cookie as it is.
"""

from __future__ import annotations

import json

from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous.exc import BadSignature
from itsdangerous.serializer import Serializer

from .signed import serializer

_SCALARS = (str, int, float, bool, type(None))


def _plain(value) -> bool:
    """Only JSON's own types, and no dict that Flask's tagged JSON would read as a tag."""
    kind = type(value)
    if kind in _SCALARS:
        return True
    if kind is list:
        return all(_plain(v) for v in value)
    if kind is dict:
        return all(type(k) is str and not k.startswith(" ") and _plain(v) for k, v in value.items())
    return False


class PlainFirstJSON(TaggedJSONSerializer):
    def dumps(self, value) -> str:
        if _plain(value):  # what tagging would leave as it is
            return json.dumps(value, separators=(",", ":"), sort_keys=True)
        return super().dumps(value)

    def loads(self, value):
        text = value.decode("utf-8") if isinstance(value, bytes | bytearray) else value
        # Tags are one-key objects whose key starts with a space; compact JSON puts the
        # key right after "{". Without one, there is nothing to untag. The cookie's
        # signature was checked: what it holds was written here, so it is read with plain
        # `json` (not the app's provider, which guards what clients send: input_safety.py).
        if '{" ' not in text:
            return json.loads(text)
        return super().loads(text)


class CookieSession(SecureCookieSession):
    """Flask's cookie session, filled from the cookie by `read` when first used: every way
    to look at or change it (the dict's methods, `permanent`, the `flask.session` proxy)
    reads it first. Filling it is not a change (`modified` stays False)."""

    def __init__(self, read=None) -> None:
        self._read = read
        super().__init__()

    @property
    def unread(self) -> bool:
        return self._read is not None

    def _fill(self) -> None:
        read, self._read = self._read, None
        if read is not None and (data := read()):
            dict.update(self, data)


def _filled_first(name: str):
    method = getattr(SecureCookieSession, name)

    def filled(self, *args, **kwargs):
        if self._read is not None:
            self._fill()
        return method(self, *args, **kwargs)

    filled.__name__ = name
    return filled


for _name in (
    "__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__reversed__", "__len__",
    "__eq__", "__ne__", "__repr__", "__or__", "__ior__", "get", "setdefault", "pop", "popitem", "update",
    "clear", "keys", "values", "items", "copy",
):  # fmt: skip
    setattr(CookieSession, _name, _filled_first(_name))


class ErbijSessionInterface(SecureCookieSessionInterface):
    serializer = PlainFirstJSON()
    session_class = CookieSession

    def open_session(self, app, request) -> CookieSession | None:
        signing = self.get_signing_serializer(app)
        if signing is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return CookieSession()
        max_age = int(app.permanent_session_lifetime.total_seconds())

        def read() -> dict | None:
            try:
                return signing.loads(value, max_age=max_age)
            except BadSignature:
                return None  # as Flask's: a cookie that does not check out is an empty session

        return CookieSession(read)

    def save_session(self, app, session, response) -> None:
        if getattr(session, "unread", False):
            return  # never looked at in this request: the browser's cookie stands as it is
        super().save_session(app, session, response)

    def get_signing_serializer(self, app) -> Serializer | None:
        if not app.secret_key:
            return None
        return serializer(
            [*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key],
            self.salt,
            json=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )


def init_app(app) -> None:
    app.session_interface = ErbijSessionInterface()
