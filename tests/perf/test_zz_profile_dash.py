import random
import time

import pytest

from lti_tool.checkin import dashboard_data as D
from lti_tool.checkin.seed import seed_course
from lti_tool.extensions import db
from lti_tool.models import Course
from lti_tool.timeutil import utcnow
from tests.checkin.test_dashboard_support import dashboard_url, teacher_klas


@pytest.mark.parametrize("mode", ["identified"])
def test_profile(app, client, launch, monkeypatch, mode):
    monkeypatch.setitem(app.config, "ERBIJ_ALLOW_IDENTIFIED", mode == "identified")
    klas = teacher_klas(app, launch)
    with app.app_context():
        course = db.session.get(Course, klas.course_id)
        course.privacy_mode = mode
        course.roster_synced_at = utcnow()
        db.session.commit()
        seed_course(course, students=300, weeks=40, mode=mode, rng=random.Random(40))
    url = dashboard_url(klas)
    client.get(url)
    timings = {}
    for name in ("load_rows", "assemble", "week_view", "_cards", "_class_codes", "compare", "visibilities", "week_measures", "_open_answers"):
        orig = getattr(D, name)

        def wrap(*a, _orig=orig, _name=name, **kw):
            t = time.perf_counter()
            try:
                return _orig(*a, **kw)
            finally:
                timings.setdefault(_name, []).append(time.perf_counter() - t)

        monkeypatch.setattr(D, name, wrap)
    t = time.perf_counter()
    for _ in range(10):
        client.get(url)
    total = (time.perf_counter() - t) / 10
    print(f"\npage {total*1000:.1f} ms; " + ", ".join(f"{k} {sum(v)/10*1000:.1f} ms" for k, v in timings.items()))
