"""The demo school: two courses, their teachers and students, and two ready activities.

Names are realistic Dutch names (with particles such as "de", "van", "el" in the family
name, and an "Ö") because Erbij must sort and display exactly these well.
"""

from __future__ import annotations

from .store import INSTRUCTOR, LEARNER, Course, Store, User

DEFAULT_USER_ID = "anouk.devries"

COURSE_NL2 = Course(id="course-nl2", label="NL2", title="Nederlands 2 (demo)")
COURSE_BIO1 = Course(id="course-bio1", label="BIO1", title="Biologie 1 (demo)")

# Resource link ids are fixed so tests and screenshots can refer to them.
CHECKIN_LINK_ID = "rl-nl2-checkin"
FEEDBACK_LINK_ID = "rl-nl2-betoog"
BIO_CHECKIN_LINK_ID = "rl-bio1-checkin"


def _person(user_id: str, given: str, family: str, email_domain: str) -> User:
    local = user_id
    return User(
        id=user_id,
        given_name=given,
        family_name=family,
        name=f"{given} {family}",
        email=f"{local}@{email_domain}",
        locale="nl",
    )


_STAFF = "roc-demo.example"
_STUDENTS = "student.roc-demo.example"

TEACHERS = [
    _person("anouk.devries", "Anouk", "de Vries", _STAFF),
    _person("pieter.hendriks", "Pieter", "Hendriks", _STAFF),
]

STUDENTS = [
    _person("sanne.bakker", "Sanne", "Bakker", _STUDENTS),
    _person("mohammed.elamrani", "Mohammed", "el Amrani", _STUDENTS),
    _person("lisa.jansen", "Lisa", "Jansen", _STUDENTS),
    _person("daan.visser", "Daan", "Visser", _STUDENTS),
    _person("noah.smit", "Noah", "Smit", _STUDENTS),
    _person("emma.deboer", "Emma", "de Boer", _STUDENTS),
    _person("yasmin.ozturk", "Yasmin", "Öztürk", _STUDENTS),
    _person("tim.vandijk", "Tim", "van Dijk", _STUDENTS),
    _person("jesse.kok", "Jesse", "Kok", _STUDENTS),
    _person("priya.ramdin", "Priya", "Ramdin", _STUDENTS),
    _person("bram.dewit", "Bram", "de Wit", _STUDENTS),
]

# Course 2 shares three students with course 1 and has three of its own, so isolation
# between courses can be shown with the same person.
ENROLLMENTS = {
    COURSE_NL2.id: [("anouk.devries", INSTRUCTOR)] + [(s.id, LEARNER) for s in STUDENTS[:8]],
    COURSE_BIO1.id: [("pieter.hendriks", INSTRUCTOR)]
    + [
        (uid, LEARNER)
        for uid in (
            "sanne.bakker",
            "daan.visser",
            "yasmin.ozturk",
            "jesse.kok",
            "priya.ramdin",
            "bram.dewit",
        )
    ],
}


def seed_if_empty(store: Store) -> bool:
    """Create the demo school on first start; True if it was created now."""
    if store.get_setting("seeded"):
        return False
    for user in TEACHERS + STUDENTS:
        store.add_user(user)
    for course in (COURSE_NL2, COURSE_BIO1):
        store.add_course(course)
        for user_id, role in ENROLLMENTS[course.id]:
            store.enroll(course.id, user_id, role)

    store.add_resource_link(
        COURSE_NL2.id,
        "Wekelijkse check-in",
        text="Eén minuut per week: hoe ging het in de les?",
        custom={"erbij_activity": "checkin"},
        link_id=CHECKIN_LINK_ID,
    )
    store.add_resource_link(
        COURSE_NL2.id,
        "Feedback: betoog",
        text="Feedback op je betoog, met een cijfer in het cijferoverzicht.",
        custom={"erbij_activity": "feedback"},
        link_id=FEEDBACK_LINK_ID,
    )
    store.add_line_item(COURSE_NL2.id, "Betoog", 10, resource_link_id=FEEDBACK_LINK_ID)
    store.add_resource_link(
        COURSE_BIO1.id,
        "Wekelijkse check-in",
        text="Eén minuut per week: hoe ging het in de les?",
        custom={"erbij_activity": "checkin"},
        link_id=BIO_CHECKIN_LINK_ID,
    )
    store.set_setting("seeded", "1")
    return True
