"""Helpers shared by the dashboard tests (no tests in here).

Test data goes straight into the models (CheckinResponse rows) for speed; the teacher
always arrives through a real LTI launch. The roster (NRPS) either answers with the
students made here, or is down — the page must render either way.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from lti_tool.checkin import operations
from lti_tool.checkin.signals import weekly_index
from lti_tool.extensions import db
from lti_tool.models import Course, LaunchSession, Membership, User
from lti_tool.models.checkin import CheckinResponse
from lti_tool.models.course import ROLE_LEARNER

from ..platform import ROLE_LEARNER as LIS_LEARNER

GOOD = {"B1": 4, "B2": 4, "S1": 4, "P1": 2, "C1": 4, "P2": 4, "A1": 3}
VERSIONS = {k: 1 for k in GOOD}


@dataclass
class Klas:
    """A course with its teacher's launch and some students made directly in the database."""

    app: object
    lid: str
    course_id: int
    registration_id: int
    context_id: str
    this_week: date
    students: list[tuple[int, str, str]] = field(default_factory=list)  # (user id, sub, name)

    def week(self, back: int) -> date:
        """The Monday ``back`` weeks before this week (0 = this week)."""
        return self.this_week - timedelta(days=7 * back)

    @property
    def ids(self) -> list[int]:
        return [s[0] for s in self.students]

    def name(self, user_id: int) -> str:
        return next(n for i, _s, n in self.students if i == user_id)


def teacher_klas(app, launch, *, course: str = "course-1", user: str = "teacher-1", locale: str = "en", **kw) -> Klas:
    """Launch as the course's teacher (not following the redirect) and describe the course."""
    launched = launch("instructor", user=user, course=course, locale=locale, follow=False, **kw)
    with app.app_context():
        session_row = db.session.get(LaunchSession, launched.lid)
        c = db.session.get(Course, session_row.course_id)
        return Klas(app, launched.lid, c.id, c.registration_id, c.context_id, operations.current_week(c).start)


def add_students(klas: Klas, n: int, *, prefix: str = "Student") -> list[int]:
    """``n`` learners on the roster, named "<prefix> 01" … (sortable)."""
    made = []
    with klas.app.app_context():
        start = len(klas.students)
        for i in range(start, start + n):
            name = f"{prefix} {i + 1:02d}"
            user = User(registration_id=klas.registration_id, sub=f"{klas.context_id}-s{i + 1}", name=name)
            db.session.add(user)
            db.session.flush()
            db.session.add(Membership(course_id=klas.course_id, user_id=user.id, role=ROLE_LEARNER, active=True))
            klas.students.append((user.id, user.sub, name))
            made.append(user.id)
        db.session.commit()
    return made


def answer(klas: Klas, user_id: int, week: date, answers: dict | None = None, **row) -> None:
    """Store one student's answer of a week (``row``: as ``response_row`` takes it)."""
    with klas.app.app_context():
        db.session.add(response_row(klas, user_id, week, answers, **row))
        db.session.commit()


def response_row(
    klas: Klas,
    user_id: int,
    week: date,
    answers: dict | None = None,
    *,
    mode: str = "anonymous",
    opt_in: bool = False,
    text: str | None = None,
    versions: dict | None = None,
) -> CheckinResponse:
    """A stored answer of one student's week (not yet added), its index worked out."""
    a = dict(GOOD if answers is None else answers)
    return CheckinResponse(
        course_id=klas.course_id,
        user_id=user_id,
        week_start=week,
        answers=a,
        item_versions=dict(versions or VERSIONS),
        contact_opt_in=opt_in,
        open_answer=text,
        privacy_mode=mode,
        index_score=weekly_index(a),
    )


def set_mode(klas: Klas, mode: str) -> None:
    with klas.app.app_context():
        db.session.get(Course, klas.course_id).privacy_mode = mode
        db.session.commit()


def serve_roster(rsps, platform, klas: Klas, *, teacher: str = "teacher-1") -> None:
    """NRPS answers with the teacher and every student made so far."""
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    members = [{"user_id": teacher, "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], "status": "Active"}]
    members += [{"user_id": sub, "name": name, "roles": [LIS_LEARNER], "status": "Active"} for _i, sub, name in klas.students]
    rsps.get(
        f"{platform.issuer}/api/{klas.context_id}/memberships",
        json={"id": "m", "context": {"id": klas.context_id}, "members": members},
    )


def dashboard_url(klas: Klas, week: date | None = None) -> str:
    return f"/l/{klas.lid}/checkin/dashboard" + (f"?week={week.isoformat()}" if week else "")


def get_dashboard(client, klas: Klas, week: date | None = None, status: int = 200) -> str:
    resp = client.get(dashboard_url(klas, week))
    assert resp.status_code == status, resp.get_data(as_text=True)[:3000]
    return resp.get_data(as_text=True)


def text_of(page: str) -> str:
    """The visible text, whitespace collapsed, entities decoded."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, section_id: str) -> str:
    """The HTML of the <section id=...> (or <details id=...>) with that id."""
    m = re.search(rf'<(section|details)[^>]*\bid="{section_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert m, f"no section {section_id}"
    return m.group(2)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)





def close_week(monkeypatch, weeks: int = 1) -> None:
    """Move the check-in clock ``weeks`` weeks on: this week closes and gets its release."""
    real_now = operations.now
    monkeypatch.setattr(operations, "now", lambda: real_now() + timedelta(days=7 * weeks))
