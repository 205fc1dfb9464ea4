"""The web workbench's front door: people log in with their own password, idle logins end,
every form needs its CSRF token, and every response carries the security headers.

The helpers here (``web``, ``Web``) are shared by the other ``tests/test_web_*.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import AuditEvent
from edi_posting.web.app import create_app
from edi_posting.web.settings import WebSettings
from tests.conftest import USERS
from tests.x835 import Practice

PASSWORD = "correct horse {}"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Web:
    app: Flask
    practice: Practice
    now: list[float] = field(default_factory=lambda: [1_000_000.0])

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def login(self, name: str) -> FlaskClient:
        client = self.client()
        response = client.post("/login", data={"name": name, "password": PASSWORD.format(name),
                                               "csrf_token": csrf(client)})
        assert response.status_code == 302, response.text
        return client

    def audited(self, action: str) -> list[tuple[str, str, str | None]]:
        """(actor, outcome, object id) of each audit event of ``action``, oldest first."""
        with self.practice.engine.connect() as conn:
            return [(e.actor, e.outcome, e.object_id) for e in conn.execute(
                select(AuditEvent).where(AuditEvent.action == action)
                .order_by(AuditEvent.sequence))]


def csrf(client: FlaskClient, path: str = "/login") -> str:
    match = _TOKEN.search(client.get(path).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def web(practice: Practice, as_user: Any, database_url: str) -> Iterator[Web]:
    """The workbench over the practice's database, its clock in the test's hands, and a
    password for each of conftest's users (one per role)."""
    ada = as_user("ada")
    for name, _ in USERS:
        edi_posting.set_password(ada, name, PASSWORD.format(name))
    holder = Web(Flask(__name__), practice)
    holder.app = create_app(database_url, WebSettings(secure_cookies=False,
                                                      clock=lambda: holder.now[0]))
    yield holder
    holder.app.extensions["edi_posting.server"].close()


def test_a_person_logs_in_with_their_own_password_and_the_login_is_audited(web: Web) -> None:
    client = web.login("sam")
    page = client.get("/queue")
    assert page.status_code == 200 and "sam" in page.text and "Work queue" in page.text
    assert web.audited("web.login") == [("sam", "ok", "sam")]


def test_a_wrong_password_is_refused_and_audited_as_refused(web: Web) -> None:
    client = web.client()
    response = client.post("/login", data={"name": "sam", "password": "guess",
                                           "csrf_token": csrf(client)})
    assert response.status_code == 401
    assert "the name or the password is wrong" in response.text
    assert client.get("/queue").status_code == 302
    assert web.audited("web.login") == [("sam", "refused", "sam")]


def test_a_page_without_a_login_sends_the_browser_to_the_login_form(web: Web) -> None:
    client = web.client()
    response = client.get("/case/1")
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    fragment = client.get("/queue", headers={"HX-Request": "true"})
    assert (fragment.status_code, fragment.headers["HX-Redirect"]) == (204, "/login")


def test_a_login_idle_longer_than_the_setting_is_logged_off_and_audited(web: Web) -> None:
    client = web.login("sam")
    web.now[0] += 14 * 60
    assert client.get("/queue").status_code == 200  # a request restarts the idle time
    web.now[0] += 15 * 60 + 1
    response = client.get("/queue")
    assert (response.status_code, response.headers["Location"]) == (302, "/login?idle=1")
    assert "logged off after a time without activity" in client.get("/login?idle=1").text
    assert client.get("/queue").status_code == 302
    assert web.audited("web.logout") == [("sam", "ok", "sam")]


def test_logout_ends_the_login_for_good_even_for_a_copy_of_the_old_cookie(web: Web) -> None:
    client = web.login("sam")
    cookie = client.get_cookie("edi_posting_session")
    assert cookie is not None
    response = client.post("/logout", data={"csrf_token": csrf(client, "/queue")})
    assert (response.status_code, response.headers["Location"]) == (302, "/login")
    replay = web.client()
    replay.set_cookie("edi_posting_session", cookie.value)
    assert replay.get("/queue").status_code == 302
    assert web.audited("web.logout") == [("sam", "ok", "sam")]


def test_a_form_posted_without_its_csrf_token_is_refused(web: Web) -> None:
    client = web.client()
    refused = client.post("/login", data={"name": "sam", "password": PASSWORD.format("sam")})
    assert refused.status_code == 400 and "security token" in refused.text
    assert web.audited("web.login") == []
    client = web.login("sam")
    assert client.post("/logout").status_code == 400
    assert client.get("/queue").status_code == 200  # still logged in


def test_every_response_carries_the_security_headers(web: Web) -> None:
    client = web.login("sam")
    for path in ("/login", "/queue", "/static/app.js"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/queue").headers["Cache-Control"] == "no-store"
    assert client.get("/static/app.js").headers.get("Cache-Control") != "no-store"


@pytest.mark.parametrize(("host", "secure"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_session_cookie_is_httponly_strict_and_secure_off_loopback(
        web: Web, database_url: str, host: str, secure: bool) -> None:
    app = create_app(database_url, WebSettings.for_host(host))
    try:
        client = app.test_client()
        response = client.get("/login", base_url="https://workbench.example")
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert ("Secure" in cookie) is secure
    finally:
        app.extensions["edi_posting.server"].close()
