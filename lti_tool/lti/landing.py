"""The page a launch opens on, rendered in the launch's own response.

A launch whose cookies work answers its POST with the activity's page itself — no redirect
and no second request (login → platform → launch is all the browser asks of Erbij). The
page is rendered by the very view that serves it at its own address (`/l/<lid>/…`), run
here as a GET in a request context that shares this request's session (the browser
binding and the CSRF token land in this response's cookie) and `g` (the launch). The
response names that address in `Content-Location`, and the page's script puts it in the
address bar (`history.replaceState`): a reload or the back button asks for the page and
never posts the launch again.

Each activity says where its launches land (`lands_at`): the check-in's form, "done" or
the dashboard, the feedback's grading or the student's own feedback. The page is then
rendered at once, and a new window taking over a launch goes straight there too. The
activity's entry view (`/l/<lid>/<activity>/`) redirects to the same address, for a link
or a reload that asks for it. When the activity's view still redirects inside the launch,
the redirect is followed here. Anything else — a redirect out of the launch, an error
page — is left to the browser: the launch then redirects to the page's address.

An activity may also say what its landing page reads (`ReadAtLaunch`): the launch's own
statement reads it with the user's rows (lti/context.py), and the page finds it there
instead of asking the database again — one round trip fewer on every returning launch.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import current_app, g, request, session, url_for
from flask.ctx import RequestContext
from flask_babel import refresh as refresh_locale
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from ..models.course import ACTIVITIES
from . import claims as C
from .errors import LaunchRefused

MAX_HOPS = 3
# The launch POST's body and origin are not the page's; nor is its parsed request object.
_NOT_COPIED = {"CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_ORIGIN", "werkzeug.request"}


@dataclass(frozen=True)
class ReadAtLaunch:
    """What an activity's landing page reads, read by the launch's own statement.

    The launch's statement selects its Course, User, Membership and ResourceLink; this adds
    `entities` (entities or columns) through `joins(query)` — outer joins, at most one
    row each, on the launch's Course, User and ResourceLink (in the statement's FROM) and on
    bound values from `params()`, made before the launch's rows are known. When the user
    and course were found, `keep(params, course, user, link, values)` gets what was read,
    in the order of `entities`, to hand to the landing (in `g`). A landing that finds
    nothing kept, or kept for other values, reads for itself: the read is a saving, never
    a condition."""

    entities: Sequence
    joins: Callable
    params: Callable[[], dict]
    keep: Callable[..., None]


_LANDINGS: dict[str, tuple[Callable, ReadAtLaunch | None]] = {}  # activity: (where, reads)


def lands_at(activity: str, *, reads: ReadAtLaunch | None = None):
    """Decorator: `where(launch) -> address` is the page a launch of this activity's links
    lands on (it may read what that page shows, and hand it on in `g`). It raises
    LaunchRefused (or aborts) when the launch may not open the activity. `reads`: what
    that page reads, read with the launch's rows (`ReadAtLaunch`)."""

    def register(where: Callable) -> Callable:
        _LANDINGS[activity] = (where, reads)
        return where

    return register


def reads_at_launch() -> tuple[ReadAtLaunch, ...]:
    """The landing pages' reads, in a fixed order (the launch's statement is built once)."""
    return tuple(reads for _activity, (_where, reads) in sorted(_LANDINGS.items()) if reads is not None)


def landing_url(ctx) -> str:
    """The address of the page a launch opens on (Erbij's own entry asks a teacher to set up
    a link with no activity yet)."""
    g.launch = ctx
    return landing_page(ctx) or url_for("lti.entry")


def landing_page(ctx) -> str | None:
    """The page a launch lands on; None while its link has no activity yet."""
    if ctx.is_admin and "admin.index" in current_app.view_functions:
        return url_for("admin.index")
    if ctx.message_type == C.DEEP_LINKING_REQUEST:
        accept = (ctx.deep_link or {}).get("accept_types") or []
        if "ltiResourceLink" not in accept and "feedback.deep_link_html" in current_app.view_functions:
            return url_for("feedback.deep_link_html")
        return url_for("lti.deep_link")
    link = ctx.resource_link
    if link is None or link.activity not in ACTIVITIES or f"{link.activity}.entry" not in current_app.view_functions:
        return None
    where = _LANDINGS.get(link.activity, (None, None))[0]
    if where is not None:
        try:
            return where(ctx)
        except (LaunchRefused, HTTPException):
            pass  # the activity's entry page says why
    return url_for(f"{link.activity}.entry")


def render_landing(ctx) -> tuple[Response | None, str]:
    """(the landing page's response, its address); the response is None when the browser
    must go there itself (a redirect out of the launch, an error the page will show)."""
    url = landing_url(ctx)
    refresh_locale()  # the language is the launch's, now that it is known
    for _ in range(MAX_HOPS):
        g.page_url = url  # the page names its own address (base.html)
        resp = _get_here(url)
        if resp is None:
            return None, url
        if resp.status_code == 200:
            return resp, url
        location = resp.headers.get("Location", "") if resp.status_code in (301, 302, 303) else ""
        if not location.startswith(f"/l/{ctx.id}/"):
            return None, url
        url = location
    return None, url


def _get_here(url: str) -> Response | None:
    """Run the GET view for `url` (a path of this launch) inside this request."""
    path, _, query = url.partition("?")
    environ = {k: v for k, v in request.environ.items() if k not in _NOT_COPIED}
    environ.update(
        {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": "0", "wsgi.input": io.BytesIO()}
    )
    app = current_app._get_current_object()
    inner = RequestContext(app, environ, session=session._get_current_object())
    inner.push()
    try:
        rule_request = inner.request
        if rule_request.routing_exception is not None or rule_request.url_rule is None:
            return None
        args = dict(rule_request.view_args or {})
        args.pop("lid", None)  # the launch is g.launch already (shared with this request)
        try:
            rv = app.view_functions[rule_request.url_rule.endpoint](**args)
        except (LaunchRefused, HTTPException):
            return None  # the page itself will say so
        return app.make_response(rv)
    finally:
        inner.pop()
