"""Helpers shared by the check-in tests of the student side (no tests in here).

The check-in form is posted the way a browser posts it: with the CSRF token read from
the page, field names B1…A1, O1 and Q.
"""

from __future__ import annotations

import html as html_lib
import re
from datetime import datetime

from lti_tool.checkin import operations
from lti_tool.extensions import db
from lti_tool.models import Course, LaunchSession
from lti_tool.models.checkin import CheckinResponse, CheckinSettings

ANSWERS = {"B1": "4", "B2": "3", "S1": "5", "P1": "2", "C1": "4", "P2": "3", "A1": "2"}
OTHER_ANSWERS = {"B1": "2", "B2": "2", "S1": "1", "P1": "5", "C1": "1", "P2": "1", "A1": "5"}

# Lines in the Amsterdam/New York week tests: Sunday 22 and Monday 23 November 2026.
SUNDAY = datetime(2026, 11, 22, 12, 0)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_url(lid: str) -> str:
    return f"/l/{lid}/checkin/week"


def open_form(client, lid: str):
    resp = client.get(form_url(lid))
    assert resp.status_code == 200, resp.get_data(as_text=True)[:1000]
    return resp.get_data(as_text=True)


def submit(client, lid: str, answers: dict | None = None, *, token: str | None = None, **extra):
    """Post the form as a browser would (token from a fresh page unless given)."""
    token = token if token is not None else csrf_token(open_form(client, lid))
    data = {"csrf_token": token, **(ANSWERS if answers is None else answers), **extra}
    return client.post(form_url(lid), data=data)


def checked(page: str, name: str) -> str | None:
    """The value of the checked radio/checkbox called `name`, or None."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and re.search(r"\schecked[\s>]", tag):
            return re.search(r'value="([^"]*)"', tag).group(1)
    return None


def textarea(page: str, name: str) -> str:
    m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    return html_lib.unescape(m.group(1))


def text_of(page: str) -> str:
    """The visible text, whitespace collapsed, entities decoded (for sentence asserts)."""
    body = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def respondent(app, lid: str) -> operations.Respondent:
    with app.app_context():
        row = db.session.get(LaunchSession, lid)
        return operations.Respondent(
            course_id=row.course_id,
            user_id=row.user_id,
            resource_link_id=row.resource_link_id,
            can_post_scores=True,
        )


def course_id_of(app, lid: str) -> int:
    with app.app_context():
        return db.session.get(LaunchSession, lid).course_id


def set_course(app, course_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(db.update(Course).where(Course.id == course_id).values(**values))
        db.session.commit()


def set_settings(app, course_id: int, **values) -> None:
    with app.app_context():
        settings = db.session.get(CheckinSettings, course_id) or CheckinSettings(course_id=course_id)
        for key, value in values.items():
            setattr(settings, key, value)
        db.session.add(settings)
        db.session.commit()


def all_responses(app) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(db.select(CheckinResponse).order_by(CheckinResponse.week_start)).scalars().all()
        return [
            {
                "course_id": r.course_id,
                "user_id": r.user_id,
                "week_start": r.week_start,
                "answers": dict(r.answers),
                "item_versions": dict(r.item_versions),
                "contact_opt_in": r.contact_opt_in,
                "open_answer": r.open_answer,
                "privacy_mode": r.privacy_mode,
                "index_score": r.index_score,
                "revision": r.revision,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in rows
        ]


def as_ints(answers: dict) -> dict:
    return {k: int(v) for k, v in answers.items()}


def clean(answers: dict, *, o1: bool = False, q: str = "") -> dict:
    """Answers as items.validate_answers returns them: what operations.save_checkin takes."""
    return {**as_ints(answers), "O1": o1, "Q": q}


def landmark_names(page: str) -> list[tuple[str, str]]:
    """(role, accessible name) of every named region landmark: <section>/<form> with
    aria-label(ledby) and any role="region". axe's landmark-unique wants no two alike."""
    found = []
    for tag, attrs in re.findall(r"<(section|form|div|aside|nav)\b([^>]*)>", page):
        role = re.search(r'\srole="([^"]+)"', attrs)
        role = role.group(1) if role else {"section": "region", "form": "form", "aside": "complementary", "nav": "navigation"}.get(tag)
        if role not in ("region", "form", "complementary", "navigation"):
            continue
        label = re.search(r'\saria-label="([^"]*)"', attrs)
        labelledby = re.search(r'\saria-labelledby="([^"]*)"', attrs)
        if label:
            name = html_lib.unescape(label.group(1))
        elif labelledby:
            parts = []
            for ref in labelledby.group(1).split():
                m = re.search(rf'<(\w+)[^>]*\sid="{re.escape(ref)}"[^>]*>(.*?)</\1>', page, re.S)
                assert m, f"aria-labelledby points to a missing id {ref!r}"
                parts.append(text_of(m.group(2)))
            name = " ".join(parts)
        else:
            continue  # an unnamed section is no landmark
        found.append((role, name))
    return found


def visible_text(page: str) -> str:
    """text_of without what is only there for screen readers (.visually-hidden spans)."""
    return text_of(re.sub(r'<span class="visually-hidden">.*?</span>', " ", page, flags=re.S))
