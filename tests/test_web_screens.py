"""The web workbench's screens over the public API: every route for every role (allowed,
or refused with 403, and audited either way), the queue's filters and pages, the case's
actions previewed by their dry run and posted once, and the auditor's read-only view."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

import edi_posting
from edi_posting.db.models import JournalEntry
from tests.test_queue_money import OFFICE_VISIT, PAID_WITH_SHARES, item, item_id
from tests.test_web_login import Web, csrf, web  # noqa: F401  (the fixture)
from tests.x835 import Practice, clp, remit, svc

ROLES = ("ada", "sam", "pat", "leo", "aud")
MAY_RESOLVE = {"ada", "sam", "leo"}


def _unmatched(practice: Practice) -> int:
    """64.00 paid before its claim PCN1 was billed: an unmatched payment to apply."""
    practice.receive(remit("64", PAID_WITH_SHARES))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT))
    return item_id(practice, "unmatched_payment")


def _denied(practice: Practice, pcn: str = "PCN2") -> int:
    """A claim denied in full (CO-16), billed without matching waiting payments again."""
    practice.bill_unanswered((pcn, (("HC:99213", "100"),)))
    practice.receive(remit("0", clp(pcn, "4", "100", "0", "0", f"ICN-{pcn}",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON",
                             trace=f"TRACE-{pcn}"))
    return item_id(practice, "denial")


def _entries(practice: Practice) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one())


def _account(practice: Practice, as_user: Any) -> str:
    return str(edi_posting.show_claim(as_user("ada"), "PCN1")["account_number"])


@pytest.mark.parametrize("name", ROLES)
def test_every_role_reads_every_screen_and_each_read_is_audited(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:
    ident = _unmatched(practice)
    account = _account(practice, as_user)
    client = web.login(name)
    for path in ("/queue", f"/case/{ident}", "/claim/PCN1", f"/account/{account}"):
        assert client.get(path).status_code == 200, path
    assert (name, "ok", None) in web.audited("queue.list")
    assert web.audited("queue.show")[-1] == (name, "ok", str(ident))
    assert web.audited("claim.show")[-1] == (name, "ok", "PCN1")
    assert web.audited("history.claim")[-1] == (name, "ok", "PCN1")
    assert web.audited("account.show")[-1] == (name, "ok", account)


@pytest.mark.parametrize("name", ROLES)
def test_an_action_is_allowed_to_the_roles_that_resolve_and_refused_403_and_audited_else(
        web: Web, practice: Practice, name: str) -> None:
    ident = _unmatched(practice)
    client = web.login(name)
    token = csrf(client, f"/case/{ident}")
    preview = client.post(f"/case/{ident}/preview", data={
        "csrf_token": token, "verb": "apply", "f_claim": "PCN1"})
    assign = client.post("/queue/assign", data={"csrf_token": token, "item": str(ident)})
    if name in MAY_RESOLVE:
        assert preview.status_code == 200 and "would post apply" in preview.text
        assert assign.status_code == 302
        assert web.audited("queue.assign") == [(name, "ok", str(ident))]
    else:
        assert (preview.status_code, assign.status_code) == (403, 403)
        fragment = client.post(f"/case/{ident}/preview", headers={"HX-Request": "true"},
                               data={"csrf_token": token, "verb": "apply", "f_claim": "PCN1"})
        assert fragment.status_code == 403 and "<html" not in fragment.text
        assert "permission denied (resolve)" in fragment.text
        assert web.audited("queue.apply") == [(name, "refused", str(ident))] * 2
        assert web.audited("queue.assign") == [(name, "refused", str(ident))]
    assert item(practice, ident) == ("in_progress" if name in MAY_RESOLVE else "open", 6400)


def test_the_auditor_sees_everything_with_no_action_buttons(
        web: Web, practice: Practice) -> None:
    ident = _unmatched(practice)
    client = web.login("aud")
    case = client.get(f"/case/{ident}").text
    assert "name=\"verb\"" not in case and "Read only" in case
    assert "queue apply" in case  # the commands are still shown, as text
    queue = client.get("/queue").text
    assert 'name="item"' not in queue and ">Assign</button>" not in queue
    specialist = web.login("sam").get(f"/case/{ident}").text
    assert 'name="verb" value="apply"' in specialist


def test_a_money_action_shows_its_dry_run_and_a_double_submit_posts_it_once(
        web: Web, practice: Practice) -> None:
    ident = _unmatched(practice)
    client = web.login("sam")
    token = csrf(client, f"/case/{ident}")
    before = _entries(practice)
    preview = client.post(f"/case/{ident}/preview", data={
        "csrf_token": token, "verb": "apply", "f_claim": "PCN1"})
    assert "(dry run, nothing written) would: applied 64.00 to claim PCN1" in preview.text
    assert "would leave review item" in preview.text
    assert _entries(practice) == before and item(practice, ident) == ("open", 6400)
    once = re.search(r'name="token" value="([^"]+)"', preview.text)
    assert once is not None
    first = client.post(f"/case/{ident}/post", data={"csrf_token": token,
                                                     "token": once.group(1)})
    second = client.post(f"/case/{ident}/post", data={"csrf_token": token,
                                                      "token": once.group(1)})
    assert "review item" in first.text and "applied 64.00 to claim PCN1" in first.text
    assert "Already posted: review item" in second.text
    assert _entries(practice) == before + 1
    assert item(practice, ident) == ("resolved", 0)
    assert practice.balances("PCN1") == ("0.00", "16.00")


def test_a_token_from_another_login_posts_nothing(web: Web, practice: Practice) -> None:
    ident = _unmatched(practice)
    sam = web.login("sam")
    preview = sam.post(f"/case/{ident}/preview", data={
        "csrf_token": csrf(sam, f"/case/{ident}"), "verb": "apply", "f_claim": "PCN1"})
    once = re.search(r'name="token" value="([^"]+)"', preview.text)
    assert once is not None
    leo = web.login("leo")
    replay = leo.post(f"/case/{ident}/post", data={"csrf_token": csrf(leo, "/queue"),
                                                   "token": once.group(1)})
    assert "nothing was posted again" in replay.text
    assert item(practice, ident) == ("open", 6400)


def test_the_queue_filters_searches_sorts_and_pages(
        web: Web, practice: Practice, as_user: Any) -> None:
    unmatched, denial = _unmatched(practice), _denied(practice)
    web.app.extensions["edi_posting.settings"] = type(
        web.app.extensions["edi_posting.settings"])(per_page=1)
    client = web.login("sam")

    def ids(query: str) -> list[int]:
        page = client.get(f"/queue?{query}")
        assert page.status_code == 200, page.text
        return [int(i) for i in re.findall(r'<tr data-href="/case/(\d+)"', page.text)]

    everything = sorted((r["id"] for r in edi_posting.list_queue(as_user("ada"))),
                        reverse=True)
    assert ids("kind=denial") == [denial]
    assert [i for n in range(1, len(everything) + 1)
            for i in ids(f"sort=newest&page={n}")] == everything
    assert f"page 1 of {len(everything)}" in client.get("/queue").text
    assert ids("q=PCN2&by=pcn") == [denial]
    patient = edi_posting.show_claim(as_user("ada"), "PCN2")["patient"]["last_name"]
    assert ids(f"q={patient}&by=patient&sort=newest") == [denial]
    assert ids("amount=50&kind=unmatched_payment") == [unmatched]
    assert ids("amount=50&kind=denial") == [] and ids("amount=0&kind=denial") == [denial]
    assert "No claim matches" in client.get("/queue?q=NOBODY&by=patient").text
    assert client.get("/queue?kind=denials").status_code == 400
    assert client.get("/queue?amount=lots").status_code == 400
    client.post("/queue/assign", data={"csrf_token": csrf(client, "/queue"),
                                       "item": str(denial)})
    assert ids("mine=1") == [denial]


def test_the_claim_page_shows_lines_balances_and_the_timeline_with_its_sources(
        web: Web, practice: Practice) -> None:
    _denied(practice)
    page = web.login("leo").get("/claim/PCN2").text
    assert "HC:99213" in page and "insurance 100.00" in page
    assert re.search(r"<td>charge</td>.*?\.837, segment \d+", page, re.DOTALL)
    assert "CARC 16" in page
    assert web.login("leo").get("/claim/NOPE").status_code == 404


@pytest.mark.parametrize("sort", ["age", "amount", "due", "newest"])
def test_the_next_links_walk_every_item_once_in_the_order_of_the_numbered_pages(
        web: Web, practice: Practice, as_user: Any, sort: str) -> None:
    _unmatched(practice)
    _denied(practice)
    _denied(practice, "PCN3")
    web.app.extensions["edi_posting.settings"] = type(
        web.app.extensions["edi_posting.settings"])(per_page=1)
    client = web.login("sam")
    walked, path = [], f"/queue?sort={sort}"
    while path:
        page = client.get(path.replace("&amp;", "&")).text
        walked += [int(i) for i in re.findall(r'<tr data-href="/case/(\d+)"', page)]
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        path = found.group(1) if found else ""
        assert "after=" in path or not path  # the next page by its cursor (keyset)
    numbered = [int(i) for n in range(1, len(walked) + 1) for i in re.findall(
        r'<tr data-href="/case/(\d+)"', client.get(f"/queue?sort={sort}&page={n}").text)]
    assert walked == numbered and len(set(walked)) == len(walked) >= 3
    assert client.get(f"/queue?sort={sort}&after=garbage").status_code == 400


def test_an_action_that_posts_nothing_says_what_it_did_to_which_item_as_the_cli_does(
        web: Web, practice: Practice) -> None:
    ident = _unmatched(practice)
    client = web.login("sam")
    token = csrf(client, f"/case/{ident}")
    preview = client.post(f"/case/{ident}/preview", data={
        "csrf_token": token, "verb": "escalate", "f_to": "leo", "f_note": "payer refuses"})
    once = re.search(r'name="token" value="([^"]+)"', preview.text)
    assert once is not None
    done = client.post(f"/case/{ident}/post", data={"csrf_token": token,
                                                    "token": once.group(1)})
    assert f"review item {ident}: escalate done (note: payer refuses, to: leo)" in done.text
    assert item(practice, ident)[0] == "escalated"
