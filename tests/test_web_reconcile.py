"""The reconciliation screen (issue 27, screen 6): the day's deposits beside the money
awaiting them, a bank file uploaded (previewed, then imported once), reconcile previewed
by its dry run and posted once, and every deposit item's action worked on the case
screen, each previewed and posted once; every route for every role."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

import edi_posting
from edi_posting.db.models import Deposit, JournalEntry, ReviewItem
from tests.bank import bai2, csv_file, detail
from tests.test_deposit_returns import bounced_check
from tests.test_reconcile import bank, paid
from tests.test_web_login import Web, csrf, web  # noqa: F401  (the fixture)
from tests.x835 import Practice

ROLES = ("ada", "sam", "pat", "leo", "aud")
MAY_IMPORT = {"ada", "pat"}
MAY_RESOLVE = {"ada", "sam", "leo"}
_ONCE = re.compile(r'name="token" value="([^"]+)"')


def _count(practice: Practice, table: Any) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _written(practice: Practice) -> tuple[int, int, int]:
    """(journal entries, review items, bank lines): what a refused request must not add."""
    return (_count(practice, JournalEntry), _count(practice, ReviewItem),
            _count(practice, Deposit))


def _items(practice: Practice, *kinds: str) -> list[tuple[int, str, str, int]]:
    with practice.engine.connect() as conn:
        return [(r.id, r.kind, r.status, r.amount_cents) for r in conn.execute(
            select(ReviewItem).where(ReviewItem.kind.in_(kinds)).order_by(ReviewItem.id))]


def _upload(client: FlaskClient, name: str, data: bytes, mapping: str = "demo") -> Any:
    return client.post("/reconcile/upload/preview", content_type="multipart/form-data",
                       data={"csrf_token": csrf(client, "/reconcile"), "mapping": mapping,
                             "file": (_bytes_io(data), name)})


def _bytes_io(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


def _token(page: Any) -> str:
    found = _ONCE.search(page.text)
    assert found is not None, page.text
    return found.group(1)


def _post(client: FlaskClient, path: str, token: str) -> Any:
    return client.post(path, data={"csrf_token": csrf(client, "/reconcile"), "token": token})


def _lonely_and_silent(practice: Practice, as_user: Any) -> None:
    """A remittance of 80.00 (trace T1) and a bank line of 80.00 under another reference."""
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-20", "80.00", "B-9", "ACME"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 20))


@pytest.mark.parametrize("name", ROLES)
def test_every_role_sees_the_reconciliation_screen_and_each_view_is_audited(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    _lonely_and_silent(practice, as_user)
    page = web.login(name).get("/reconcile?date=2026-03-20")
    assert page.status_code == 200
    assert web.audited("reconcile.view") == [(name, "ok", None)]
    assert 'data-test="deposit-1"' in page.text and "B-9" in page.text
    lonely = _items(practice, "lonely_deposit")[0][0]
    assert f'href="/case/{lonely}"' in page.text
    assert ('id="bank-upload"' in page.text) is (name in MAY_IMPORT)
    assert ('id="reconcile-run"' in page.text) is (name in MAY_RESOLVE)
    assert ("Read only" in page.text) is (name == "aud")


def test_the_screen_links_each_left_over_to_its_case_and_totals_both_sides(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    paid(practice, "PCN1", "80", "T1")
    paid(practice, "PCN2", "50", "T2")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"),
         ("2026-03-11", "12.00", "MISC1", "MISC CREDIT"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 20))
    page = web.login("sam").get("/reconcile").text
    silent = _items(practice, "silent_era")[0][0]
    lonely = _items(practice, "lonely_deposit")[0][0]

    assert re.search(r'data-test="match-1-remittance-1">.*?>80.00<.*?trace', page, re.DOTALL)
    assert re.search(r'data-test="match-1-remittance-1">.*?<a href="/remittances/1">'
                     r'remittance 1</a>', page, re.DOTALL)
    assert re.search(rf'data-test="awaiting-remittance-2">.*?silent.*?href="/case/{silent}"',
                     page, re.DOTALL)
    assert re.search(rf'data-test="deposit-2">.*?href="/case/{lonely}"', page, re.DOTALL)
    assert 'data-test="total-deposited">92.00<' in page
    assert 'data-test="total-matched">80.00<' in page
    assert 'data-test="total-unmatched-deposits">12.00<' in page
    assert 'data-test="total-awaiting">50.00<' in page


def test_a_bad_date_on_the_screen_is_an_error_not_an_empty_page(web: Web) -> None:  # noqa: F811
    client = web.login("sam")
    assert client.get("/reconcile?date=2026-13-01").status_code == 400
    assert client.get("/reconcile?date=2026-03-01&from=2026-03-01").status_code == 400
    assert client.get("/reconcile?from=2026-03-02&to=2026-03-01").status_code == 400


@pytest.mark.parametrize("name", ROLES)
def test_a_bank_upload_is_allowed_to_importers_and_refused_403_and_audited_else(
        web: Web, practice: Practice, name: str) -> None:  # noqa: F811
    client = web.login(name)
    before = _written(practice)
    preview = _upload(client, "day.csv", csv_file(("2026-03-20", "80.00", "B-9", "ACME"))
                      .encode())
    if name in MAY_IMPORT:
        assert preview.status_code == 200
        assert "day.csv (csv:demo): 1 bank line(s) read, would add 1 (80.00)" in preview.text
        assert web.audited("deposits.import") == []  # rehearsed: rolled back with it
    else:
        assert preview.status_code == 403 and "permission denied (import)" in preview.text
        assert web.audited("deposits.import") == [(name, "refused", None)]
    assert _written(practice) == before


def test_an_uploaded_bank_file_is_previewed_then_imported_once(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    client = web.login("pat")
    data = bai2(detail("301", 6400, "B1", "CHECK DEPOSIT", customer="777")).encode()
    preview = _upload(client, "bank.bai", data)
    assert "would add 1 (64.00), 0 known already" in preview.text
    assert edi_posting.list_deposits(as_user("pat")) == []
    token = _token(preview)
    first = _post(client, "/reconcile/upload/post", token)
    second = _post(client, "/reconcile/upload/post", token)

    assert "bank.bai (bai2): 1 bank line(s) read, added 1 (64.00)" in first.text
    assert "Already posted: bank.bai (bai2)" in second.text
    assert [d["file"] for d in edi_posting.list_deposits(as_user("pat"))] == ["bank.bai"]
    assert [e[1] for e in web.audited("deposits.import")] == ["ok"]
    again = _upload(client, "bank.bai", data)
    assert "would add 0" in again.text and "Nothing to import" in again.text


def test_a_bank_file_that_does_not_add_up_shows_its_problem_and_offers_no_import(
        web: Web, practice: Practice) -> None:  # noqa: F811
    client = web.login("pat")
    broken = bai2(detail("301", 6400, "B1", "CHECK DEPOSIT")).replace("49,12800", "49,12801")
    preview = _upload(client, "bad.bai", broken.encode())
    assert preview.status_code == 200 and "rejected, nothing would be stored" in preview.text
    assert 'name="token"' not in preview.text
    assert _count(practice, Deposit) == 0
    assert _upload(client, "x.csv", b"a,b\n1,2\n", mapping="nope").status_code == 400


@pytest.mark.parametrize("name", ROLES)
def test_reconcile_is_allowed_to_the_roles_that_resolve_and_refused_403_and_audited_else(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"))
    client = web.login(name)
    before = _written(practice)
    preview = client.post("/reconcile/run/preview", data={
        "csrf_token": csrf(client, "/reconcile"), "date": "", "from": "", "to": ""})
    if name in MAY_RESOLVE:
        assert preview.status_code == 200 and "would post 1 match(es)" in preview.text
        assert "deposit: bank 80.00; cash_clearing -80.00" in preview.text
        assert web.audited("reconcile.run") == []  # the dry run's event rolled back
    else:
        assert preview.status_code == 403 and "permission denied (resolve)" in preview.text
        assert web.audited("reconcile.run") == [(name, "refused", None)]
    assert _written(practice) == before


def test_reconcile_is_previewed_by_its_dry_run_and_a_double_submit_posts_it_once(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    _lonely_and_silent(practice, as_user)  # 80.00 in the bank under B-9; T1's ERA
    paid(practice, "PCN2", "50", "T2")
    bank(practice, as_user, ("2026-03-12", "50.00", "T2", "ACME"))
    client = web.login("sam")
    before = _written(practice)
    preview = client.post("/reconcile/run/preview", data={
        "csrf_token": csrf(client, "/reconcile"), "to": "2026-03-20", "window_days": "3"})
    assert "would post 1 match(es)" in preview.text and _written(practice) == before
    token = _token(preview)
    first = _post(client, "/reconcile/run/post", token)
    second = _post(client, "/reconcile/run/post", token)

    assert "posted 1 match(es)" in first.text and "Already posted: reconcile" in second.text
    assert _written(practice)[0] == before[0] + 1
    assert web.audited("reconcile.run")[-1][:2] == ("sam", "ok")
    assert len(web.audited("reconcile.run")) == 2  # the setup's run and this one


def test_the_reconcile_api_dry_run_writes_nothing_and_says_what_it_would_match(
        practice: Practice, as_user: Any) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"),
         ("2026-03-11", "5.00", "MISC", "MISC CREDIT"))
    before = _written(practice)
    rehearsal = edi_posting.reconcile(as_user("sam"), dry_run=True)
    assert _written(practice) == before
    assert [(m["remittance_id"], m["amount"], m["entry_id"]) for m in rehearsal.matches] == [
        (1, "80.00", None)]
    assert rehearsal.opened == {"lonely_deposit": 1}
    done = edi_posting.reconcile(as_user("sam"))
    assert [m["amount"] for m in done.matches] == ["80.00"] and done.opened == rehearsal.opened


@pytest.mark.parametrize("path", ["/reconcile/upload/preview", "/reconcile/upload/post",
                                  "/reconcile/run/preview", "/reconcile/run/post"])
def test_every_reconciliation_form_without_its_csrf_token_is_refused(
        web: Web, practice: Practice, path: str) -> None:  # noqa: F811
    client = web.login("ada")
    before = _written(practice)
    refused = client.post(path, data={"token": "x", "date": ""})
    assert refused.status_code == 400 and "security token" in refused.text
    assert _written(practice) == before


def _case_action(client: FlaskClient, ident: int, verb: str, **fields: str) -> tuple[Any, str]:
    """The case form of ``verb`` previewed: (the preview, its one-time token)."""
    case = client.get(f"/case/{ident}").text
    assert f'name="verb" value="{verb}"' in case, case
    preview = client.post(f"/case/{ident}/preview", data={
        "csrf_token": csrf(client, f"/case/{ident}"), "verb": verb,
        **{f"f_{k.replace('_', '-')}": v for k, v in fields.items()}})
    assert preview.status_code == 200, preview.text
    return preview, _token(preview)


def _post_twice(client: FlaskClient, ident: int, token: str) -> tuple[str, str]:
    first = client.post(f"/case/{ident}/post", data={"csrf_token": csrf(client, "/reconcile"),
                                                    "token": token})
    second = client.post(f"/case/{ident}/post", data={
        "csrf_token": csrf(client, "/reconcile"), "token": token})
    return first.text, second.text


def test_a_lonely_deposit_is_matched_on_the_case_screen_once(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    _lonely_and_silent(practice, as_user)
    lonely, silent = (_items(practice, k)[0][0] for k in ("lonely_deposit", "silent_era"))
    client = web.login("sam")
    before = _written(practice)
    preview, token = _case_action(client, lonely, "match", remit="1")
    assert "would post match_deposit: bank 80.00; cash_clearing -80.00" in preview.text
    assert _written(practice) == before
    first, second = _post_twice(client, lonely, token)

    assert "deposit 1 matched to remittance 1 (trace T1) for 80.00" in first
    assert "Already posted: review item" in second
    assert _written(practice)[0] == before[0] + 1
    assert [i[2] for i in _items(practice, "lonely_deposit", "silent_era")] == [
        "resolved", "resolved"]
    assert edi_posting.check_ledger(as_user("ada")).ok
    assert silent != lonely


def test_a_lonely_deposit_waits_for_its_era_then_is_received_on_the_case_screen(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    bank(practice, as_user, ("2026-03-20", "42.00", "MISC1", "MISC CREDIT"))
    edi_posting.reconcile(as_user("sam"))
    lonely = _items(practice, "lonely_deposit")[0][0]
    client = web.login("leo")
    asked, token = _case_action(client, lonely, "request-era", note="called Acme",
                                follow_up="2026-04-01")
    assert "would: ERA requested: called Acme; follow up on 2026-04-01" in asked.text
    first, second = _post_twice(client, lonely, token)
    assert "ERA requested" in first and "Already posted" in second
    bad = client.post(f"/case/{lonely}/preview", data={
        "csrf_token": csrf(client, f"/case/{lonely}"), "verb": "request-era",
        "f_note": "x", "f_follow-up": "soon"})
    assert bad.status_code == 400 and "not a date" in bad.text
    preview, token = _case_action(client, lonely, "receive")
    assert "would post receive_deposit: bank 42.00; unapplied_cash -42.00" in preview.text
    first, second = _post_twice(client, lonely, token)

    assert "received 42.00 of deposit 1 as unapplied cash" in first
    assert "Already posted" in second
    assert [i[1:3] for i in _items(practice, "lonely_deposit", "unmatched_payment")] == [
        ("lonely_deposit", "resolved"), ("unmatched_payment", "open")]
    assert edi_posting.check_ledger(as_user("ada")).ok


def test_a_variance_is_accepted_on_the_case_screen_once(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "79.50", "T1", "ACME"))
    edi_posting.reconcile(as_user("sam"))
    variance = _items(practice, "deposit_variance")[0][0]
    assert 'data-test="variance-1"' in web.login("sam").get("/reconcile").text
    client = web.login("leo")
    preview, token = _case_action(client, variance, "accept-variance", reason="bank fee")
    assert "would post accept_variance: other_adjustments 0.50; cash_clearing -0.50" \
        in preview.text
    first, second = _post_twice(client, variance, token)

    assert "accepted the 0.50 deposit 1 is short of remittance 1" in first
    assert "Already posted" in second
    assert _items(practice, "deposit_variance")[0][2:] == ("resolved", 0)
    assert edi_posting.check_ledger(as_user("ada")).ok


def test_a_returned_item_won_back_on_the_case_screen_posts_once(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    bounced_check(practice, as_user)
    edi_posting.reconcile(as_user("sam"))
    returned = _items(practice, "returned_item")[0][0]
    assert 'data-test="returned-2"' in web.login("sam").get("/reconcile").text
    client = web.login("sam")
    preview, token = _case_action(client, returned, "chargeback-won", note="re-presented")
    assert "would post chargeback_won: bank 64.00; cash_clearing -64.00" in preview.text
    entries = _written(practice)[0]
    first, second = _post_twice(client, returned, token)

    assert "chargeback won: 64.00 deposited again" in first and "Already posted" in second
    assert _written(practice)[0] > entries
    assert _items(practice, "returned_item")[0][2] == "resolved"
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert edi_posting.check_ledger(as_user("ada")).ok


def test_a_variance_split_across_another_deposit_on_the_case_screen_shows_the_split(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "50.00", "T1", "ACME"),
         ("2026-03-12", "30.00", "B7", "ACME REST"))
    edi_posting.reconcile(as_user("sam"))
    variance = _items(practice, "deposit_variance")[0][0]
    client = web.login("sam")
    preview, token = _case_action(client, variance, "match", deposit="2")
    assert "would post match_deposit: bank 30.00; cash_clearing -30.00" in preview.text
    first, second = _post_twice(client, variance, token)

    assert "deposit 2 matched to remittance 1" in first and "Already posted" in second
    page = client.get("/reconcile").text
    assert re.search(r'data-test="match-2-remittance-1">.*?manual', page, re.DOTALL)
    assert 'data-test="deposit-' not in page and 'data-test="awaiting-' not in page
    assert [i[2] for i in _items(practice, "deposit_variance", "lonely_deposit")] == [
        "resolved", "resolved"]


@pytest.mark.parametrize("name", ROLES)
def test_a_post_without_a_previewed_token_posts_nothing_for_any_role(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"))
    client = web.login(name)
    before = _written(practice), web.audited("deposits.import")
    for path in ("/reconcile/upload/post", "/reconcile/run/post"):
        replay = _post(client, path, "forged")
        assert replay.status_code == 200 and "nothing was posted again" in replay.text
    assert (_written(practice), web.audited("deposits.import")) == before
    assert web.audited("reconcile.run") == []


@pytest.mark.parametrize("name", sorted(set(ROLES) - MAY_RESOLVE))
def test_a_deposit_action_is_refused_403_and_audited_for_roles_that_do_not_resolve(
        web: Web, practice: Practice, as_user: Any, name: str) -> None:  # noqa: F811
    _lonely_and_silent(practice, as_user)
    lonely = _items(practice, "lonely_deposit")[0][0]
    client = web.login(name)
    assert 'name="verb"' not in client.get(f"/case/{lonely}").text
    before = _written(practice)
    refused = client.post(f"/case/{lonely}/preview", data={
        "csrf_token": csrf(client, f"/case/{lonely}"), "verb": "match", "f_remit": "1"})
    assert refused.status_code == 403
    assert web.audited("queue.match-deposit") == [(name, "refused", str(lonely))]
    assert _written(practice) == before


def test_the_demo_day_is_reconciled_and_its_deposit_items_worked_to_closed_in_the_browser(
        web: Web, practice: Practice, as_user: Any) -> None:  # noqa: F811
    edi_posting.import_demo(as_user("ada"))
    ada = web.login("ada")
    data = (edi_posting.demo_directory() / "bank" / "deposits.bai").read_bytes()
    upload = _upload(ada, "deposits.bai", data)
    assert "would add 12 (10178.59)" in upload.text
    assert "added 12" in _post(ada, "/reconcile/upload/post", _token(upload)).text
    run = ada.post("/reconcile/run/preview", data={"csrf_token": csrf(ada, "/reconcile")})
    assert "posted 13 match(es)" in _post(ada, "/reconcile/run/post", _token(run)).text

    page = ada.get("/reconcile").text
    queued = {int(d) for d in re.findall(r'data-test="deposit-(\d+)"', page)}
    matched = {int(d) for d in re.findall(r'data-test="match-(\d+)-', page)}
    assert queued | matched == {d["id"] for d in edi_posting.list_deposits(as_user("ada"))}
    for ident in queued:
        assert re.search(rf'data-test="deposit-{ident}">.*?href="/case/\d+"', page, re.DOTALL)
    status = edi_posting.reconcile_status(as_user("ada"))
    for day in status:
        assert re.search(rf'data-test="day-{day["date"]}">.*?>{day["cash_clearing"]}</td></tr>',
                         page, re.DOTALL)
    _work_demo_items(ada, practice)
    assert all(status != "open" and status != "in_progress" for _, _, status, _ in _items(
        practice, "lonely_deposit", "silent_era", "deposit_variance", "returned_item"))
    assert edi_posting.check_ledger(as_user("ada")).ok


def _work_demo_items(client: FlaskClient, practice: Practice) -> None:
    """Each open deposit item through its case: a silent ERA matched to the deposit the
    case names, then the lonely deposits left received as payments without remittance."""
    for ident, _, _, _ in _items(practice, "silent_era"):
        case = client.get(f"/case/{ident}").text
        deposit = re.search(r'name="f_deposit" value="(\d+)"', case)
        assert deposit is not None, case
        _, token = _case_action(client, ident, "match", deposit=deposit.group(1))
        assert "matched to remittance" in _post_twice(client, ident, token)[0]
    for ident, _, status, _ in _items(practice, "lonely_deposit"):
        if status == "open":
            _, token = _case_action(client, ident, "receive")
            assert "as unapplied cash" in _post_twice(client, ident, token)[0]
