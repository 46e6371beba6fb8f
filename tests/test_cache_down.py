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


def test_cache_add_says_could_not_tell_when_redis_is_down(app, redis_down):
    """A failed add is "could not tell" (None), never "it was there" (False): the JWKS
    refetch limit then falls back to this process instead of refusing every refetch."""
    from lti_tool.lti import platform_keys
    from lti_tool.shared_cache import cache_add

    with app.app_context():
        assert cache_add("some-key", 1, timeout=10) is None
        key = "jwks-refetch:test-cache-down"
        assert platform_keys._limited(key, 60) is False  # the first refetch is allowed
        assert platform_keys._limited(key, 60) is True  # the second within the window is not


def test_cache_add_when_redis_answers(app):
    from lti_tool.shared_cache import cache_add

    with app.app_context():
        assert cache_add("add-twice", 1, timeout=10) is True
        assert cache_add("add-twice", 1, timeout=10) is False
