"""Erbij: wise feedback and a weekly belonging check-in, inside the LMS (LTI 1.3)."""

from __future__ import annotations

import os

from flask import Flask, g

from .config import load_config
from .extensions import babel, cache, csrf, db, migrate

# Feature blueprints, each a package with blueprint.py exposing `bp`.
FEATURES = ("lti_tool.checkin.blueprint", "lti_tool.feedback.blueprint", "lti_tool.admin.blueprint")


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by `config` (tests)."""
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=os.environ.get("ERBIJ_INSTANCE_PATH") or os.path.join(os.path.dirname(os.path.dirname(__file__)), "instance"),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    from . import serving

    if not app.debug and not app.testing:
        serving.configure_logging(app)

    from . import models  # noqa: F401  (registers the models with SQLAlchemy)
    from .i18n import install_template_gettext, select_locale

    db.init_app(app)
    from . import db_liveness, psycopg_tuning, transactions

    db_liveness.init_app(app)
    psycopg_tuning.init_app(app)
    transactions.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    csrf.init_app(app)
    from . import signed

    signed.init_app(app)  # after Flask-WTF: templates make its token with signed.csrf_token
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    cache.init_app(app)

    from . import errors, health, input_safety, session_cookie
    from .lti import context
    from .lti.registration_views import bp as lti_registration_bp
    from .lti.views import bp as lti_bp

    input_safety.init_app(app)
    session_cookie.init_app(app)
    serving.init_app(app)
    context.init_app(app)
    errors.init_app(app)
    app.register_blueprint(lti_bp)
    app.register_blueprint(lti_registration_bp)
    app.register_blueprint(health.bp)
    _register_features(app)

    from .cli import register_cli

    register_cli(app)
    _warn_uncompiled_catalogues(app)

    from flask_babel import get_locale

    app.jinja_env.globals["get_locale"] = get_locale

    @app.context_processor
    def _inject_launch():
        return {"launch": g.get("launch")}

    return app


def _warn_uncompiled_catalogues(app: Flask) -> None:
    """A catalogue without its .mo serves English to Dutch users: say so at start-up."""
    from .translations_build import catalogue_files

    missing = [str(po) for po in catalogue_files() if not po.with_suffix(".mo").exists()]
    if missing:
        app.logger.warning("translations not compiled (run `python -m lti_tool.translations_build`): %s", ", ".join(missing))


def _register_features(app: Flask) -> None:
    import importlib

    for name in FEATURES:
        app.register_blueprint(importlib.import_module(name).bp)
