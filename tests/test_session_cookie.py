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
