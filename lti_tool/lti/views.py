"""LTI endpoints: OIDC login, launch, JWKS, the new-window hand-off, and the launch entry.

A launch whose cookies work costs two requests to Erbij: the login (302 to the LMS) and
the launch, whose response is the activity's page (landing.py). The cookie checks sit
where the answer is known: a login without any cookie of ours takes one round trip through
/lti/login/continue (first launch in a browser, or none kept); the launch knows whether
its state cookie came back, and a hand-off token exists only when it did not.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous.serializer import Serializer

from ..extensions import csrf, db
from ..models import ResourceLink
from ..models.course import ACTIVITIES, ACTIVITY_FEEDBACK
from ..signed import serializer
from . import keys
from .context import (
    bind_to_browser,
    create_handoff,
    create_launch_session,
    current_launch,
    instructor_required,
    load_launch,
    redeem_handoff,
    set_locale,
)
from .deep_linking import activity_item, response_jwt
from .errors import LaunchRefused
from .landing import landing_page, landing_url, render_landing
from .login import (
    COOKIES_OK_COOKIE,
    LOGIN_PARAMS,
    STATE_COOKIE_PREFIX,
    STATE_TTL,
    find_login_state,
    platform_origin,
    purge_expired,
    secret_hash,
    start_login,
)
from .validation import validate_launch

bp = Blueprint("lti", __name__)

# Our cookies live in the LMS's cross-site iframe: SameSite=None; Secure; Partitioned (lms-notes.md).
_COOKIE_FLAGS = {"secure": True, "httponly": True, "samesite": "None", "partitioned": True}


def _signer() -> Serializer:
    return serializer(current_app.secret_key, "erbij-login-continue")


def _set_state_cookie(resp, login_state) -> None:
    resp.set_cookie(login_state.cookie_name, login_state.id, max_age=int(STATE_TTL.total_seconds()), path="/lti/", **_COOKIE_FLAGS)


def _set_cookies_ok(resp) -> None:
    resp.set_cookie(COOKIES_OK_COOKIE, "1", max_age=365 * 24 * 3600, path="/lti/", **_COOKIE_FLAGS)


def _no_store(resp):
    resp.headers["Cache-Control"] = "no-store"
    return resp


# ------------------------------------------------------------------ OIDC login
@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    params = {k: (request.values.get(k) or "").strip() for k in LOGIN_PARAMS}
    cookies_work = request.cookies.get(COOKIES_OK_COOKIE) == "1"
    login_state, auth_url, storage_secret = start_login(
        # A cookie of ours came back: the state cookie will too, Platform Storage is not needed.
        {**params, "lti_storage_target": ""} if cookies_work else params
    )

    def continue_url() -> str:
        new_window_url = url_for("lti.login", _external=False, **{k: v for k, v in params.items() if v and k != "lti_storage_target"})
        return url_for("lti.login_continue", d=_signer().dumps({"s": login_state.id, "a": auth_url, "w": new_window_url}))

    if storage_secret:
        # The launch can be bound through Platform Storage: no cookie check needed here.
        resp = make_response(
            render_template(
                "lti/storage_login.html",
                target=login_state.storage_target,
                origin=platform_origin(login_state),
                key=login_state.storage_key,
                secret=storage_secret,
                auth_url=auth_url,
                fallback_url=continue_url(),
            )
        )
    elif cookies_work:
        # A cookie came back: this browser keeps our cookies here. Straight to the LMS.
        resp = redirect(auth_url)
    else:
        # First launch in this browser (or no cookies at all): a round trip through our
        # own URL tells whether the state cookie stuck, before the LMS spends its login
        # (Moodle's lti_message_hint works once), so that a new window can still start over.
        resp = redirect(continue_url())
    _set_state_cookie(resp, login_state)
    purge_expired()
    return _no_store(resp)


@bp.route("/lti/login/continue")
def login_continue():
    try:
        data = _signer().loads(request.args.get("d", ""), max_age=int(STATE_TTL.total_seconds()))
    except BadSignature as exc:
        raise LaunchRefused("state_not_found", detail="bad continue token") from exc
    if request.cookies.get(STATE_COOKIE_PREFIX + data["s"]) == data["s"]:
        resp = redirect(data["a"])
        _set_cookies_ok(resp)
        return _no_store(resp)
    # No cookie and no Platform Storage: continue in a first-party window.
    raise LaunchRefused("cookies_blocked", detail="state cookie not stored", new_window_url=data["w"])


# ------------------------------------------------------------------ launch
def _same_origin_post() -> bool:
    """The POST comes from a page of Erbij's own origin (a browser sets Origin; no page of
    another site can make it say ours)."""
    ours = urlsplit(current_app.config["ERBIJ_BASE_URL"])
    origin = request.headers.get("Origin", "")
    site = request.headers.get("Sec-Fetch-Site")
    return origin == f"{ours.scheme}://{ours.netloc}" and site in (None, "same-origin")


@bp.route("/lti/launch", methods=["POST"])
@csrf.exempt
def launch():
    state = request.form.get("state", "")
    id_token = request.form.get("id_token", "")
    if not id_token:
        raise LaunchRefused("missing_params", detail="no id_token")
    login_state = find_login_state(state)
    cookie_ok = request.cookies.get(login_state.cookie_name) == login_state.id
    storage_ok = False
    if not cookie_ok and login_state.storage_secret_hash:
        storage_secret = request.form.get("storage_secret")
        if storage_secret is None:
            # Read the browser-bound secret back from the platform, then post again.
            return _no_store(
                make_response(
                    render_template(
                        "lti/storage_launch.html",
                        target=login_state.storage_target,
                        origin=platform_origin(login_state),
                        key=login_state.storage_key,
                        state=state,
                        id_token=id_token,
                    )
                )
            )
        # Only Erbij's own storage page may post the secret back: an attacker's form
        # (login CSRF: their id_token, state and secret posted by a victim's browser) can't.
        storage_ok = (
            _same_origin_post()
            and bool(storage_secret)
            and hmac.compare_digest(secret_hash(storage_secret), login_state.storage_secret_hash)
        )
    if not (cookie_ok or storage_ok):
        raise LaunchRefused("state_mismatch", detail="no state cookie and no platform storage secret")

    rendered: list = []
    # The landing page is rendered inside the launch's own transaction (one commit, no
    # second transaction just to read what the page shows), and sent as this response.
    ctx = create_launch_session(
        validate_launch(id_token, login_state),
        before_commit=(lambda c: rendered.append(_open_landing(c))) if cookie_ok else None,
    )
    if cookie_ok:
        # The state cookie came back, so this browser keeps our cookies here: the session
        # cookie sticks too. The activity's page is this response (or, when it must be
        # reached by the browser itself, a redirect to it).
        resp, url = rendered[0]
        if resp is None:
            resp = redirect(url)
        else:
            resp.headers["Content-Location"] = url
        _set_cookies_ok(resp)
    else:
        # Bound through Platform Storage: this browser keeps no cookie for us here. Only
        # now is a hand-off token made, for a first-party window to take over.
        g.locale_override = ctx.locale
        raise LaunchRefused(
            "cookies_blocked",
            detail="no cookies in the iframe; launch handed to a new window",
            new_window_url=url_for("lti.handoff", t=create_handoff(ctx.id)),
        )
    resp.delete_cookie(login_state.cookie_name, path="/lti/", **_COOKIE_FLAGS)
    return _no_store(resp)


def _open_landing(ctx):
    bind_to_browser(ctx.id)
    return render_landing(ctx)


@bp.route("/lti/ready/<lid_>")
def ready(lid_: str):
    """Kept for links made before the fast path: the launch's page, when this browser owns it."""
    load_launch(lid_)
    return redirect(url_for("lti.entry", lid=lid_))


@bp.route("/lti/handoff")
def handoff():
    """A new (first-party) window takes over a launch with a single-use token."""
    lid = redeem_handoff(request.args.get("t", ""))
    bind_to_browser(lid)
    ctx = load_launch(lid)
    resp = redirect(landing_url(ctx))
    return _no_store(resp)


@bp.route("/lti/jwks")
def jwks():
    resp = jsonify(keys.jwks())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


# ------------------------------------------------------------------ inside a launch
@bp.route("/l/<lid>/")
def entry():
    """The page the launch lands on (landing.py); an unconfigured link asks the teacher once."""
    launch = current_launch()
    page = landing_page(launch)
    if page is not None:
        return redirect(page)
    if launch.is_instructor:
        return render_template("lti/setup.html", link=launch.resource_link)
    return render_template("lti/not_set_up.html")


@bp.route("/l/<lid>/setup", methods=["POST"])
@instructor_required
def setup():
    launch = current_launch()
    kind = request.form.get("activity")
    link = launch.resource_link
    if link is None or kind not in ACTIVITIES:
        abort(400)
    db.session.execute(
        db.update(ResourceLink)
        .where(ResourceLink.id == link.id, ResourceLink.course_id == launch.course_id, ResourceLink.activity.is_(None))
        .values(activity=kind)
    )
    db.session.commit()
    return redirect(url_for("lti.entry"))


@bp.route("/l/<lid>/deep-link", methods=["GET", "POST"])
@instructor_required
def deep_link():
    launch = current_launch()
    settings = launch.deep_link or {}
    accept = settings.get("accept_types") or []
    if "ltiResourceLink" not in accept:
        # An editor placement (html only): the feedback composer answers it.
        if "feedback.deep_link_html" in current_app.view_functions:
            return redirect(url_for("feedback.deep_link_html"))
        abort(404)
    errors: dict[str, str] = {}
    form = {"activity": request.form.get("activity", ""), "title": request.form.get("title", "").strip(), "maximum": request.form.get("maximum", "10").strip()}
    if request.method == "POST" and request.form.get("cancel"):
        # An empty item list is how Deep Linking says "nothing added" (the LMS just closes).
        token, return_url = response_jwt(launch, [])
        return render_template("lti/deep_link_return.html", jwt=token, return_url=return_url, title=None)
    if request.method == "POST":
        if form["activity"] not in ACTIVITIES:
            errors["activity"] = _("Choose what to add.")
        maximum = None
        if form["activity"] == ACTIVITY_FEEDBACK:
            try:
                maximum = float(form["maximum"].replace(",", "."))
                if not 0 < maximum <= 1000:
                    raise ValueError
            except ValueError:
                errors["maximum"] = _("Enter a maximum score between 0 and 1000, for example 10.")
        if not errors:
            defaults = {"checkin": _("Weekly check-in"), "feedback": _("Feedback")}
            title = form["title"][:200] or defaults[form["activity"]]
            item = activity_item(form["activity"], title, score_maximum=maximum)
            token, return_url = response_jwt(launch, [item])
            return render_template("lti/deep_link_return.html", jwt=token, return_url=return_url, title=title)
    return render_template("lti/deep_link.html", form=form, errors=errors, settings=settings), (400 if errors else 200)


@bp.route("/l/<lid>/language", methods=["POST"])
def language():
    lang = request.form.get("lang")
    if lang in ("nl", "en"):
        set_locale(current_launch(), lang)
    target = request.form.get("next") or ""
    # Only paths inside this launch: never an open redirect.
    if not target.startswith(f"/l/{current_launch().id}/"):
        target = url_for("lti.entry")
    return redirect(target)
