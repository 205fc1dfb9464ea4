"""The web workbench on PostgreSQL as deployed: the server connects with its own login
(granted by `db grant`), mapped to a user of role ``web``, and acts as the people who log
in with their passwords; the audit trigger accepts their names from that login only
(migration 0025), and the trail records the login the act came through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import AuditEvent
from edi_posting.web.app import create_app
from edi_posting.web.settings import WebSettings
from tests.pg_roles import application_login
from tests.test_web_login import PASSWORD, Web, csrf, web  # noqa: F401  (the fixture)


@pytest.fixture
def service(backend: str, database_url: str) -> Iterator[tuple[str, str]]:
    """(login role, URL) of the workbench's own database login, not yet mapped."""
    if backend != "postgresql":
        pytest.skip("the audit trigger and database logins are PostgreSQL's")
    with application_login(database_url, "web") as found:
        yield found


def _events(web: Web, action: str) -> list[tuple[str, str, str | None]]:
    with web.practice.engine.connect() as conn:
        return [(e.actor, e.outcome, e.db_login) for e in conn.execute(
            select(AuditEvent).where(AuditEvent.action == action)
            .order_by(AuditEvent.sequence))]


def _log_in_and_read(url: str, name: str) -> tuple[int, int]:
    app = create_app(url, WebSettings(secure_cookies=False))
    try:
        client = app.test_client()
        login = client.post("/login", data={"name": name, "password": PASSWORD.format(name),
                                             "csrf_token": csrf(client)})
        return login.status_code, client.get("/queue").status_code
    finally:
        app.extensions["edi_posting.server"].close()


def test_a_login_mapped_to_a_web_user_acts_as_the_person_who_logged_in(
        service: tuple[str, str], web: Web, as_user: Any) -> None:
    role, url = service
    edi_posting.add_user(as_user("ada"), "workbench", "web", login=role)
    assert _log_in_and_read(url, "sam") == (302, 200)
    assert _events(web, "web.login") == [("sam", "ok", role)]
    assert _events(web, "queue.list") == [("sam", "ok", role)]


def test_a_login_mapped_to_a_person_cannot_act_as_someone_else_through_the_workbench(
        service: tuple[str, str], web: Web, as_user: Any) -> None:
    role, url = service
    edi_posting.add_user(as_user("ada"), "pat2", "poster", login=role)
    assert _log_in_and_read(url, "sam") == (500, 302)  # the database refused the event
    assert _events(web, "web.login") == []


def test_the_web_user_itself_cannot_log_in_and_grants_nothing(
        service: tuple[str, str], web: Web, as_user: Any) -> None:
    role, url = service
    ada = as_user("ada")
    edi_posting.add_user(ada, "workbench", "web", login=role)
    edi_posting.set_password(ada, "workbench", PASSWORD.format("workbench"))
    assert _log_in_and_read(url, "workbench") == (401, 302)
    assert _events(web, "web.login") == [("workbench", "refused", role)]
