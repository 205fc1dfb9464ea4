"""The application factory: one Flask app over one database, for ``serve`` and the tests."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

import edi_posting
from edi_posting.web import approvals as approval_views
from edi_posting.web import auth, claims, errors, imports, queue, security, uploads
from edi_posting.web import case as case_views
from edi_posting.web import reconcile as reconcile_views
from edi_posting.web import reports as report_views
from edi_posting.web.eob import blueprint as eob_blueprint
from edi_posting.web.logins import LoginRegistry
from edi_posting.web.settings import WebSettings, login_throttle

__all__ = ["create_app"]

_HERE = Path(__file__).resolve().parent


def create_app(database_url: str | None, settings: WebSettings | None = None) -> Flask:
    """The workbench over ``database_url`` (None: the default SQLite file).  The server's
    own session holds the database connection; people act through it as themselves."""
    settings = settings or WebSettings()
    app = Flask("edi_posting.web", template_folder=str(_HERE / "templates"),
                static_folder=str(_HERE / "static"))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="edi_posting_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,  # the login's idle logoff bounds a token's life
        MAX_CONTENT_LENGTH=settings.upload_max_mb * 1024 * 1024,  # uploads (413 beyond)
    )
    app.extensions["edi_posting.server"] = edi_posting.open_session(database_url)
    app.extensions["edi_posting.logins"] = LoginRegistry(settings.clock,
                                                         settings.idle_minutes * 60,
                                                         login_throttle(settings))
    app.extensions["edi_posting.settings"] = settings
    CSRFProtect(app)
    security.install(app)
    auth.install(app)
    errors.install(app)
    for blueprint in (auth.blueprint, queue.blueprint, case_views.blueprint,
                      claims.blueprint, imports.blueprint, uploads.blueprint, eob_blueprint,
                      reconcile_views.blueprint, report_views.blueprint,
                      approval_views.blueprint):
        app.register_blueprint(blueprint)
    return app
