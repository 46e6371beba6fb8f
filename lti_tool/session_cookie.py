"""The session cookie: Flask's signed cookie, read and written with less work.

Every request reads the cookie and every response writes it again (the session is
permanent, so each response renews it). Flask builds a new signing serializer for each,
derives the signing key from the secret anew for each signature, and walks every value
looking for Python types to tag (tuples, bytes, datetimes…). Erbij's session holds plain
JSON values only (launch ids, the CSRF token, the operator's login); this signs with
`signed.serializer()` (made once per secret key, keys derived once, never compressed:
zlib gives up the GIL, and under load the thread waits to get it back) and writes and reads
plain values as plain JSON. Anything else still goes through Flask's tagged JSON, and the
cookie format is Flask's own: cookies written before this change read the same, and the
other way round.
"""

from __future__ import annotations

import json

from flask import json as flask_json
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
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
        # key right after "{". Without one, there is nothing to untag.
        if '{" ' not in text:
            return flask_json.loads(text)
        return super().loads(text)


class ErbijSessionInterface(SecureCookieSessionInterface):
    serializer = PlainFirstJSON()

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
