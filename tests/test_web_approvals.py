"""The approvals screen of the web workbench: a refund above the limit asked for on the
case screen waits for a second person, who sees it on /approvals, previews what approving
would post and posts it once; the requester never decides their own; a rejection needs a
note and posts nothing; every route for every role."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import Refund
from tests.test_approvals import _denied_300
from tests.test_queue_money import _paid_twice, item
from tests.test_web_login import Web, csrf, web  # noqa: F401  (the fixture)
from tests.test_web_screens import ROLES, _entries
from tests.x835 import Practice

MAY_APPROVE = {"ada", "leo"}
_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _ask_refund(web: Web, practice: Practice, who: str, amount: str | None = None  # noqa: F811
                ) -> tuple[int, FlaskClient]:
    """``who`` refunds the payer's 100.00 credit on the case screen (preview, then post):
    above the refund limit (0.00), so it waits for approval."""
    ident = _paid_twice(practice)
    client = web.login(who)
    token = csrf(client, f"/case/{ident}")
    fields = {"csrf_token": token, "verb": "refund", "f_reason": "paid twice"}
    preview = client.post(f"/case/{ident}/preview",
                          data=fields | ({"f_amount": amount} if amount else {}))
    assert preview.status_code == 200, preview.text
    once = _TOKEN.search(preview.text)
    assert once is not None
    posted = client.post(f"/case/{ident}/post", data={"csrf_token": token,
                                                      "token": once.group(1)})
    asked = re.search(r"waits for approval (\d+)", posted.text)
    assert asked is not None  # its id: a PostgreSQL sequence moved on in the dry run too
    assert 'data-test="to-approvals"' in posted.text
    return ident, int(asked.group(1)), client


def _refunds(practice: Practice) -> list[tuple[int, str | None]]:
    with practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(Refund.amount_cents, Refund.approved_by).order_by(Refund.id))]


def _preview(client: FlaskClient, approval: int, **extra: str) -> Any:
    return client.post(f"/approvals/{approval}/preview",
                       data={"csrf_token": csrf(client, "/approvals"), **extra})


def test_a_refund_asked_on_the_case_is_approved_by_a_second_person_and_posts_once(
        web: Web, practice: Practice) -> None:  # noqa: F811
    ident, a, sam = _ask_refund(web, practice, "sam")
    assert practice.balances("PCN1") == ("-100.00", "0.00") and _refunds(practice) == []
    assert 'data-test="to-approvals"' in sam.get(f"/case/{ident}").text
    assert f'data-test="yours-{a}"' in sam.get("/approvals").text
    leo = web.login("leo")
    assert 'data-test="approvals-badge">1</span>' in leo.get("/approvals/count").text
    page = leo.get("/approvals").text
    assert f'data-test="approval-{a}"' in page and "paid twice" in page and ">100.00<" in page
    before = _entries(practice)
    preview = _preview(leo, a, note="checked the EOB")
    assert preview.status_code == 200, preview.text
    assert "(dry run, nothing written) would: refund" in preview.text
    fragment = leo.post(f"/approvals/{a}/preview", headers={"HX-Request": "true"},
                        data={"csrf_token": csrf(leo, "/approvals")})
    assert fragment.text.lstrip().startswith('<section class="preview"'), fragment.text
    assert "would post refund" in preview.text
    assert _entries(practice) == before and _refunds(practice) == []
    once = _TOKEN.search(preview.text)
    assert once is not None
    posted = [leo.post("/approvals/post", data={"csrf_token": csrf(leo, "/approvals"),
                                                "token": once.group(1)}) for _ in range(2)]
    assert (f"approved by leo (approval {a}, requested by sam): checked the EOB"
            in posted[0].text)
    assert "Already posted: review item" in posted[1].text
    assert _entries(practice) == before + 1 and _refunds(practice) == [(10000, "leo")]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert item(practice, ident)[0] == "resolved"
    assert web.audited("queue.approve") == [("leo", "ok", str(a))]
    assert edi_posting.check_ledger(edi_posting.web_session(
        web.app.extensions["edi_posting.server"], "ada")).ok
    assert leo.get("/approvals/count").text == ""


def test_the_requester_cannot_approve_their_own_and_a_specialist_cannot_approve(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _, a, leo = _ask_refund(web, practice, "leo")
    page = leo.get("/approvals").text
    assert f'data-test="yours-{a}"' in page and f'data-test="approval-{a}"' not in page
    own = _preview(leo, a)
    assert own.status_code == 403
    assert f"approval {a} was requested by leo; a different user holding" in own.text
    sam = _preview(web.login("sam"), a)
    assert sam.status_code == 403 and "permission denied (approve)" in sam.text
    assert web.audited("queue.approve") == [("leo", "refused", str(a)),
                                            ("sam", "refused", str(a))]
    assert practice.balances("PCN1") == ("-100.00", "0.00") and _refunds(practice) == []


def test_a_rejection_needs_a_note_posts_nothing_and_cannot_be_approved_later(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    ident, a, _ = _ask_refund(web, practice, "sam")
    leo = web.login("leo")
    token = csrf(leo, "/approvals")
    assert leo.post(f"/approvals/{a}/reject", data={"csrf_token": token}).status_code == 400
    assert leo.post(f"/approvals/{a}/reject", data={"note": "no token"}).status_code == 400
    rejected = leo.post(f"/approvals/{a}/reject", data={"csrf_token": token,
                                                     "note": "payer will recoup by PLB"})
    assert rejected.status_code == 200
    assert f"approval {a} rejected: payer will recoup by PLB" in rejected.text
    late = _preview(leo, a)
    assert late.status_code == 400 and f"approval {a} is rejected already" in late.text
    assert practice.balances("PCN1") == ("-100.00", "0.00") and _refunds(practice) == []
    [decided] = edi_posting.list_approvals(as_user("ada"), status="rejected")
    assert (decided["decided_by"], decided["decision_note"]) == (
        "leo", "payer will recoup by PLB")
    assert item(practice, ident) == ("open", 10000)


def test_approving_without_the_csrf_token_is_refused_and_posts_nothing(
        web: Web, practice: Practice) -> None:  # noqa: F811
    _, a, _ = _ask_refund(web, practice, "sam")
    leo = web.login("leo")
    assert leo.post(f"/approvals/{a}/preview", data={}).status_code == 400
    preview = _preview(leo, a)
    once = _TOKEN.search(preview.text)
    assert once is not None
    assert leo.post("/approvals/post", data={"token": once.group(1)}).status_code == 400
    assert _refunds(practice) == []


def test_a_token_from_a_case_preview_approves_nothing(web: Web, practice: Practice) -> None:  # noqa: F811
    ident, _, sam = _ask_refund(web, practice, "sam")
    preview = sam.post(f"/case/{ident}/preview", data={
        "csrf_token": csrf(sam, f"/case/{ident}"), "verb": "note", "f_text": "seen"})
    once = _TOKEN.search(preview.text)
    assert once is not None
    replay = sam.post("/approvals/post", data={"csrf_token": csrf(sam, "/approvals"),
                                               "token": once.group(1)})
    assert "nothing was posted again" in replay.text and _refunds(practice) == []


@pytest.mark.parametrize("name", ROLES)
def test_every_role_sees_the_approvals_page_audited_and_only_approvers_decide(
        web: Web, practice: Practice, name: str) -> None:  # noqa: F811
    _, a, _ = _ask_refund(web, practice, "sam")
    client = web.login(name)
    page = client.get("/approvals")
    assert page.status_code == 200
    assert web.audited("queue.approvals")[-1] == (name, "ok", None)
    shown = f'data-test="approval-{a}"' in page.text
    assert ('hx-get="/approvals/count"' in page.text) is (name in MAY_APPROVE)
    assert 'id="nav-approvals"' in page.text and 'id="nav-reports"' in page.text
    badge = client.get("/approvals/count")
    assert badge.status_code == 200
    preview = _preview(client, a)
    reject = client.post(f"/approvals/{a}/reject", data={"csrf_token": csrf(client, "/approvals"),
                                                      "note": "no"})
    if name in MAY_APPROVE:
        assert shown and ">1</span>" in badge.text
        assert preview.status_code == 200 and reject.status_code == 200
        return
    assert not shown and badge.text == ""
    assert (preview.status_code, reject.status_code) == (403, 403)
    refused = [(name, "refused", str(a))]
    assert web.audited("queue.approve") == refused
    assert web.audited("queue.reject-approval") == refused
    assert _refunds(practice) == []


def test_an_over_limit_write_off_is_approved_on_the_screen_at_the_amount_asked(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    ident = _denied_300(practice)
    asked = edi_posting.write_off(as_user("sam"), ident, "CO-16", amount_cents=15000)
    approval = int(re.findall(r"waits for approval (\d+)", asked.message)[0])
    leo = web.login("leo")
    page = leo.get("/approvals").text
    assert f'data-test="approval-{approval}"' in page and ">150.00<" in page
    preview = _preview(leo, approval)
    assert "would post write_off" in preview.text
    assert practice.balances("PCN1") == ("300.00", "0.00")
    once = _TOKEN.search(preview.text)
    assert once is not None
    done = leo.post("/approvals/post", data={"csrf_token": csrf(leo, "/approvals"),
                                             "token": once.group(1)})
    assert "wrote off 150.00 of claim PCN1" in done.text
    assert practice.balances("PCN1") == ("150.00", "0.00")
