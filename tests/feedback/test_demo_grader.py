"""Grading in the LMS with the built-in demo LMS as the platform, over real HTTP.

The demo LMS runs in a thread on 127.0.0.1; Erbij (the test client) fetches its keys,
roster and line items and sends scores there. A launch goes the whole way: the demo's
page → Erbij's login → the demo's /auth → Erbij's launch.
"""

from __future__ import annotations

import re
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.serving import make_server

from lti_tool.lti import keys as tool_keys
from lti_tool.lti.registrations import upsert_registration
from tests.demo.conftest import parse_page
from tests.platform import BASE_URL

from .conftest import drain, page

COURSE = "course-nl2"
FEEDBACK_LINK = "rl-nl2-betoog"
TEACHER = "anouk.devries"


@pytest.fixture
def demo(app, tmp_path):
    from lti_tool.demo import create_demo_app

    def erbij_jwks(_url):
        with app.app_context():
            return tool_keys.jwks()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    demo_app = create_demo_app(
        {
            "DEMO_DATA_DIR": tmp_path / "lms",
            "DEMO_TOOL_JWKS_FETCH": erbij_jwks,
            "DEMO_TIMEOUT_SLEEP": 0.01,
            "DEMO_LMS_URL": url,
            "DEMO_TOOL_URL": BASE_URL,
        }
    )
    server = make_server("127.0.0.1", port, demo_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with app.app_context():
        upsert_registration(
            issuer=url,
            client_id="erbij-demo",
            auth_login_url=f"{url}/auth",
            auth_token_url=f"{url}/oauth2/token",
            key_set_url=f"{url}/.well-known/jwks.json",
            deployment_ids=["demo-deployment-1"],
        )
    demo = Demo(demo_app, url)
    demo.store.set_setting("platform_storage", "off")  # the test client keeps cookies: no Platform Storage
    yield demo
    server.shutdown()


class Demo:
    def __init__(self, app, url):
        self.app, self.url = app, url
        self.client = app.test_client()

    @property
    def store(self):
        return self.app.extensions["erbij_demo_lms"].store

    def page(self, path: str, user: str):
        assert self.client.post("/switch-user", data={"user": user}).status_code == 302
        resp = self.client.get(path)
        assert resp.status_code == 200, resp.text[:1000]
        return resp.text

    def launch(self, erbij, path: str, user: str):
        """Open a demo page holding a launch and run it through Erbij; returns Erbij's final page."""
        [form] = [f for f in parse_page(self.page(path, user)).forms if f.get("action") == f"{BASE_URL}/lti/login"]
        fields = form["fields"]
        resp = erbij.post("/lti/login", data=fields)
        location = resp.headers["Location"]
        if "/lti/login/continue" in location:
            location = erbij.get(location).headers["Location"]
        auth = urlsplit(location)
        assert f"{auth.scheme}://{auth.netloc}" == self.url
        answer = self.client.get(auth.path, query_string={k: v[0] for k, v in parse_qs(auth.query).items()})
        assert answer.status_code == 200, answer.text[:1000]
        form = parse_page(answer.text).forms[0]["fields"]
        launched = erbij.post("/lti/launch", data={"id_token": form["id_token"], "state": form["state"]})
        assert launched.status_code in (200, 302, 400, 403), page(launched)[:1000]
        if launched.status_code != 302:
            return launched  # the page itself (or a refusal)
        return erbij.get(launched.headers["Location"], follow_redirects=True)


def address(resp) -> str:
    """The page's own address (a launch answers with the page and names it)."""
    return resp.headers.get("Content-Location") or resp.request.path


def heading(resp) -> str:
    return re.search(r"<h1>(.*?)</h1>", page(resp), re.S).group(1).strip()


def test_submission_review_from_the_demo_gradebook(app, demo, client, new_browser):
    # The teacher opens the activity once: Erbij adds submissionReview to the column.
    first = demo.launch(client, f"/courses/{COURSE}/activities/{FEEDBACK_LINK}", TEACHER)
    assert first.status_code == 200
    [item] = demo.store.line_items(COURSE, resource_link_id=FEEDBACK_LINK)
    assert item.submission_review["reviewableStatus"] == ["Submitted", "Completed"]
    assert item.submission_review["url"] == f"{BASE_URL}/lti/launch"

    grader = demo.page(f"/courses/{COURSE}/grader", TEACHER)
    assert grader.count("open=review") == 8  # one per student of the course

    # Review as the teacher: lands in Lisa Jansen's composer, with a next student.
    resp = demo.launch(client, f"/courses/{COURSE}/grader?item={item.id}&student=lisa.jansen&open=review", TEACHER)
    assert resp.status_code == 200 and heading(resp) in ("Feedback voor Lisa Jansen", "Feedback for Lisa Jansen")
    assert 'rel="next"' in page(resp) and "/feedback/students/" in address(resp)

    # Review as the student: their own feedback page.
    student_browser = new_browser()
    demo.client.post("/switch-user", data={"user": "lisa.jansen"})
    with demo.app.test_request_context():
        from lti_tool.demo.hints import SUBMISSION_REVIEW, MessageHint, encode_message_hint
        from lti_tool.demo.launch import login_form_fields

        lms = demo.app.extensions["erbij_demo_lms"]
        hint = MessageHint(
            user_id="lisa.jansen",
            course_id=COURSE,
            kind=SUBMISSION_REVIEW,
            locale="en",
            document_target="iframe",
            resource_link_id=FEEDBACK_LINK,
            for_user_id="lisa.jansen",
            line_item_id=item.id,
            target_link_uri=f"{BASE_URL}/lti/launch",
        )
        fields = login_form_fields(
            lms.platform,
            user_id="lisa.jansen",
            message_hint=encode_message_hint(lms.secret_key, hint),
            platform_storage=False,
            document_target="iframe",
        )
    resp = student_browser.post("/lti/login", data=fields)
    location = resp.headers["Location"]
    if "/lti/login/continue" in location:
        location = student_browser.get(location).headers["Location"]
    auth = urlsplit(location)
    answer = demo.client.get(auth.path, query_string={k: v[0] for k, v in parse_qs(auth.query).items()})
    form = parse_page(answer.text).forms[0]["fields"]
    own = student_browser.post("/lti/launch", data=form)  # answered with the page itself
    assert own.status_code == 200 and address(own).endswith("/feedback/mine")


def test_canvas_speedgrader_flow_with_the_demo(app, demo, client):
    demo.store.set_setting("product_family", "canvas")
    demo.launch(client, f"/courses/{COURSE}/activities/{FEEDBACK_LINK}", TEACHER)
    assert drain(app) == 8  # one submission per student, sent to the demo's AGS
    [item] = demo.store.line_items(COURSE, resource_link_id=FEEDBACK_LINK)
    result = demo.store.get_result(item.id, "daan.visser")
    assert result.activity_progress == "Submitted" and result.grading_progress == "PendingManual" and result.score_given is None
    assert result.submission["submission_type"] == "basic_lti_launch" and result.submission["new_submission"] is True
    assert result.submission["submission_data"].startswith(f"{BASE_URL}/lti/launch?erbij_submission=")
    assert item.submission_review is None  # Canvas has no submission review: Erbij does not ask

    grader = demo.page(f"/courses/{COURSE}/grader", TEACHER)
    assert grader.count("open=submission") == 8
    resp = demo.launch(client, f"/courses/{COURSE}/grader?item={item.id}&student=daan.visser&open=submission", TEACHER)
    assert resp.status_code == 200 and "Daan Visser" in heading(resp)
