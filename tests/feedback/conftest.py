"""Feedback test support: an LMS whose services (token, NRPS, AGS) answer through `rsps`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
import responses

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
TOOL_PLATFORM = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
CANVAS_SUBMISSION = "https://canvas.instructure.com/lti/submission"

STUDENTS = [
    ("student-1", "Anna de Vries", "Anna", "de Vries"),
    ("student-2", "Bram Jansen", "Bram", "Jansen"),
    ("student-3", "Chaïma El Idrissi", "Chaïma", "El Idrissi"),
]


@dataclass
class Lms:
    """URLs and helpers for one fake course's services."""

    issuer: str
    course: str
    rsps: responses.RequestsMock
    members: list = field(default_factory=list)

    @property
    def memberships_url(self) -> str:
        return f"{self.issuer}/api/{self.course}/memberships"

    @property
    def lineitems_url(self) -> str:
        return f"{self.issuer}/api/{self.course}/lineitems"

    def lineitem_url(self, n: int = 1) -> str:
        return f"{self.lineitems_url}/{n}"

    def scores_url(self, n: int = 1) -> str:
        return f"{self.lineitem_url(n)}/scores"

    def ags_claim(self, n: int = 1, *, lineitem: bool = True) -> dict:
        claim = {
            "scope": [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
            ],
            "lineitems": self.lineitems_url,
        }
        if lineitem:
            claim["lineitem"] = self.lineitem_url(n)
        return claim

    def score_posts(self, n: int = 1, *, submissions: bool = False) -> list[dict]:
        """Bodies of every score POST to line item n (whatever the LMS answered): the grades,
        or (submissions=True) only the Canvas submissions Erbij records for SpeedGrader."""
        bodies = [json.loads(c.request.body) for c in self.rsps.calls if c.request.method == "POST" and c.request.url == self.scores_url(n)]
        return [b for b in bodies if (CANVAS_SUBMISSION in b) == submissions]


def members_json(students=STUDENTS, teachers=(("teacher-1", "Tess Teacher", "Tess", "Teacher"),)) -> dict:
    def member(sub, name, given, family, role):
        return {"user_id": sub, "name": name, "given_name": given, "family_name": family, "roles": [role], "status": "Active"}

    return {
        "id": "m",
        "context": {"id": "course-1"},
        "members": [member(*t, "Instructor") for t in teachers] + [member(*s, "Learner") for s in students],
    }


@pytest.fixture
def lms(platform, rsps):
    """Token, roster and line item of course-1 answered by the fake LMS (max score 10)."""
    lms = Lms(platform.issuer, "course-1", rsps)
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(lms.memberships_url, json=members_json())
    rsps.get(lms.lineitem_url(1), json={"id": lms.lineitem_url(1), "label": "Betoog H3", "scoreMaximum": 10, "resourceLinkId": "link-1"})
    return lms


@pytest.fixture
def teacher(launch, lms):
    """An instructor launch of a feedback link with a gradebook column; returns the launch."""

    def _teacher(*, platform_name: str | None = None, **kw):
        claims = {AGS: lms.ags_claim()}
        if platform_name:
            claims[TOOL_PLATFORM] = {"product_family_code": platform_name, "guid": "x", "version": "1"}
        claims.update(kw.pop("claims", {}))
        return launch("instructor", activity="feedback", claims=claims, **kw)

    return _teacher


def student_ids(app) -> dict[str, int]:
    """users.id by LMS sub."""
    from lti_tool.extensions import db
    from lti_tool.models import User

    with app.app_context():
        return {u.sub: u.id for u in db.session.execute(db.select(User)).scalars()}


def page(resp) -> str:
    return resp.get_data(as_text=True)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html) or re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def revision_of(html: str) -> str:
    m = re.search(r'name="revision" value="(\d+)"', html)
    assert m, "no revision on the composer page"
    return m.group(1)


class Composer:
    """Drives one student's composer through the browser `client` (forms and JSON)."""

    def __init__(self, client, lid: str, student_id: int):
        self.client, self.lid, self.student_id = client, lid, student_id
        self.base = f"/l/{lid}/feedback/students/{student_id}"

    def open(self, **params):
        resp = self.client.get(self.base, query_string=params)
        assert resp.status_code == 200, page(resp)[:2000]
        return resp

    def form(self, html: str | None = None, **fields) -> dict:
        html = html or page(self.open())
        data = {"csrf_token": csrf_of(html), "revision": revision_of(html), "text": "", "score": ""}
        data.update(fields)
        return data

    def save(self, **fields):
        return self.client.post(self.base, data=self.form(**fields))

    def publish(self, **fields):
        return self.client.post(self.base + "/publish", data=self.form(**fields))

    def autosave(self, body: dict, token: str | None = None):
        token = token or csrf_of(page(self.open()))
        return self.client.post(self.base + "/draft", json=body, headers={"X-CSRFToken": token})


@pytest.fixture
def composer_for(app, client):
    def _composer(lid: str, sub: str, browser=None) -> Composer:
        return Composer(browser or client, lid, student_ids(app)[sub])

    return _composer


def outbox_entries(app) -> list:
    from lti_tool.extensions import db
    from lti_tool.models import OutboxEntry

    with app.app_context():
        rows = db.session.execute(db.select(OutboxEntry).order_by(OutboxEntry.id)).scalars().all()
        db.session.expunge_all()
        return rows


def drain(app) -> int:
    from lti_tool import outbox

    with app.app_context():
        return outbox.drain()


def make_due(app) -> None:
    """Move every waiting entry's next attempt into the past (instead of sleeping)."""
    from datetime import timedelta

    from lti_tool.extensions import db
    from lti_tool.models import OutboxEntry
    from lti_tool.timeutil import utcnow

    with app.app_context():
        db.session.execute(db.update(OutboxEntry).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
