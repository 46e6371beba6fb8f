"""Assignment and Grade Services, with the quirks of real LMSs that Erbij must survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import count
from typing import Any

import pytest

from .conftest import COURSE, FEEDBACK, LMS_URL, STUDENT, TEACHER

LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
RESULT_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
ALL = (LINEITEM, LINEITEM_READONLY, RESULT_READONLY, SCORE)
LINEITEMS = f"/api/lti/courses/{COURSE}/lineitems"

_tick = count()
_START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def later() -> str:
    """A timestamp newer than any before it in this run (scores must move forward)."""
    return (_START + timedelta(seconds=next(_tick))).isoformat()


@pytest.fixture
def betoog(lms) -> int:
    """The id of the seeded "Betoog" line item (bound to the feedback link)."""
    (item,) = lms.store.line_items(COURSE, resource_link_id=FEEDBACK)
    return item.id


@pytest.fixture
def ags(lms) -> dict[str, str]:
    return lms.service_token(*ALL)


def post_score(lms, headers, line_item_id: int, **fields: Any):
    body = {
        "userId": STUDENT,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "comment": "Het lijkt erop dat je goed op weg bent.",
        "timestamp": later(),
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return lms.client.post(
        f"{LINEITEMS}/{line_item_id}/scores",
        json=body,
        headers={**headers, "Content-Type": "application/vnd.ims.lis.v1.score+json"},
    )


def results(lms, headers, line_item_id: int, user_id: str = STUDENT) -> list[dict]:
    response = lms.client.get(f"{LINEITEMS}/{line_item_id}/results?user_id={user_id}", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.ims.lis.v2.resultcontainer+json"
    return response.get_json()


def test_a_score_becomes_the_result(lms, ags, betoog):
    response = post_score(lms, ags, betoog, scoreGiven=15, scoreMaximum=20)

    assert response.status_code == 200
    (result,) = results(lms, ags, betoog)
    item_url = f"{LMS_URL}{LINEITEMS}/{betoog}"
    assert result == {
        "id": f"{item_url}/results/{STUDENT}",
        "scoreOf": item_url,
        "userId": STUDENT,
        # Rescaled to the line item's maximum, like Moodle.
        "resultScore": 7.5,
        "resultMaximum": 10.0,
        "comment": "Het lijkt erop dat je goed op weg bent.",
    }


def test_a_score_without_comment_erases_the_comment_like_moodle(lms, ags, betoog):
    assert post_score(lms, ags, betoog, comment="Eerste feedback").status_code == 200
    assert post_score(lms, ags, betoog, comment=None, scoreGiven=8).status_code == 200

    (result,) = results(lms, ags, betoog)
    assert "comment" not in result
    assert result["resultScore"] == 8


def test_score_given_is_kept_only_when_fully_graded_like_moodle(lms, ags, betoog):
    post_score(lms, ags, betoog, scoreGiven=9)
    response = post_score(lms, ags, betoog, scoreGiven=6, gradingProgress="PendingManual")

    assert response.status_code == 200
    (result,) = results(lms, ags, betoog)
    assert "resultScore" not in result  # replaced by a result without a score
    assert lms.store.get_result(betoog, STUDENT).grading_progress == "PendingManual"


def test_an_older_or_equal_timestamp_is_a_409_like_moodle(lms, ags, betoog):
    stamp = later()
    assert post_score(lms, ags, betoog, timestamp=stamp, comment="nieuw").status_code == 200

    same = post_score(lms, ags, betoog, timestamp=stamp, comment="dubbel")
    older = post_score(lms, ags, betoog, timestamp="2020-01-01T00:00:00+00:00", comment="oud")
    # The same moment written in another time zone is not newer either.
    shifted = (datetime.fromisoformat(stamp).astimezone(timezone(timedelta(hours=2)))).isoformat()
    same_moment = post_score(lms, ags, betoog, timestamp=shifted, comment="dubbel")

    assert (same.status_code, older.status_code, same_moment.status_code) == (409, 409, 409)
    assert results(lms, ags, betoog)[0]["comment"] == "nieuw"


def test_a_user_who_is_not_a_learner_is_a_422_like_canvas(lms, ags, betoog):
    teacher = post_score(lms, ags, betoog, userId=TEACHER)
    stranger = post_score(lms, ags, betoog, userId="jesse.kok")  # only in Biologie
    unknown = post_score(lms, ags, betoog, userId="nobody")

    assert (teacher.status_code, stranger.status_code, unknown.status_code) == (422, 422, 422)


def test_a_score_above_the_maximum_is_accepted_and_flagged(lms, ags, betoog):
    assert post_score(lms, ags, betoog, scoreGiven=12, scoreMaximum=10).status_code == 200

    assert lms.store.get_result(betoog, STUDENT).above_maximum
    page = lms.client.get(f"/courses/{COURSE}/gradebook").text
    assert "above maximum" in page


@pytest.mark.parametrize(
    "change",
    [
        {"userId": None},
        {"timestamp": None},
        {"timestamp": "gisteren"},
        {"timestamp": "2026-03-02T09:00:00"},  # no time zone
        {"activityProgress": "Done"},
        {"gradingProgress": None},
        {"scoreGiven": "7"},
        {"scoreMaximum": None},
        {"scoreGiven": -1},
        {"comment": 42},
    ],
)
def test_malformed_scores_are_a_400(lms, ags, betoog, change):
    assert post_score(lms, ags, betoog, **change).status_code == 400


def test_every_request_needs_a_token_with_the_right_scope(lms, betoog):
    no_token = post_score(lms, {}, betoog)
    bad_token = post_score(lms, {"Authorization": "Bearer nope"}, betoog)
    read_only = post_score(lms, lms.service_token(LINEITEM_READONLY, RESULT_READONLY), betoog)
    score_only = lms.service_token(SCORE)

    assert no_token.status_code == 401
    assert no_token.headers["WWW-Authenticate"].startswith("Bearer")
    assert bad_token.status_code == 401
    assert read_only.status_code == 403
    assert lms.client.get(LINEITEMS, headers=score_only).status_code == 403
    assert lms.client.get(f"{LINEITEMS}/{betoog}/results", headers=score_only).status_code == 403
    assert lms.client.post(LINEITEMS, json={}, headers=lms.service_token(LINEITEM_READONLY)).status_code == 403


def test_line_item_crud_and_filters(lms, ags, betoog):
    created = lms.client.post(
        LINEITEMS,
        json={"label": "Presentatie", "scoreMaximum": 5, "tag": "erbij", "resourceId": "p-1"},
        headers={**ags, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
    )
    assert created.status_code == 201
    assert created.mimetype == "application/vnd.ims.lis.v2.lineitem+json"
    item = created.get_json()
    assert item["id"].startswith(f"{LMS_URL}{LINEITEMS}/")
    assert (item["label"], item["scoreMaximum"], item["tag"]) == ("Presentatie", 5, "erbij")
    item_path = item["id"].removeprefix(LMS_URL)

    listed = lms.client.get(LINEITEMS, headers=ags)
    assert listed.mimetype == "application/vnd.ims.lis.v2.lineitemcontainer+json"
    assert [i["label"] for i in listed.get_json()] == ["Betoog", "Presentatie"]
    bound = lms.client.get(f"{LINEITEMS}?resource_link_id={FEEDBACK}", headers=ags).get_json()
    assert [(i["label"], i["resourceLinkId"]) for i in bound] == [("Betoog", FEEDBACK)]
    assert [i["label"] for i in lms.client.get(f"{LINEITEMS}?tag=erbij", headers=ags).get_json()] == ["Presentatie"]

    updated = lms.client.put(item_path, json={"label": "Presentatie (herkansing)", "scoreMaximum": 6}, headers=ags)
    assert updated.status_code == 200
    assert lms.client.get(item_path, headers=ags).get_json()["label"] == "Presentatie (herkansing)"

    assert lms.client.delete(item_path, headers=ags).status_code == 204
    assert lms.client.get(item_path, headers=ags).status_code == 404


def test_line_item_paging_and_validation(lms, ags):
    for n in range(3):
        lms.client.post(LINEITEMS, json={"label": f"Opdracht {n}", "scoreMaximum": 1}, headers=ags)
    first = lms.client.get(f"{LINEITEMS}?limit=2", headers=ags)
    assert len(first.get_json()) == 2
    assert 'rel="next"' in first.headers["Link"]

    for body in (
        {"scoreMaximum": 1},
        {"label": "x", "scoreMaximum": 0},
        {"label": "x", "scoreMaximum": 1, "resourceLinkId": "rl-bio1-checkin"},
    ):
        assert lms.client.post(LINEITEMS, json=body, headers=ags).status_code == 400


def test_line_items_of_another_course_are_not_reachable(lms, ags, betoog):
    other = lms.client.get(f"/api/lti/courses/course-bio1/lineitems/{betoog}", headers=ags)
    assert other.status_code == 404


def test_the_gradebook_shows_scores_comments_progress_and_the_request_log(lms, ags, betoog):
    post_score(lms, ags, betoog, comment="Je hebt een duidelijke stelling.\nVolgende stap: bronnen.")
    post_score(lms, ags, betoog, timestamp="2020-01-01T00:00:00Z")  # refused: 409

    page = lms.client.get(f"/courses/{COURSE}/gradebook")

    assert page.status_code == 200
    html = page.text
    assert f'data-user="{STUDENT}" data-lineitem="{betoog}"' in html
    assert "7 / 10" in html
    assert "Je hebt een duidelijke stelling.\nVolgende stap: bronnen." in html
    assert "FullyGraded · Completed" in html
    assert f"{LINEITEMS}/{betoog}/scores" in html
    assert ">409<" in html
    assert ">200<" in html
