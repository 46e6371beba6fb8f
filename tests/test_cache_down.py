"""Redis down: every page and launch still works (the cache degrades to the database),
and /readyz says so. The cache is pointed at a port where nothing listens."""

from __future__ import annotations

import pytest
from flask_caching import Cache

from lti_tool.extensions import cache


@pytest.fixture
def redis_down(app):
    """The app's cache as a RedisCache on a closed port, for this test only."""
    before = dict(app.extensions["cache"])
    app.config["CACHE_REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        Cache.init_app(cache, app, config={"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": "redis://127.0.0.1:1/0", "CACHE_KEY_PREFIX": "t:"})
        yield
    finally:
        app.extensions["cache"].clear()
        app.extensions["cache"].update(before)


def test_launches_and_pages_work_while_redis_is_down(app, client, launch, redis_down):
    teacher = launch("instructor", activity="checkin", locale="en")
    assert teacher.response.status_code == 200
    assert client.get(f"/l/{teacher.lid}/checkin/dashboard").status_code == 200
    assert client.get("/lti/jwks").status_code == 200


def test_readyz_reports_the_cache_as_down(app, client, redis_down):
    resp = client.get("/readyz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"] == {"database": "ok", "cache": "error"}
    assert client.get("/healthz").status_code == 200  # alive all the same
