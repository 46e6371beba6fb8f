"""Roster sync (NRPS): names and roles stored, leavers inactive, an LMS outage tolerated."""

from lti_tool.extensions import db
from lti_tool.lti.context import load_launch
from lti_tool.models import Course, Membership, User
from lti_tool.roster import learners, sync_roster

MEMBERS = "https://lms.example.org/api/course-1/memberships"


def _launch_ctx(app, client, lid):
    with app.test_request_context():
        from flask import session

        session["lids"] = [lid]
        return load_launch(lid)


def test_sync_stores_names_roles_and_marks_leavers(app, client, launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    rsps.get(MEMBERS, json={"members": [
        {"user_id": "teacher-1", "name": "Anouk de Vries", "roles": ["Instructor"]},
        {"user_id": "s1", "name": "Sanne Bakker", "given_name": "Sanne", "family_name": "Bakker", "roles": ["Learner"]},
        {"user_id": "s2", "name": "Daan Visser", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], "status": "Inactive"},
    ]})
    result = launch("instructor", activity=None)
    with app.test_request_context():
        from flask import session

        session["lids"] = [result.lid]
        ctx = load_launch(result.lid)
        assert sync_roster(ctx, force=True).ok
        names = [u.display_name() for _, u in learners(ctx.course_id)]
        assert names == ["Sanne Bakker"]  # s2 is inactive in the LMS
        assert db.session.execute(db.select(User).where(User.sub == "s1")).scalar_one().given_name == "Sanne"


def test_outage_keeps_last_roster_and_cools_down(app, client, launch, platform, rsps):
    rsps.post(platform.token_url, json={"access_token": "t", "expires_in": 3600})
    nrps = rsps.get(MEMBERS, status=503)
    result = launch("instructor", activity=None)
    with app.test_request_context():
        from flask import session

        session["lids"] = [result.lid]
        ctx = load_launch(result.lid)
        first = sync_roster(ctx, force=False)
        second = sync_roster(ctx, force=False)
        assert not first.ok and not second.ok
        assert nrps.call_count == 1  # the second page load did not wait for the LMS again
        assert db.session.get(Course, ctx.course_id).roster_synced_at is None
        assert db.session.execute(db.select(Membership)).scalar_one().role == "instructor"


def test_class_list_order_ignores_family_name_prefixes():
    from lti_tool.roster import name_sort_key

    people = [
        User(sub="1", name="Anouk de Vries", given_name="Anouk", family_name="de Vries"),
        User(sub="2", name="Mohammed el Amrani", given_name="Mohammed", family_name="el Amrani"),
        User(sub="3", name="Tim van Dijk"),  # no family-name field (Moodle privacy settings)
        User(sub="4", name="Sanne Bakker", given_name="Sanne", family_name="Bakker"),
        User(sub="5", name="Yasmin Öztürk"),
    ]
    order = [u.sub for u in sorted(people, key=name_sort_key)]
    assert order == ["2", "4", "3", "5", "1"]  # Amrani, Bakker, Dijk, Öztürk, Vries
