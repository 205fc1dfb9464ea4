"""What a refused or failed request shows: the engine's own message, with the HTTP status
that says what kind of answer it is (403 refused, 404 not found, 400 not possible)."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

import edi_posting

__all__ = ["install"]


def install(app: Flask) -> None:
    app.register_error_handler(edi_posting.PermissionDeniedError, _refused)
    app.register_error_handler(edi_posting.NotFoundError, _not_found)
    app.register_error_handler(LookupError, _not_found)
    app.register_error_handler(edi_posting.ActionError, _not_possible)
    app.register_error_handler(ValueError, _not_possible)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(400, _bad_request)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(403, _refused)


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    return render_template("error.html", title=title, message=message), status


def _refused(exc: Exception) -> tuple[str, int]:
    return _page(403, "Not allowed", str(exc) or "your role does not allow this")


def _not_found(exc: Exception) -> tuple[str, int]:
    return _page(404, "Not found", str(getattr(exc, "description", "") or exc))


def _not_possible(exc: Exception) -> tuple[str, int]:
    return _page(400, "Not possible", str(exc))


def _bad_request(exc: Exception) -> tuple[str, int]:
    return _page(400, "Not possible", str(getattr(exc, "description", "") or exc))


def _csrf(exc: CSRFError) -> tuple[str, int]:
    return _page(400, "Form expired", "the form's security token is missing or wrong: "
                 "reload the page and try again")
