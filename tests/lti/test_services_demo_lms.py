"""Erbij's AGS and NRPS clients against the built-in demo LMS, over real HTTP.

The demo LMS runs in a thread on 127.0.0.1 and verifies Erbij's signed client assertions
with Erbij's own JWKS: tokens, pagination and the gradebook quirks are the real thing.
"""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from lti_tool.lti import PlatformServices, ServiceError
from lti_tool.lti import keys as tool_keys
from lti_tool.lti.registrations import upsert_registration


@pytest.fixture
def demo(app, tmp_path):
    from lti_tool.demo import create_demo_app

    def erbij_jwks(_url):
        with app.app_context():
            return tool_keys.jwks()

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    demo_app = create_demo_app({"DEMO_DATA_DIR": tmp_path / "lms", "DEMO_TOOL_JWKS_FETCH": erbij_jwks, "DEMO_TIMEOUT_SLEEP": 0.01, "DEMO_LMS_URL": url})
    server = make_server("127.0.0.1", port, demo_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with app.app_context():
        reg = upsert_registration(
            issuer=url, client_id="erbij-demo", auth_login_url=f"{url}/auth", auth_token_url=f"{url}/oauth2/token",
            key_set_url=f"{url}/.well-known/jwks.json", deployment_ids=["demo-deployment-1"],
        )
        reg_id = reg.id
    yield url, reg_id, demo_app
    server.shutdown()


def _stats(url):
    import requests

    return requests.get(f"{url}/demo/api/stats", timeout=5).json()


def test_roster_from_demo_lms_all_pages_and_one_token(app, demo):
    url, reg_id, _ = demo
    with app.app_context():
        members = PlatformServices(reg_id).roster(f"{url}/api/lti/courses/course-nl2/memberships")
        again = PlatformServices(reg_id).roster(f"{url}/api/lti/courses/course-nl2/memberships")
    names = {m.name for m in members}
    assert len(members) >= 9 and "Sanne Bakker" in names and "Anouk de Vries" in names  # > one page of 4
    assert {m.user_id for m in members} == {m.user_id for m in again}
    assert {r for m in members for r in m.roles} >= {"Learner", "Instructor"}  # short names, like Moodle
    assert _stats(url)["tokens_issued"] == 1  # cached across calls


def test_scores_and_results_with_moodle_quirks(app, demo):

    url, reg_id, _ = demo
    lineitem = f"{url}/api/lti/courses/course-nl2/lineitems/1"
    with app.app_context():
        svc = PlatformServices(reg_id)
        item = svc.lineitem(lineitem)
        assert item["scoreMaximum"] == 10
        svc.post_score(lineitem, {"userId": "sanne.bakker", "scoreGiven": 7.5, "scoreMaximum": 10, "comment": "Sterke inleiding.", "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "2026-11-21T10:00:00.000Z"})
        results = svc.results(lineitem, user_id="sanne.bakker")
        assert results[0]["resultScore"] == 7.5 and results[0]["comment"] == "Sterke inleiding."
        # Older timestamp: refused, as Moodle does.
        with pytest.raises(ServiceError) as err:
            svc.post_score(lineitem, {"userId": "sanne.bakker", "scoreGiven": 5, "scoreMaximum": 10, "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "2026-11-21T09:00:00.000Z"})
        assert err.value.status in (400, 409) and not err.value.retryable
        # A teacher is not a student: refused, as Canvas does.
        with pytest.raises(ServiceError) as err:
            svc.post_score(lineitem, {"userId": "anouk.devries", "scoreGiven": 5, "scoreMaximum": 10, "activityProgress": "Completed", "gradingProgress": "FullyGraded", "timestamp": "2026-11-21T11:00:00.000Z"})
        assert err.value.status == 422
    assert _stats(url)["tokens_issued"] <= 3  # one per scope set at most


def test_create_lineitem_and_list(app, demo):
    url, reg_id, _ = demo
    with app.app_context():
        svc = PlatformServices(reg_id)
        created = svc.create_lineitem(f"{url}/api/lti/courses/course-nl2/lineitems", {"label": "Presentatie", "scoreMaximum": 20, "resourceId": "erbij-x"})
        labels = [li["label"] for li in svc.lineitems(f"{url}/api/lti/courses/course-nl2/lineitems")]
    assert created["id"] and "Presentatie" in labels


def test_injected_server_error_is_retryable(app, demo):
    import requests

    url, reg_id, _ = demo
    requests.post(f"{url}/demo/api/faults", json={"ags_scores": "500", "count": 1}, timeout=5)
    with app.app_context(), pytest.raises(ServiceError) as err:
        PlatformServices(reg_id).post_score(f"{url}/api/lti/courses/course-nl2/lineitems/1", {"userId": "sanne.bakker", "activityProgress": "Completed", "gradingProgress": "NotReady", "timestamp": "2026-11-21T12:00:00.000Z"})
    assert err.value.status == 500 and err.value.retryable
