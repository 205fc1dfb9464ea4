"""Logging in and out, the idle logoff, and the session each request acts through.

Every page but the login form and the static files needs a live login: a request without
one is sent to the login form (an HTMX request through ``HX-Redirect``, so that the whole
page changes, not a fragment of it).
"""

from __future__ import annotations

from typing import Any, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

import edi_posting
from edi_posting.web.logins import LockedBy, LoginLock, LoginRegistry, WebLogin

__all__ = ["api_session", "blueprint", "current_login", "install", "registry", "server"]

blueprint = Blueprint("auth", __name__)
_OPEN_ENDPOINTS = frozenset({"auth.login", "static"})


def server() -> edi_posting.Session:
    return cast(edi_posting.Session, current_app.extensions["edi_posting.server"])


def registry() -> LoginRegistry:
    return cast(LoginRegistry, current_app.extensions["edi_posting.logins"])


def current_login() -> WebLogin:
    return cast(WebLogin, g.login)


def api_session() -> edi_posting.Session:
    """The request's session: the logged-in user, through the server's connection."""
    if "api_session" not in g:
        g.api_session = edi_posting.web_session(server(), current_login().user)
    return cast(edi_posting.Session, g.api_session)


def install(app: Flask) -> None:
    app.before_request(_require_login)
    app.context_processor(lambda: {"login": g.get("login")})


def _require_login() -> Any:
    if request.endpoint in _OPEN_ENDPOINTS or request.endpoint is None:
        return None
    login, idled = registry().find(session.get("sid"))
    if idled is not None:
        edi_posting.web_logout(edi_posting.web_session(server(), idled.user),
                               edi_posting.WebLogout.IDLE)
        session.clear()
        return _to_login("You were logged off after a time without activity.")
    if login is None:
        session.clear()
        return _to_login(None)
    g.login = login
    return None


def _to_login(message: str | None) -> Any:
    target = url_for("auth.login", idle=1) if message else url_for("auth.login")
    if request.headers.get("HX-Request"):
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; a right name and password start a login and open the queue."""
    if request.method == "GET":
        notice = "You were logged off after a time without activity." if request.args.get(
            "idle") else None
        return render_template("login.html", notice=notice)
    name, address = request.form.get("name", ""), request.remote_addr or "-"
    throttle = registry().throttle
    lock = throttle.locked(name, address)
    if lock is not None:
        return _locked_out(name, address, lock)
    try:
        user_session = edi_posting.web_login(server(), name, request.form.get("password", ""))
    except edi_posting.LoginRefusedError as exc:
        throttle.failed(name, address)
        return render_template("login.html", error=str(exc), name=name), 401
    throttle.succeeded(name)
    started = registry().add(user_session.actor, edi_posting.user_permissions(user_session))
    session.clear()
    session["sid"] = started.sid
    return redirect(url_for("queue.work_queue"))


def _locked_out(name: str, address: str, lock: LoginLock) -> Any:
    """429: the name or the address failed too often lately; the attempt is refused
    without checking its password, and audited as refused with the reason."""
    what = "for this name" if lock.by == LockedBy.NAME else "from this address"
    message = (f"Too many failed logins {what}: logins are refused for "
               f"{lock.minutes_left} more minute{'s' if lock.minutes_left != 1 else ''}.")
    edi_posting.web_login_locked(server(), name, f"too many failed logins {what}", address)
    page = render_template("login.html", error=message, name=name)
    return page, 429, {"Retry-After": str(lock.minutes_left * 60)}


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the login (a POST, CSRF-checked: a link elsewhere cannot log anyone out)."""
    ended = registry().remove(current_login().sid)
    if ended is not None:
        edi_posting.web_logout(api_session())
    session.clear()
    return redirect(url_for("auth.login"))
