"""The headers every response carries: nothing loads from elsewhere, nothing frames the
pages, and no page of PHI is kept in a cache or leaks its address to another site."""

from __future__ import annotations

from flask import Flask, Response, request

__all__ = ["CONTENT_SECURITY_POLICY", "install"]

CONTENT_SECURITY_POLICY = ("default-src 'self'; frame-ancestors 'none'; form-action 'self'; "
                           "base-uri 'none'; object-src 'none'")
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def install(app: Flask) -> None:
    app.after_request(_secure)


def _secure(response: Response) -> Response:
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):  # pages hold PHI: never cached
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
