"""Course settings for the teacher: time zone, gradebook completion, privacy mode."""

from __future__ import annotations

import re

import pytest

from lti_tool.extensions import db
from lti_tool.models import Course
from lti_tool.models.checkin import CheckinSettings

from .test_dashboard_support import csrf_token, teacher_klas


def _settings_page(client, klas):
    resp = client.get(f"/l/{klas.lid}/checkin/settings")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _post(client, klas, **fields):
    data = {"csrf_token": csrf_token(_settings_page(client, klas)), "timezone": "Europe/Amsterdam", "privacy_mode": "anonymous", **fields}
    return client.post(f"/l/{klas.lid}/checkin/settings", data=data)


def _stored(app, klas):
    with app.app_context():
        course = db.session.get(Course, klas.course_id)
        settings = db.session.get(CheckinSettings, klas.course_id)
        return course.timezone, course.privacy_mode, settings


def test_a_bad_time_zone_is_refused_with_a_message_and_kept_in_the_form(app, client, launch):
    klas = teacher_klas(app, launch)
    resp = _post(client, klas, timezone="Europe/Amsterdan")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "is not a time zone we know" in page
    assert re.search(r'id="timezone" name="timezone" value="Europe/Amsterdan"', page)
    assert 'aria-invalid="true"' in page
    assert _stored(app, klas)[0] == "Europe/Amsterdam"


@pytest.mark.parametrize("bad", ["", "   ", "Mars/Olympus", "../etc/passwd", "x" * 300])
def test_time_zones_are_checked_against_zoneinfo(app, client, launch, bad):
    klas = teacher_klas(app, launch)
    assert _post(client, klas, timezone=bad).status_code == 400
    assert _stored(app, klas)[0] == "Europe/Amsterdam"


def test_valid_settings_are_saved(app, client, launch):
    klas = teacher_klas(app, launch)
    resp = _post(client, klas, timezone="America/Paramaribo", completion_to_gradebook="yes")
    assert resp.status_code == 302
    tz, mode, settings = _stored(app, klas)
    assert tz == "America/Paramaribo" and mode == "anonymous"
    assert settings.completion_to_gradebook is True
    assert settings.privacy_changed_at is None  # the mode did not change
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Settings saved." in page and 'value="America/Paramaribo"' in page
    # Unticking the box switches completion off again.
    _post(client, klas, timezone="America/Paramaribo")
    assert _stored(app, klas)[2].completion_to_gradebook is False


def test_identified_is_refused_when_the_institution_does_not_allow_it(app, client, launch):
    klas = teacher_klas(app, launch)
    page = _settings_page(client, klas)
    assert re.search(r'<input type="radio" id="mode-identified"[^>]*disabled', page)
    resp = _post(client, klas, privacy_mode="identified")
    assert resp.status_code == 400
    assert "does not allow identified check-ins" in resp.get_data(as_text=True)
    assert _stored(app, klas)[1] == "anonymous"


def test_switching_the_mode_is_recorded_so_students_are_told(app, client, launch, monkeypatch):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", True)
    klas = teacher_klas(app, launch)
    assert _post(client, klas, privacy_mode="identified").status_code == 302
    _tz, mode, settings = _stored(app, klas)
    assert mode == "identified" and settings.privacy_changed_at is not None
    first_change = settings.privacy_changed_at
    # Saving again without a change keeps the moment of the last change.
    _post(client, klas, privacy_mode="identified")
    assert _stored(app, klas)[2].privacy_changed_at == first_change
    assert _post(client, klas, privacy_mode="anonymous").status_code == 302
    assert _stored(app, klas)[2].privacy_changed_at >= first_change
    assert _stored(app, klas)[1] == "anonymous"


def test_an_unknown_mode_is_refused(app, client, launch):
    klas = teacher_klas(app, launch)
    assert _post(client, klas, privacy_mode="public").status_code == 400


def test_every_choice_is_explained(app, client, launch):
    page = _settings_page(client, teacher_klas(app, launch))
    assert 'aria-describedby="timezone-help' in page
    assert 'aria-describedby="completion-help"' in page
    assert "never a grade" in page
    assert "<legend>Privacy</legend>" in page


def test_the_settings_form_needs_its_csrf_token(app, client, launch):
    klas = teacher_klas(app, launch)
    resp = client.post(f"/l/{klas.lid}/checkin/settings", data={"timezone": "UTC", "privacy_mode": "anonymous"})
    assert resp.status_code == 400
    assert _stored(app, klas)[0] == "Europe/Amsterdam"
