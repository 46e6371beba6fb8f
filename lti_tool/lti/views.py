"""LTI endpoints: OIDC login, launch, JWKS, the new-window hand-off, and the launch entry."""

from __future__ import annotations

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
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import csrf, db
from ..models import LaunchSession, ResourceLink
from ..models.course import ACTIVITIES, ACTIVITY_FEEDBACK
from . import claims as C
from . import keys
from .context import (
    bind_to_browser,
    browser_owns,
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
from .login import LOGIN_PARAMS, STATE_COOKIE_PREFIX, STATE_TTL, find_login_state, platform_origin, secret_hash, start_login
from .validation import validate_launch

bp = Blueprint("lti", __name__)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="erbij-login-continue")


def _set_state_cookie(resp, state: str) -> None:
    resp.set_cookie(
        STATE_COOKIE_PREFIX + state[:24],
        state,
        max_age=int(STATE_TTL.total_seconds()),
        secure=True,
        httponly=True,
        samesite="None",
        partitioned=True,
        path="/lti/",
    )


# ------------------------------------------------------------------ OIDC login
@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    params = {k: (request.values.get(k) or "").strip() for k in LOGIN_PARAMS}
    login_state, auth_url, storage_secret = start_login(params)
    new_window_url = url_for("lti.login", _external=False, **{k: v for k, v in params.items() if v and k != "lti_storage_target"})
    continue_url = url_for("lti.login_continue", d=_signer().dumps({"s": login_state.state, "a": auth_url, "w": new_window_url}))
    if storage_secret:
        resp = make_response(
            render_template(
                "lti/storage_login.html",
                target=login_state.storage_target,
                origin=platform_origin(login_state),
                key=f"erbij_state_{login_state.state}",
                secret=storage_secret,
                auth_url=auth_url,
                fallback_url=continue_url,
            )
        )
    else:
        # A round trip through our own URL tells whether the state cookie stuck.
        resp = redirect(continue_url)
    _set_state_cookie(resp, login_state.state)
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/lti/login/continue")
def login_continue():
    try:
        data = _signer().loads(request.args.get("d", ""), max_age=int(STATE_TTL.total_seconds()))
    except BadSignature as exc:
        raise LaunchRefused("state_not_found", detail="bad continue token") from exc
    if request.cookies.get(STATE_COOKIE_PREFIX + data["s"][:24]) == data["s"]:
        return redirect(data["a"])
    # No cookie and no Platform Storage: continue in a first-party window.
    raise LaunchRefused("cookies_blocked", detail="state cookie not stored", new_window_url=data["w"])


# ------------------------------------------------------------------ launch
@bp.route("/lti/launch", methods=["POST"])
@csrf.exempt
def launch():
    state = request.form.get("state", "")
    id_token = request.form.get("id_token", "")
    if not id_token:
        raise LaunchRefused("missing_params", detail="no id_token")
    login_state = find_login_state(state)
    cookie_ok = request.cookies.get(STATE_COOKIE_PREFIX + state[:24]) == state
    storage_secret = request.form.get("storage_secret")
    storage_ok = bool(
        storage_secret and login_state.storage_secret_hash and secret_hash(storage_secret) == login_state.storage_secret_hash
    )
    if not (cookie_ok or storage_ok):
        if login_state.storage_target and storage_secret is None:
            # Read the browser-bound secret back from the platform, then post again.
            resp = make_response(
                render_template(
                    "lti/storage_launch.html",
                    target=login_state.storage_target,
                    origin=platform_origin(login_state),
                    key=f"erbij_state_{state}",
                    state=state,
                    id_token=id_token,
                )
            )
            resp.headers["Cache-Control"] = "no-store"
            return resp
        raise LaunchRefused("state_mismatch", detail="no state cookie and no platform storage secret")

    ctx = create_launch_session(validate_launch(id_token, login_state))
    bind_to_browser(ctx.id)
    resp = redirect(url_for("lti.ready", lid_=ctx.id, h=create_handoff(ctx.id)))
    resp.delete_cookie(STATE_COOKIE_PREFIX + state[:24], path="/lti/", secure=True, samesite="None", partitioned=True)
    return resp


@bp.route("/lti/ready/<lid_>")
def ready(lid_: str):
    """After the launch: did our session cookie survive? If not, offer a new window."""
    if browser_owns(lid_):
        return redirect(url_for("lti.entry", lid=lid_))
    row = db.session.get(LaunchSession, lid_)
    if row is not None:
        g.locale_override = row.locale  # speak the launch's language, though the session is lost
    raise LaunchRefused(
        "cookies_blocked",
        detail="session cookie not stored after launch",
        new_window_url=url_for("lti.handoff", t=request.args.get("h", "")),
    )


@bp.route("/lti/handoff")
def handoff():
    """A new (first-party) window takes over a launch with a single-use token."""
    lid = redeem_handoff(request.args.get("t", ""))
    bind_to_browser(lid)
    load_launch(lid)
    return redirect(url_for("lti.entry", lid=lid))


@bp.route("/lti/jwks")
def jwks():
    resp = jsonify(keys.jwks())
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


# ------------------------------------------------------------------ inside a launch
@bp.route("/l/<lid>/")
def entry():
    """Route a launch to its activity; an unconfigured link asks the teacher once."""
    launch = current_launch()
    if launch.message_type == C.DEEP_LINKING_REQUEST:
        return redirect(url_for("lti.deep_link"))
    link = launch.resource_link
    if link is None or link.activity not in ACTIVITIES:
        if launch.is_instructor:
            return render_template("lti/setup.html", link=link)
        return render_template("lti/not_set_up.html")
    endpoint = f"{link.activity}.entry"
    if endpoint not in current_app.view_functions:
        abort(404)
    return redirect(url_for(endpoint))


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
