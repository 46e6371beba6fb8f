"""Demo data for the dashboard: `flask --app wsgi checkin seed-demo`.

Seeds N students x W weeks of varied, realistic check-ins into a course (by default the
demo LMS's ``course-nl2``): Dutch names, a class that mostly does fine with a dip in a
test week, and a few students with the patterns the dashboard is for — "don't dare",
"don't know where to start", a sudden drop, a low run, a run of low safety, two who stopped
answering — plus some requests to talk, missing weeks and open answers.

``seed_course`` is also what the tests and the benchmark use. Running the command again
replaces the seeded students' answers in that course (same seed, same data).
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import click

from ..extensions import db
from ..institution_policy import allows_identified
from ..models import Course, Deployment, Membership, Registration, User
from ..models.checkin import CheckinResponse
from ..models.course import ROLE_LEARNER
from . import operations, privacy
from .blueprint import bp
from .items import CURRENT_VERSIONS, SCALE_ITEMS
from .signals import INDEX_ITEMS, weekly_index
from .weeks import Week, previous_weeks, weekly_window

# The demo school's eight students of course-nl2 come first, with the same ids, so that
# the demo LMS's roster (NRPS) and the seeded answers name the same people.
NAMES: tuple[tuple[str, str], ...] = (
    ("Sanne", "Bakker"),
    ("Mohammed", "el Amrani"),
    ("Lisa", "Jansen"),
    ("Daan", "Visser"),
    ("Noah", "Smit"),
    ("Emma", "de Boer"),
    ("Yasmin", "Öztürk"),
    ("Tim", "van Dijk"),
    ("Fleur", "Mulder"),
    ("Sem", "de Graaf"),
    ("Aya", "Bouzid"),
    ("Luuk", "van den Berg"),
    ("Julia", "Meijer"),
    ("Milan", "Kramer"),
    ("Zoë", "Peters"),
    ("Finn", "Hoekstra"),
    ("Sara", "Yılmaz"),
    ("Jayden", "Martina"),
    ("Nina", "van Leeuwen"),
    ("Thomas", "Dekker"),
    ("Ilse", "Brouwer"),
    ("Rayan", "Haddou"),
    ("Eva", "van der Linden"),
    ("Stijn", "Willems"),
    ("Demi", "Koster"),
    ("Lucas", "Verbeek"),
    ("Anna", "Postma"),
    ("Kevin", "Tjon"),
    ("Lotte", "Huisman"),
    ("Youssef", "Benali"),
    ("Iris", "Vos"),
    ("Bas", "Schouten"),
    ("Mila", "Kaya"),
    ("Ruben", "de Jong"),
    ("Roos", "Hendriks"),
    ("Omar", "Chaouch"),
    ("Femke", "Prins"),
    ("Gijs", "van Vliet"),
    ("Esra", "Doğan"),
    ("Jesse", "Sedney"),
)

OPEN_ANSWERS: tuple[str, ...] = (
    "Meer uitleg met voorbeelden voordat we zelf beginnen.",
    "Dat we vaker in kleine groepjes werken.",
    "Als ik vragen kan stellen zonder dat de hele klas meekijkt.",
    "Duidelijker wat we moeten inleveren en wanneer.",
    "Minder lang stilzitten, meer doen.",
    "Een stappenplan bij de opdracht.",
    "Dat de docent even langskomt als ik vastzit.",
    "Ik vond de les goed zo, niks veranderen.",
    "Meer tijd voor de opdracht in de les.",
    "Dat we zelf mogen kiezen met wie we samenwerken.",
    "Feedback op mijn werk, ook als het nog niet af is.",
    "Dat het rustiger is in de klas.",
    "Voorbeelden uit de praktijk, van stage.",
    "Niet meteen voor de hele klas een antwoord hoeven geven.",
    "Weten wat het doel van de les is.",
)

# Weekly profiles: how a student's answers deviate from the class. Assigned to a fixed
# share of the class (at least one each when there are enough students).
PROFILES: tuple[tuple[str, float], ...] = (
    ("dont_dare", 0.08),
    ("no_start", 0.08),
    ("drop", 0.04),
    ("low", 0.04),
    ("unsafe", 0.04),
    ("absent", 0.07),
    ("sporadic", 0.07),
    ("late", 0.04),
)


@dataclass(frozen=True)
class SeedResult:
    course: Course
    students: int
    weeks: int
    responses: int
    opt_ins: int
    open_answers: int


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("ı", "i"))
    return "".join(c for c in folded if c.isalnum() and c.isascii()).lower()


def student_names(n: int) -> list[tuple[str, str, str]]:
    """``n`` (sub, given name, family name), Dutch, unique; the demo school's first."""
    result = []
    for i in range(n):
        given, family = NAMES[i % len(NAMES)]
        if i >= len(NAMES):  # more students than names: pair them up differently
            family = NAMES[(i * 7 + i // len(NAMES)) % len(NAMES)][1]
        sub = f"{_ascii(given)}.{_ascii(family)}"
        if i >= len(NAMES):
            sub += f".{i}"
        result.append((sub, given, family))
    return result


def resolve_course(context_id: str, issuer: str | None) -> Course:
    """The course with this LMS context id; created under the only (or named) platform."""
    query = db.select(Course).join(Registration, Registration.id == Course.registration_id).where(Course.context_id == context_id)
    if issuer:
        query = query.where(Registration.issuer == issuer)
    courses = db.session.execute(query).scalars().all()
    if len(courses) == 1:
        return courses[0]
    if len(courses) > 1:
        raise click.ClickException(f"Several platforms have a course {context_id!r}; pass --issuer.")
    regs = (
        db.session.execute(db.select(Registration).where(Registration.issuer == issuer) if issuer else db.select(Registration))
        .scalars()
        .all()
    )
    if len(regs) != 1:
        raise click.ClickException(
            "No such course yet, and no single platform to create it under: "
            + ("register the platform first (make demo does)." if not regs else "pass --issuer.")
        )
    reg = regs[0]
    deployment = (
        db.session.execute(db.select(Deployment).where(Deployment.registration_id == reg.id).order_by(Deployment.id)).scalars().first()
    )
    if deployment is None:
        raise click.ClickException(f"Platform {reg.issuer} has no deployment.")
    title = "Nederlands 2 (demo)" if context_id == "course-nl2" else context_id
    course = Course(registration_id=reg.id, deployment_id=deployment.id, context_id=context_id, title=title, label=title[:10])
    db.session.add(course)
    db.session.flush()
    return course


def _ensure_students(course: Course, n: int) -> list[User]:
    names = student_names(n)
    existing = {
        u.sub: u
        for u in db.session.execute(
            db.select(User).where(User.registration_id == course.registration_id, User.sub.in_([s for s, _g, _f in names]))
        ).scalars()
    }
    users = []
    for sub, given, family in names:
        user = existing.get(sub)
        if user is None:
            user = User(registration_id=course.registration_id, sub=sub)
            db.session.add(user)
        user.given_name, user.family_name, user.name = given, family, f"{given} {family}"
        users.append(user)
    db.session.flush()
    memberships = {
        m.user_id: m
        for m in db.session.execute(
            db.select(Membership).where(Membership.course_id == course.id, Membership.user_id.in_([u.id for u in users]))
        ).scalars()
    }
    for user in users:
        ms = memberships.get(user.id)
        if ms is None:
            db.session.add(Membership(course_id=course.id, user_id=user.id, role=ROLE_LEARNER, active=True))
        else:
            ms.role, ms.active = ROLE_LEARNER, True
    return users


def _clamp(value: float) -> int:
    return max(1, min(5, round(value)))


def _profiles(n: int, rng: random.Random) -> list[str]:
    order = list(range(n))
    rng.shuffle(order)
    profiles = ["steady"] * n
    at = 0
    for name, share in PROFILES:
        count = max(1, round(n * share)) if n >= 12 else (1 if at < n // 2 else 0)
        for i in order[at : at + count]:
            profiles[i] = name
        at += count
        if at >= n:
            break
    return profiles


def _answers(
    profile: str, base: float, offsets: dict[str, float], week_no: int, total: int, dip: float, rng: random.Random
) -> dict[str, int]:
    """One week's answers for one student; ``week_no`` counts from 0 (oldest) to total - 1."""
    from_end = total - 1 - week_no  # 0 is this week
    level = base + dip + rng.gauss(0, 0.35)
    if profile == "drop" and from_end == 0:
        level -= 1.8
    scores = {item: level + offsets[item] + rng.gauss(0, 0.45) for item in SCALE_ITEMS}
    if profile == "low" and from_end <= 2:
        # Low on belonging and safety; how the work itself goes is a separate matter.
        for item in INDEX_ITEMS:
            scores[item] = 2.3 + offsets[item] + rng.gauss(0, 0.4)
    # P1 is asked the other way round: a student who is doing fine seldom holds back.
    scores["P1"] = 6 - scores["P1"]
    if profile == "dont_dare" and from_end <= 3:
        scores["P1"] = rng.choice((4, 5, 5))
        scores["S1"] = rng.choice((2, 3, 3))
        scores["C1"] = rng.choice((2, 3))
    if profile == "no_start" and from_end <= 2:
        scores["P2"] = rng.choice((1, 2, 2))
    if profile == "unsafe" and from_end <= 1:
        scores["S1"] = rng.choice((1, 2))
    return {item: _clamp(v) for item, v in scores.items()}


def _answers_this_week(profile: str, from_end: int, week_no: int, total: int, rng: random.Random) -> bool:
    if profile == "absent" and from_end <= 1:
        return False
    if profile == "late" and week_no < min(3, total - 1):
        return False
    if profile in ("dont_dare", "no_start", "drop", "low", "unsafe") and from_end <= 1:
        return True  # the students the demo is about answer when it matters
    if profile == "sporadic":
        return rng.random() < 0.5
    # The current week is still running: not everyone has answered yet.
    return rng.random() < (0.72 if from_end == 0 else 0.9)


def seed_course(course: Course, *, students: int, weeks: int, mode: str, rng: random.Random, now: datetime | None = None) -> SeedResult:
    """Seed ``students`` x ``weeks`` check-ins (ending this week) into ``course`` and commit."""
    users = _ensure_students(course, students)
    current = weekly_window(now or operations.now(), course.timezone)
    period: list[Week] = [*previous_weeks(current, weeks - 1, course.timezone), current]
    db.session.execute(
        db.delete(CheckinResponse).where(
            CheckinResponse.course_id == course.id,
            CheckinResponse.user_id.in_([u.id for u in users]),
            CheckinResponse.week_start.in_([w.start for w in period]),
        )
    )
    profiles = _profiles(len(users), rng)
    dip_week = max(0, round(len(period) * 0.6) - 1)  # a test week: the whole class a bit lower
    rows, opt_ins, open_answers = [], 0, 0
    for user, profile in zip(users, profiles, strict=True):
        base = min(4.6, max(2.8, rng.gauss(3.8, 0.35)))
        offsets = {item: rng.gauss(0, 0.3) for item in SCALE_ITEMS}
        for week_no, week in enumerate(period):
            from_end = len(period) - 1 - week_no
            if not _answers_this_week(profile, from_end, week_no, len(period), rng):
                continue
            dip = -0.6 if week_no == dip_week and len(period) > 3 else 0.0
            answers = _answers(profile, base, offsets, week_no, len(period), dip, rng)
            wants_contact = (profile in ("dont_dare", "low", "drop") and from_end == 0) or rng.random() < 0.03
            text = rng.choice(OPEN_ANSWERS) if rng.random() < 0.22 else None
            opt_ins += wants_contact
            open_answers += text is not None
            stamp = datetime.combine(week.start + timedelta(days=rng.randint(0, 4)), datetime.min.time()) + timedelta(
                hours=rng.randint(8, 16)
            )
            rows.append(
                CheckinResponse(
                    course_id=course.id,
                    user_id=user.id,
                    week_start=week.start,
                    answers=answers,
                    item_versions={k: CURRENT_VERSIONS[k] for k in SCALE_ITEMS},
                    contact_opt_in=wants_contact,
                    open_answer=text,
                    privacy_mode=mode,
                    index_score=weekly_index(answers),
                    created_at=stamp,
                    updated_at=stamp,
                )
            )
    db.session.add_all(rows)
    db.session.commit()
    return SeedResult(course, len(users), len(period), len(rows), opt_ins, open_answers)


def enroll_in_demo_lms(data_dir: Path, context_id: str, users: list[User]) -> int:
    """Enroll the seeded students in the demo LMS too, so its roster (NRPS) lists them."""
    from ..demo.store import LEARNER, Store
    from ..demo.store import User as DemoUser

    store = Store(data_dir / "demo_lms.sqlite3")
    if store.get_course(context_id) is None:
        raise click.ClickException(f"The demo LMS at {data_dir} has no course {context_id!r}.")
    added = 0
    for user in users:
        if store.get_user(user.sub) is None:
            store.add_user(
                DemoUser(
                    id=user.sub,
                    given_name=user.given_name,
                    family_name=user.family_name,
                    name=user.name,
                    email=f"{user.sub}@student.roc-demo.example",
                    locale="nl",
                )
            )
        if store.role_in_course(context_id, user.sub) is None:
            store.enroll(context_id, user.sub, LEARNER)
            added += 1
    return added


@bp.cli.command("seed-demo")
@click.option("--course-context", default="course-nl2", show_default=True, help="The LMS context id of the course.")
@click.option("--students", default=30, show_default=True, type=click.IntRange(1, 500))
@click.option("--weeks", default=12, show_default=True, type=click.IntRange(1, 52))
@click.option("--issuer", default=None, help="The platform's issuer, when several platforms have this course id.")
@click.option(
    "--mode",
    type=click.Choice(["course", privacy.ANONYMOUS, privacy.IDENTIFIED]),
    default="course",
    show_default=True,
    help="Privacy mode stored with the answers; 'course' uses the course's current mode.",
)
@click.option("--seed", "random_seed", default=2026, show_default=True, help="Same seed, same data.")
@click.option(
    "--demo-lms-data",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Also enroll the students in the demo LMS kept here (e.g. instance/demo_lms), so its roster lists them.",
)
def seed_demo(course_context, students, weeks, issuer, mode, random_seed, demo_lms_data):
    """Seed realistic check-ins for the teacher dashboard (demo and screenshots only)."""
    course = resolve_course(course_context, issuer)
    stored_mode = operations.current_mode(course) if mode == "course" else mode
    if stored_mode == privacy.IDENTIFIED and not allows_identified(course.registration_id):
        click.echo("Note: ERBIJ_ALLOW_IDENTIFIED is off, so the dashboard shows these answers anonymously.")
    result = seed_course(course, students=students, weeks=weeks, mode=stored_mode, rng=random.Random(random_seed))
    click.echo(
        f"Seeded {result.responses} check-ins: {result.students} students x {result.weeks} weeks in "
        f"{course.display_title} ({course.context_id}), {stored_mode}; {result.opt_ins} requests to talk, "
        f"{result.open_answers} open answers."
    )
    if demo_lms_data:
        users = (
            db.session.execute(
                db.select(User).where(
                    User.registration_id == course.registration_id, User.sub.in_([s for s, _g, _f in student_names(students)])
                )
            )
            .scalars()
            .all()
        )
        added = enroll_in_demo_lms(demo_lms_data, course.context_id, list(users))
        click.echo(f"Enrolled {added} more students in the demo LMS course {course.context_id}.")
