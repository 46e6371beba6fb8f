"""Names and Role Provisioning Service: the roster, 4 per page, with Link headers."""

from __future__ import annotations

import re

from .conftest import COURSE, LMS_URL, path_of

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MEMBERSHIPS = f"/api/lti/courses/{COURSE}/memberships"


def next_link(response) -> str | None:
    match = re.search(r'<([^>]*)>;\s*rel="next"', response.headers.get("Link", ""))
    return match.group(1) if match else None


def test_memberships_are_paginated_with_link_headers(lms):
    headers = {**lms.service_token(NRPS), "Accept": MEMBERSHIP_CONTAINER}
    url: str | None = f"{LMS_URL}{MEMBERSHIPS}"
    pages = []
    while url:
        response = lms.client.get(path_of(url), headers=headers)
        assert response.status_code == 200
        assert response.mimetype == MEMBERSHIP_CONTAINER
        pages.append(response.get_json())
        url = next_link(response)
        # PyLTI1p3 lower-cases the Link header before following it.
        assert url is None or url == url.lower()

    assert [len(page["members"]) for page in pages] == [4, 4, 1]
    members = [m for page in pages for m in page["members"]]
    assert len({m["user_id"] for m in members}) == 9
    assert members[0]["user_id"] == "anouk.devries"
    assert members[0]["roles"] == ["Instructor"]
    assert all(m["roles"] == ["Learner"] for m in members[1:])
    assert all(m["status"] == "Active" for m in members)
    sanne = next(m for m in members if m["user_id"] == "sanne.bakker")
    assert sanne == {
        "user_id": "sanne.bakker",
        "status": "Active",
        "name": "Sanne Bakker",
        "given_name": "Sanne",
        "family_name": "Bakker",
        "email": "sanne.bakker@student.roc-demo.example",
        "roles": ["Learner"],
    }
    assert pages[0]["context"] == {
        "id": COURSE,
        "label": "NL2",
        "title": "Nederlands 2 (demo)",
    }
    assert pages[0]["id"] == f"{LMS_URL}{MEMBERSHIPS}"


def test_limit_and_role_filter(lms):
    headers = lms.service_token(NRPS)

    everyone = lms.client.get(f"{MEMBERSHIPS}?limit=50", headers=headers)
    learners = lms.client.get(f"{MEMBERSHIPS}?limit=50&role=Learner", headers=headers)
    by_uri = lms.client.get(
        f"{MEMBERSHIPS}?limit=50&role=http://purl.imsglobal.org/vocab/lis/v2/membership%23Instructor",
        headers=headers,
    )

    assert len(everyone.get_json()["members"]) == 9
    assert "Link" not in everyone.headers
    assert len(learners.get_json()["members"]) == 8
    assert [m["user_id"] for m in by_uri.get_json()["members"]] == ["anouk.devries"]


def test_courses_are_isolated(lms):
    headers = lms.service_token(NRPS)
    bio = lms.client.get("/api/lti/courses/course-bio1/memberships?limit=50", headers=headers)

    ids = {m["user_id"] for m in bio.get_json()["members"]}
    assert "pieter.hendriks" in ids
    assert "anouk.devries" not in ids
    assert "lisa.jansen" not in ids
    assert lms.client.get("/api/lti/courses/nope/memberships", headers=headers).status_code == 404


def test_memberships_need_a_token_with_the_nrps_scope(lms):
    assert lms.client.get(MEMBERSHIPS).status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert lms.client.get(MEMBERSHIPS, headers=bogus).status_code == 401
    wrong_scope = lms.client.get(MEMBERSHIPS, headers=lms.service_token(SCORE))
    assert wrong_scope.status_code == 403
    assert "WWW-Authenticate" in lms.client.get(MEMBERSHIPS).headers


def test_bad_paging_parameters_are_a_400(lms):
    headers = lms.service_token(NRPS)
    assert lms.client.get(f"{MEMBERSHIPS}?limit=0", headers=headers).status_code == 400
    assert lms.client.get(f"{MEMBERSHIPS}?page=x", headers=headers).status_code == 400
