"""The LMS's own pages, its key and its seed data."""

from __future__ import annotations

from .conftest import CHECKIN, COURSE, STUDENT, TEACHER, parse_page


def test_jwks_is_a_list_of_public_signing_keys_with_cache_headers(lms):
    response = lms.client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=300"
    body = response.get_json()
    assert list(body) == ["keys"]
    (key,) = body["keys"]
    assert key["kty"] == "RSA"
    assert key["alg"] == "RS256"
    assert key["use"] == "sig"
    assert key["kid"] and key["n"] and key["e"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


def test_key_state_and_seed_survive_a_restart(lms, make_demo_app):
    first = lms.client.get("/.well-known/jwks.json").get_json()
    links = lms.store.resource_links(COURSE)

    restarted = make_demo_app()
    again = restarted.test_client().get("/.well-known/jwks.json").get_json()

    assert again == first
    assert restarted.extensions["erbij_demo_lms"].store.resource_links(COURSE) == links
    assert restarted.config["SECRET_KEY"] == lms.app.config["SECRET_KEY"]


def test_a_new_data_dir_gets_its_own_key(tmp_path, tool_jwks):
    from lti_tool.demo import create_demo_app

    app = create_demo_app({"DEMO_DATA_DIR": tmp_path / "fresh", "DEMO_TOOL_JWKS_FETCH": tool_jwks})

    assert (tmp_path / "fresh" / "platform_key.pem").stat().st_mode & 0o077 == 0
    assert app.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]["kid"]


def test_seed_has_the_courses_people_and_activities(lms):
    store = lms.store
    nl2 = store.members(COURSE)
    assert [m.user.name for m in nl2 if m.role == "Instructor"] == ["Anouk de Vries"]
    assert len([m for m in nl2 if m.role == "Learner"]) >= 8
    assert "Yasmin Öztürk" in [m.user.name for m in nl2]
    bio = store.members("course-bio1")
    assert [m.user.name for m in bio if m.role == "Instructor"] == ["Pieter Hendriks"]
    shared = {m.user.id for m in bio} & {m.user.id for m in nl2}
    assert shared and shared != {m.user.id for m in bio}
    links = {link.title: link for link in store.resource_links(COURSE)}
    assert links["Wekelijkse check-in"].custom == {"erbij_activity": "checkin"}
    assert links["Feedback: betoog"].custom == {"erbij_activity": "feedback"}
    (item,) = store.line_items(COURSE, resource_link_id=links["Feedback: betoog"].id)
    assert (item.label, item.score_maximum) == ("Betoog", 10)


def test_home_lists_the_current_users_courses(lms):
    teacher_home = lms.client.get("/").text
    lms.switch_user(STUDENT)
    student_home = lms.client.get("/").text

    assert "Nederlands 2 (demo)" in teacher_home
    assert "Biologie 1 (demo)" not in teacher_home
    assert "Nederlands 2 (demo)" in student_home and "Biologie 1 (demo)" in student_home


def test_pages_set_lang_and_use_no_inline_scripts(lms):
    for path in (
        "/",
        f"/courses/{COURSE}",
        f"/courses/{COURSE}/activities/{CHECKIN}",
        f"/courses/{COURSE}/gradebook",
        f"/courses/{COURSE}/editor?insert=1",
    ):
        response = lms.client.get(path)
        assert response.status_code == 200, path
        assert '<html lang="en">' in response.text, path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
        scripts = parse_page(response.text).scripts
        assert all(s.get("src", "").startswith("/static/") for s in scripts), path
        assert "http" not in "".join(s.get("src", "") for s in scripts), path  # no CDN


def test_course_page_shows_teacher_tools_only_to_teachers(lms):
    teacher = lms.client.get(f"/courses/{COURSE}").text
    lms.switch_user(STUDENT)
    student = lms.client.get(f"/courses/{COURSE}").text

    for label in ("Add Erbij activity", "Gradebook", "Rich text editor"):
        assert label in teacher
        assert label not in student
    assert "Wekelijkse check-in" in student


def test_access_rules(lms):
    lms.switch_user(STUDENT)
    assert lms.client.get(f"/courses/{COURSE}/gradebook").status_code == 403
    assert lms.client.get("/courses/nope").status_code == 404
    assert lms.client.get(f"/courses/{COURSE}/activities/rl-bio1-checkin").status_code == 404
    lms.switch_user("lisa.jansen")  # not in Biologie
    assert lms.client.get("/courses/course-bio1").status_code == 403


def test_switch_user_lands_on_a_page_the_new_user_may_see(lms):
    gradebook = f"/courses/{COURSE}/gradebook"
    to_student = lms.client.post("/switch-user", data={"user": STUDENT, "next": gradebook})
    assert to_student.headers["Location"] == f"/courses/{COURSE}"

    activity = f"/courses/{COURSE}/activities/{CHECKIN}"
    same_page = lms.client.post("/switch-user", data={"user": TEACHER, "next": activity})
    assert same_page.headers["Location"] == activity

    outsider = lms.client.get(f"/switch-user?user=jesse.kok&next=/courses/{COURSE}")
    assert outsider.headers["Location"] == "/"

    offsite = lms.client.post("/switch-user", data={"user": TEACHER, "next": "//evil.example/"})
    assert offsite.headers["Location"] == "/"

    assert lms.client.post("/switch-user", data={"user": "nobody"}).status_code == 404


def test_unknown_pages_are_html_and_unknown_api_paths_are_json(lms):
    page = lms.client.get("/nope")
    api = lms.client.get("/api/lti/nope")

    assert page.status_code == 404 and page.mimetype == "text/html"
    assert api.status_code == 404 and api.get_json()["error"]["code"] == 404
