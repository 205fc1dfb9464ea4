"""Guessing a password costs a lockout (issue 27, the workbench's logins): 5 failed logins
of one name, or 20 from one remote address, within 15 minutes lock it for 15 minutes; a
locked attempt is refused with 429 unheard (a right password too) and audited as refused
with its reason; a success clears the name's failures.  Time is the test's clock."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import AuditEvent
from edi_posting.web.settings import WebSettings
from tests.test_web_login import PASSWORD, Web, csrf, web  # noqa: F401  (the fixture)
from tests.x835 import Practice


def _try(client: FlaskClient, name: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": csrf(client)},
                       environ_base={"REMOTE_ADDR": address})


def _refusals(web: Web) -> list[tuple[str, str | None]]:  # noqa: F811
    """(actor, reason) of each refused web login, oldest first."""
    with web.practice.engine.connect() as conn:
        return [(e.actor, (e.summary or {}).get("reason")) for e in conn.execute(
            select(AuditEvent).where(AuditEvent.action == "web.login",
                                     AuditEvent.outcome == "refused")
            .order_by(AuditEvent.sequence))]


def test_five_failed_logins_lock_the_name_even_against_the_right_password(
        web: Web) -> None:  # noqa: F811
    client = web.client()
    assert [_try(client, "sam", "guess").status_code for _ in range(5)] == [401] * 5
    locked = _try(client, "sam", PASSWORD.format("sam"))
    assert locked.status_code == 429
    assert ("Too many failed logins for this name: logins are refused for 15 more minutes."
            in locked.text)
    assert locked.headers["Retry-After"] == "900"
    assert client.get("/queue").status_code == 302  # not logged in
    assert _refusals(web) == [("sam", "unknown user or wrong password")] * 5 + [
        ("sam", "too many failed logins for this name")]
    assert web.audited("web.login")[-1] == ("sam", "refused", "sam")
    assert _try(web.client(), "SAM ", "guess").status_code == 429  # the same name
    assert web.login("leo").get("/queue").status_code == 200  # another name is not locked


def test_the_lock_ends_after_15_minutes(web: Web) -> None:  # noqa: F811
    client = web.client()
    for _ in range(5):
        _try(client, "sam", "guess")
    web.now[0] += 14 * 60
    late = _try(client, "sam", PASSWORD.format("sam"))
    assert late.status_code == 429 and "refused for 1 more minute." in late.text
    web.now[0] += 60
    assert _try(client, "sam", PASSWORD.format("sam")).status_code == 302


def test_failures_older_than_15_minutes_no_longer_count(web: Web) -> None:  # noqa: F811
    client = web.client()
    for _ in range(4):
        _try(client, "sam", "guess")
    web.now[0] += 15 * 60
    assert _try(client, "sam", "guess").status_code == 401
    assert _try(client, "sam", PASSWORD.format("sam")).status_code == 302


def test_a_successful_login_clears_the_names_failures(web: Web) -> None:  # noqa: F811
    client = web.client()
    for _ in range(4):
        _try(client, "sam", "guess")
    assert _try(client, "sam", PASSWORD.format("sam")).status_code == 302
    other = web.client()
    assert [_try(other, "sam", "guess").status_code for _ in range(4)] == [401] * 4
    assert _try(other, "sam", PASSWORD.format("sam")).status_code == 302


def test_twenty_failures_from_one_address_lock_the_address_for_every_name(
        web: Web) -> None:  # noqa: F811
    client = web.client()
    for n in range(20):  # 20 names, 1 failure each: no name reaches its limit
        assert _try(client, f"guess{n}", "guess", "10.0.0.9").status_code == 401
    refused = _try(client, "ada", PASSWORD.format("ada"), "10.0.0.9")
    assert refused.status_code == 429
    assert "Too many failed logins from this address" in refused.text
    assert _refusals(web)[-1] == ("ada", "too many failed logins from this address")
    with web.practice.engine.connect() as conn:
        last = conn.execute(select(AuditEvent.summary).where(AuditEvent.action == "web.login")
                            .order_by(AuditEvent.sequence.desc()).limit(1)).scalar_one()
    assert last["remote_address"] == "10.0.0.9"
    assert _try(web.client(), "ada", PASSWORD.format("ada"), "10.0.0.10").status_code == 302


def test_a_login_without_its_csrf_token_is_refused_and_counts_nothing(
        web: Web) -> None:  # noqa: F811
    client = web.client()
    for _ in range(6):
        refused = client.post("/login", data={"name": "sam", "password": "guess"})
        assert refused.status_code == 400
    assert _refusals(web) == []
    assert web.login("sam").get("/queue").status_code == 200


def test_the_limits_are_settings(practice: Practice, database_url: str) -> None:
    from edi_posting.web.app import create_app

    settings = WebSettings(secure_cookies=False, login_attempts=2, login_lock_minutes=1)
    app = create_app(database_url, settings)
    try:
        client = app.test_client()
        assert [_try(client, "sam", "guess").status_code for _ in range(3)] == [401, 401, 429]
        assert _try(client, "sam", "guess").headers["Retry-After"] == "60"
    finally:
        app.extensions["edi_posting.server"].close()


def test_serve_takes_the_limits_from_its_options_and_their_environment_twins(
        practice: Practice, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    import edi_posting.web.app

    seen: list[WebSettings] = []

    def create_app(url: str | None, settings: WebSettings) -> object:
        seen.append(settings)
        return object()

    monkeypatch.setattr(edi_posting.web.app, "create_app", create_app)
    monkeypatch.setattr(waitress, "serve", lambda *args, **kwargs: None)
    env = {"EDI_POSTING_SERVE_LOGIN_ATTEMPTS": "3"}
    result = CliRunner().invoke(main, ["--db", database_url, "serve",
                                       "--login-lock-minutes", "30"], env=env)
    assert result.exit_code == 0, result.output
    assert (seen[0].login_attempts, seen[0].login_lock_minutes) == (3, 30)
    help_text = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "EDI_POSTING_SERVE_LOGIN_ATTEMPTS" in help_text
    assert "EDI_POSTING_SERVE_LOGIN_LOCK_MINUTES" in help_text
    assert "edi-posting serve --login-attempts 3 --login-lock-minutes 30" in help_text
