"""The learner sees only their own published feedback, never drafts."""

from __future__ import annotations

from .conftest import AGS, drain, page


def test_student_sees_only_own_published_feedback_newest_first(app, launch, new_browser, teacher, lms, composer_for):
    t = teacher(locale="en")
    lms.rsps.post(lms.scores_url(), status=200)
    anna = composer_for(t.lid, "student-1")
    anna.publish(text="Eerste gepubliceerde versie.", score="6")
    drain(app)
    anna.publish(text="Tweede gepubliceerde versie.", score="7,5")
    drain(app)
    anna.save(text="Concept dat nog niet af is.")
    composer_for(t.lid, "student-2").save(text="Concept voor Bram.")

    b = new_browser()
    s = launch("learner", user="student-1", activity="feedback", browser=b, claims={AGS: lms.ags_claim()}, locale="en")
    html = page(s.response)
    assert s.response.status_code == 200
    assert "Tweede gepubliceerde versie." in html and "Eerste gepubliceerde versie." in html
    assert html.index("Tweede gepubliceerde versie.") < html.index("Eerste gepubliceerde versie.")
    assert "Latest feedback" in html and "7.5" in html and "out of 10" in html
    assert "Concept dat nog niet af is." not in html
    assert "Concept voor Bram." not in html
    assert "Also in your course gradebook." in html

    b2 = new_browser()
    bram = launch("learner", user="student-2", activity="feedback", browser=b2, claims={AGS: lms.ags_claim()}, locale="nl")
    html = page(bram.response)
    assert "Concept voor Bram." not in html and "gepubliceerde versie" not in html
    assert "Nog geen feedback" in html
