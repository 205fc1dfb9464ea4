"""Every page of the workbench for every role (issue 27, "every route x role"): each GET
route without URL parameters, found in the application's own URL map, so that a screen
added later is covered without editing this test, answers every role 200 or 403 (never a
500), and each page it shows (every page but the login form shows PHI or the queue)
writes an audit event in the reader's name; a 403 is on the audit trail as a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from edi_posting.db.models import AuditEvent
from tests.conftest import USERS
from tests.test_queue_money import OFFICE_VISIT, PAID_WITH_SHARES, item_id
from tests.test_web_login import Web, web  # noqa: F401  (the fixture)
from tests.x835 import Practice, clp, remit, svc

#: endpoints whose page shows no one's data: the login form, the reports' catalogue (names
#: and what each answers), the approvals badge (a count) and the empty upload form
NO_PHI = frozenset({"auth.login", "reports.catalogue", "approvals.count",
                    "uploads.upload_form"})
OPEN = frozenset({"auth.login"})  # the only page shown without a login


def _pages(web: Web) -> list[tuple[str, str]]:  # noqa: F811
    """(path, endpoint) of every GET route taking no URL parameter, static files aside."""
    return sorted((rule.rule, rule.endpoint) for rule in web.app.url_map.iter_rules()
                  if "GET" in (rule.methods or set()) and not rule.arguments
                  and rule.endpoint != "static")


def _events(web: Web, name: str) -> list[tuple[int, str, str]]:  # noqa: F811
    with web.practice.engine.connect() as conn:
        return [(e.sequence, e.action, e.outcome) for e in conn.execute(
            select(AuditEvent).where(AuditEvent.actor == name).order_by(AuditEvent.sequence))]


def _seed(practice: Practice) -> None:
    """An unmatched payment and a denial: every screen has something to show."""
    practice.receive(remit("64", PAID_WITH_SHARES))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))
    practice.bill_unanswered(("PCN2", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN2", "4", "100", "0", "0", "ICN-PCN2",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON",
                           trace="TRACE-PCN2"))
    assert item_id(practice, "unmatched_payment") and item_id(practice, "denial")


def test_the_walk_finds_the_workbenchs_pages(web: Web) -> None:  # noqa: F811
    pages = dict(_pages(web))
    assert {"/", "/queue", "/login"} <= set(pages)
    assert all("<" not in path for path in pages)


def _wrong_pages(web: Web, client: FlaskClient, name: str) -> list[str]:  # noqa: F811
    """Each page that answers ``name`` other than 200 or 403, or is not audited."""
    wrong: list[str] = []
    for path, endpoint in _pages(web):
        before = len(_events(web, name))
        response = client.get(path, follow_redirects=True)
        written = _events(web, name)[before:]
        if response.status_code not in (200, 403):
            wrong.append(f"{path}: {response.status_code}")
        elif response.status_code == 403 and not any(o == "refused" for _, _, o in written):
            wrong.append(f"{path}: 403 not audited as a refusal")
        elif (response.status_code == 200 and endpoint not in NO_PHI
              and not any(o == "ok" for _, _, o in written)):
            wrong.append(f"{path}: shown with no audit event")
    return wrong


@pytest.mark.parametrize("name", [name for name, _ in USERS])
def test_every_page_answers_every_role_200_or_403_and_each_page_shown_is_audited(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    _seed(practice)
    assert _wrong_pages(web, web.login(name), name) == []


def test_a_page_added_later_is_walked_too(web: Web, practice: Practice) -> None:  # noqa: F811
    """The walk reads the URL map: a route registered after the fact is checked, and a
    page that fails or shows data without auditing it is reported."""
    web.app.add_url_rule("/later/unaudited", "later_unaudited", lambda: "a patient's name")
    web.app.add_url_rule("/later/broken", "later_broken", lambda: 1 / 0)
    web.app.config["PROPAGATE_EXCEPTIONS"] = False
    assert _wrong_pages(web, web.login("sam"), "sam") == [
        "/later/broken: 500", "/later/unaudited: shown with no audit event"]


def test_a_page_without_a_login_shows_nothing_and_audits_nothing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _seed(practice)
    client = web.client()
    with practice.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    for path, endpoint in _pages(web):
        response = client.get(path)
        if endpoint in OPEN:
            assert response.status_code == 200, path
        else:
            assert (response.status_code, response.headers["Location"]) == (302, "/login")
    with practice.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == before
