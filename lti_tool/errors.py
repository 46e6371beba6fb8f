"""Error pages: every failure a user can meet is a translated page with an error id."""

from __future__ import annotations

import uuid

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from .lti.errors import HINTS, LaunchRefused


def _error_id() -> str:
    return uuid.uuid4().hex[:12]


def _render(status: int, title, message, hint=None, *, error_id: str, new_window_url: str | None = None, code: str | None = None):
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=title,
            message=message,
            hint=hint,
            error_id=error_id,
            new_window_url=new_window_url,
            code=code,
        ),
        status,
    )


def _rollback(eid: str) -> None:
    try:
        from .extensions import db

        db.session.rollback()
    except Exception:  # the database may be what failed; the page must still render
        current_app.logger.warning("rollback after error %s failed", eid)


def init_app(app) -> None:
    @app.errorhandler(LaunchRefused)
    def launch_refused(exc: LaunchRefused):
        eid = _error_id()
        # The detail never holds a token; the form is not logged at all.
        current_app.logger.warning(
            "refused code=%s status=%s error_id=%s path=%s detail=%s",
            exc.code, exc.refusal.status, eid, request.path, exc.detail,
        )
        r = exc.refusal
        return _render(r.status, r.title, r.message, HINTS[exc.code], error_id=eid, new_window_url=exc.new_window_url, code=exc.code)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        eid = _error_id()
        current_app.logger.warning("csrf refused error_id=%s path=%s reason=%s", eid, request.path, exc.description)
        return _render(
            400,
            _("This form has expired"),
            _("For your safety Erbij did not save this form: it was open too long or came from another page."),
            _("Go back, reload the page and try again. What you typed is still in the form when you go back."),
            error_id=eid,
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        eid = _error_id()
        titles = {
            400: _("Something in this request is not right"),
            403: _("You do not have access to this page"),
            404: _("This page does not exist"),
            405: _("This page cannot be used this way"),
            413: _("That is too much to send at once"),
            429: _("Too many requests; wait a moment"),
        }
        current_app.logger.info("http error %s error_id=%s path=%s", exc.code, eid, request.path)
        return _render(
            exc.code or 500,
            titles.get(exc.code, _("Something went wrong")),
            _("Open the activity again from your course."),
            error_id=eid,
        )

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: Exception):
        eid = _error_id()
        current_app.logger.error("database unavailable error_id=%s path=%s error=%s", eid, request.path, type(exc).__name__)
        _rollback(eid)
        page, status = _render(
            503,
            _("Erbij is briefly unavailable"),
            _("Erbij could not reach its database, so nothing from this request was saved."),
            _("Try again in a minute: what you typed is still in the form when you go back."),
            error_id=eid,
        )
        return page, status, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        eid = _error_id()
        current_app.logger.exception("unexpected error error_id=%s path=%s", eid, request.path)
        if isinstance(exc, DBAPIError) and exc.connection_invalidated:
            return database_unavailable(exc)
        _rollback(eid)
        return _render(
            500,
            _("Something went wrong on our side"),
            _("Erbij could not finish this. Nothing you saved earlier is lost."),
            _("Try again in a minute. If it keeps happening, give your LMS administrator the error id below."),
            error_id=eid,
        )
