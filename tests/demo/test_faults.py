"""Fault injection for score POSTs, and the counters tests read back."""

from __future__ import annotations

import pytest

from .conftest import COURSE, FEEDBACK, STUDENT
from .test_ags import ALL, post_score


@pytest.fixture
def betoog(lms) -> int:
    (item,) = lms.store.line_items(COURSE, resource_link_id=FEEDBACK)
    return item.id


@pytest.mark.parametrize(("mode", "status"), [("500", 500), ("429", 429), ("422", 422), ("timeout", 504)])
def test_the_next_n_score_posts_fail_then_all_is_normal(lms, betoog, mode, status):
    headers = lms.service_token(*ALL)
    set_fault = lms.client.post("/demo/api/faults", json={"ags_scores": mode, "count": 2})
    assert set_fault.status_code == 200

    first = post_score(lms, headers, betoog)
    second = post_score(lms, headers, betoog)
    third = post_score(lms, headers, betoog)

    assert (first.status_code, second.status_code, third.status_code) == (status, status, 200)
    if mode == "429":
        assert first.headers["Retry-After"] == "1"
    assert lms.store.get_result(betoog, STUDENT) is not None  # only the third was stored
    stats = lms.client.get("/demo/api/stats").get_json()
    assert stats["score_posts"] == 3
    assert stats["score_posts_per_user"] == {STUDENT: 3}
    assert stats["score_posts_per_status"] == {str(status): 2, "200": 1}
    assert stats["faults"]["ags_scores"]["remaining"] == 0


def test_faults_do_not_touch_other_requests_and_can_be_cleared(lms, betoog):
    headers = lms.service_token(*ALL)
    lms.client.post("/demo/api/faults", json={"ags_scores": "500", "count": 5})

    assert lms.client.get(f"/api/lti/courses/{COURSE}/lineitems", headers=headers).status_code == 200
    lms.client.post("/demo/api/faults", json={"ags_scores": None})

    assert post_score(lms, headers, betoog).status_code == 200
    assert lms.client.get("/demo/api/faults").get_json()["ags_scores"]["mode"] is None


def test_stats_count_tokens_and_posts_per_user(lms, betoog):
    headers = lms.service_token(*ALL)
    lms.service_token(*ALL)
    post_score(lms, headers, betoog, userId="lisa.jansen")
    post_score(lms, headers, betoog, userId="lisa.jansen")
    post_score(lms, headers, betoog, userId="daan.visser")

    stats = lms.client.get("/demo/api/stats").get_json()

    assert stats["tokens_issued"] == 2
    assert stats["score_posts_per_user"] == {"lisa.jansen": 2, "daan.visser": 1}


@pytest.mark.parametrize(
    "body",
    [{"ags_scores": "503"}, {"ags_scores": "500", "count": -1}, {"count": 1}, ["500"]],
)
def test_bad_fault_requests_are_a_400(lms, body):
    assert lms.client.post("/demo/api/faults", json=body).status_code == 400
