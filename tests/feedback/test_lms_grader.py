"""The composer inside the LMS's grader: LTI Submission Review launches (Moodle's gradebook)
and Canvas SpeedGrader submissions with a signed, course-bound launch URL."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

from itsdangerous import URLSafeSerializer

from tests.platform import LTI, FakePlatform

from .conftest import AGS, CANVAS_SUBMISSION, TOOL_PLATFORM, drain, members_json, page, student_ids

REVIEW = "LtiSubmissionReviewRequest"
FOR_USER = LTI + "for_user"
TARGET = LTI + "target_link_uri"


def review(launch, lms, role: str, for_user: str, **kw):
    """A submission review launch (as the LMS's gradebook sends it) of feedback link-1."""
    claims = {LTI + "message_type": REVIEW, FOR_USER: {"user_id": for_user}, AGS: lms.ags_claim(), **kw.pop("claims", {})}
    return launch(role, activity="feedback", claims=claims, **kw)


def composer_heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


# ------------------------------------------------------------------ submission review
def test_instructor_review_launch_opens_that_students_composer_with_next_student(app, launch, lms):
    t = review(launch, lms, "instructor", "student-2", locale="en")
    html = page(t.response)
    assert t.response.status_code == 200
    assert composer_heading(html) == "Feedback for Bram Jansen"
    ids = student_ids(app)
    # Class-list order (family name, prefixes ignored): El Idrissi, Jansen, de Vries.
    assert "Student 2 of 3" in html
    assert re.search(rf'href="/l/{t.lid}/feedback/students/{ids["student-1"]}" rel="next"', html)
    assert 'value="next"' in html  # "Save, next student"


def test_review_launch_for_a_student_erbij_never_saw_asks_the_roster(app, launch, lms):
    # student-3 never launched Erbij: the roster (NRPS) makes them known, then the composer opens.
    t = review(launch, lms, "instructor", "student-3", locale="en")
    assert composer_heading(page(t.response)) == "Feedback for Chaïma El Idrissi"


def test_student_review_launch_lands_on_their_own_feedback(launch, lms, new_browser):
    s = review(launch, lms, "learner", "student-1", user="student-1", locale="en", browser=new_browser())
    assert s.response.status_code == 200
    assert "No feedback yet" in page(s.response)
    assert s.path.endswith("/feedback/mine")


def test_student_review_launch_for_another_student_is_refused(launch, lms, new_browser):
    s = review(launch, lms, "learner", "student-2", user="student-1", locale="en", browser=new_browser())
    assert s.response.status_code == 403
    assert "You can only open your own feedback" in page(s.response)


def test_review_for_a_user_of_another_course_is_refused(launch, lms, new_browser):
    # Someone Erbij knows as a student of course-2 is not in course-1's roster.
    launch("learner", user="student-x", course="course-2", activity="checkin", browser=new_browser())
    t = review(launch, lms, "instructor", "student-x", locale="en")
    assert t.response.status_code == 403
    assert "This student is not in this course" in page(t.response)
    nl = review(launch, lms, "instructor", "stranger-9")
    assert nl.response.status_code == 403 and "Deze student zit niet in deze cursus" in page(nl.response)


def test_review_launch_without_for_user_is_an_invalid_launch(launch, lms, client, platform):
    from tests.platform import start_login

    step = start_login(client, platform)
    c = platform.claims(nonce=step.nonce, activity="feedback")
    c.update({LTI + "message_type": REVIEW, AGS: lms.ags_claim()})
    resp = client.post("/lti/launch", data={"id_token": platform.sign(c), "state": step.state})
    assert resp.status_code == 400


def test_created_line_item_offers_submission_review(app, launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(f"{platform.issuer}/api/course-1/memberships", json=members_json())
    lineitems = f"{platform.issuer}/api/course-1/lineitems"
    rsps.get(lineitems, json=[])
    created = rsps.post(lineitems, json={"id": lineitems + "/77", "label": "x", "scoreMaximum": 10, "resourceLinkId": "link-1"}, status=201)
    launch(
        "instructor",
        activity="feedback",
        claims={AGS: {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"], "lineitems": lineitems}},
        locale="en",
    )
    body = json.loads(created.calls[0].request.body)
    assert body["submissionReview"] == {
        "reviewableStatus": ["Submitted", "Completed"],
        "label": "Open the feedback in Erbij",
        "url": "https://erbij.test/lti/launch",
        "custom": {"erbij_activity": "feedback"},
    }


# ------------------------------------------------------------------ Canvas SpeedGrader
def canvas_teacher(teacher, **kw):
    return teacher(platform_name="canvas", **kw)


def submissions(app, lms) -> dict[str, dict]:
    lms.rsps.post(lms.scores_url(), status=200)
    drain(app)
    return {b["userId"]: b for b in lms.score_posts(submissions=True)}


def test_canvas_records_one_submission_per_student_with_the_documented_shape(app, teacher, lms):
    canvas_teacher(teacher, locale="en")
    subs = submissions(app, lms)
    assert set(subs) == {"student-1", "student-2", "student-3"}
    body = subs["student-2"]
    assert set(body) == {"userId", "timestamp", "activityProgress", "gradingProgress", CANVAS_SUBMISSION}
    assert body["activityProgress"] == "Submitted" and body["gradingProgress"] == "PendingManual"
    ext = body[CANVAS_SUBMISSION]
    assert set(ext) == {"new_submission", "submission_type", "submission_data", "submitted_at"}
    assert ext["new_submission"] is True and ext["submission_type"] == "basic_lti_launch"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", ext["submitted_at"])
    url = urlsplit(ext["submission_data"])
    assert (url.scheme, url.netloc, url.path) == ("https", "erbij.test", "/lti/launch")
    token = parse_qs(url.query)["erbij_submission"][0]
    assert list(parse_qs(url.query)) == ["erbij_submission"] and "student-2" not in token and "." in token  # signed, no bare id
    # Opening the grading view again records nothing new (one submission per student).
    canvas_teacher(teacher)
    drain(app)
    assert len(lms.score_posts(submissions=True)) == 3


def test_no_submissions_outside_canvas(app, teacher, lms):
    teacher(platform_name="moodle")
    lms.rsps.post(lms.scores_url(), status=200)
    drain(app)
    assert lms.score_posts(submissions=True) == []


def test_canvas_submission_url_launched_by_an_instructor_opens_that_student(app, teacher, lms):
    canvas_teacher(teacher)
    url = submissions(app, lms)["student-3"][CANVAS_SUBMISSION]["submission_data"]
    t = canvas_teacher(teacher, locale="en", claims={TARGET: url})
    assert composer_heading(page(t.response)) == "Feedback for Chaïma El Idrissi"


def test_canvas_submission_url_launched_by_the_student_opens_their_feedback(app, teacher, lms, launch, new_browser):
    canvas_teacher(teacher)
    subs = submissions(app, lms)
    own = launch(
        "learner",
        user="student-1",
        activity="feedback",
        locale="en",
        browser=new_browser(),
        claims={
            AGS: lms.ags_claim(),
            TOOL_PLATFORM: {"product_family_code": "canvas"},
            TARGET: subs["student-1"][CANVAS_SUBMISSION]["submission_data"],
        },
    )
    assert own.response.status_code == 200 and own.path.endswith("/feedback/mine")
    other = launch(
        "learner",
        user="student-1",
        activity="feedback",
        locale="en",
        browser=new_browser(),
        claims={AGS: lms.ags_claim(), TARGET: subs["student-2"][CANVAS_SUBMISSION]["submission_data"]},
    )
    assert other.response.status_code == 403


def _launch_refused(client, platform, claims: dict, **kw):
    from tests.platform import start_login

    step = start_login(client, platform)
    c = platform.claims(nonce=step.nonce, activity="feedback", **kw)
    c.update(claims)
    return client.post("/lti/launch", data={"id_token": platform.sign(c), "state": step.state})


def test_tampered_forged_cross_course_and_cross_platform_urls_are_refused(app, teacher, lms, client, platform, rsps):
    canvas_teacher(teacher)
    subs = submissions(app, lms)
    url = subs["student-2"][CANVAS_SUBMISSION]["submission_data"]
    token = parse_qs(urlsplit(url).query)["erbij_submission"][0]
    ids = student_ids(app)

    payload, _sig = token.rsplit(".", 1)
    other_payload = parse_qs(urlsplit(subs["student-1"][CANVAS_SUBMISSION]["submission_data"]).query)["erbij_submission"][0].rsplit(".", 1)[
        0
    ]
    forged = URLSafeSerializer("not-our-secret", salt="erbij-canvas-submission-v1").dumps([1, 1, 1, ids["student-1"]])
    variants = {
        "edited signature": url[:-2] + ("AA" if not url.endswith("AA") else "BB"),
        "another student's payload with this signature": url.replace(payload, other_payload),
        "forged with another key": "https://erbij.test/lti/launch?erbij_submission=" + forged,
        "garbage": "https://erbij.test/lti/launch?erbij_submission=%00%00",
    }
    for name, bad in variants.items():
        resp = _launch_refused(client, platform, {TARGET: bad, AGS: lms.ags_claim()})
        assert resp.status_code == 400, name
        assert "Deze beoordelingslink kan niet gebruikt worden" in page(resp), name

    # The genuine URL in another course (same platform) or another activity of this course.
    for kw in ({"course": "course-2"}, {"link": "link-2"}):
        resp = _launch_refused(client, platform, {TARGET: url}, **kw)
        assert resp.status_code == 400, kw

    # The genuine URL from another platform registration.
    other = FakePlatform(issuer="https://other-lms.example.org", client_id="client-9", key_name="platform-b")
    other.register(app)
    other.serve_jwks(rsps)
    resp = _launch_refused(client, other, {TARGET: url})
    assert resp.status_code == 400 and "Deze beoordelingslink" in page(resp)


def test_the_lms_column_gets_submission_review_once_but_not_on_canvas(app, teacher, lms):
    put = lms.rsps.put(lms.lineitem_url(1), json={"id": lms.lineitem_url(1)})
    teacher()
    assert put.call_count == 1
    body = json.loads(put.calls[0].request.body)
    assert body["label"] == "Betoog H3" and body["scoreMaximum"] == 10 and body["resourceLinkId"] == "link-1"
    assert body["submissionReview"]["reviewableStatus"] == ["Submitted", "Completed"]
    teacher()  # asked once (the LMS may ignore it; it is asked again a day later)
    assert put.call_count == 1


def test_no_submission_review_asked_of_canvas(app, teacher, lms):
    put = lms.rsps.put(lms.lineitem_url(1), json={})
    canvas_teacher(teacher)
    assert put.call_count == 0
