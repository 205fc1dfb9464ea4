"""Payments received without a remittance are receipts reconciliation matches (issues 24
and 25 as one product): a payer's check at the desk, a lockbox file, a patient's card
batch each meet their bank deposit; an 835 that claims a deposited check awaits nothing
more; a bounced patient check opens the patient balance it paid again."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

import edi_posting
from edi_posting.db.models import JournalEntry, ReviewItem
from edi_posting.importing.pipeline import import_paths
from edi_posting.testdata.generator import generate
from tests.bank import bai2, csv_file, detail, write_bank
from tests.test_payments_files import LOCKBOX_HEADER, PATIENT_HEADER, _import
from tests.test_payments_patient import bill_and_answer
from tests.test_payments_received import MARCH_9, PAID_80, _accounts
from tests.test_queue_money import OFFICE_VISIT
from tests.x835 import Practice, remit

Sessions = Callable[[str], edi_posting.Session]


def _bank(p: Practice, as_user: Sessions, *rows: tuple[str, str, str, str]) -> None:
    edi_posting.import_deposits(as_user("pat"), [write_bank(p.directory, csv_file(*rows), "csv")])


def _met(result: edi_posting.ReconcileResult) -> list[tuple[int | None, str, str, str]]:
    return [(m["payment_id"], m["trace"], m["amount"], m["method"]) for m in result.matches]


def _matched(as_user: Sessions) -> list[str]:
    return [r["matched"] for r in edi_posting.list_deposits(as_user("sam"))]


def _clean(as_user: Sessions) -> None:
    assert edi_posting.check_ledger(as_user("sam")).violations == []


def _open_deposit_items(p: Practice) -> list[tuple[str, int]]:
    with p.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(ReviewItem.kind, ReviewItem.amount_cents).where(
                ReviewItem.status == "open", ReviewItem.kind.in_(
                    ["silent_era", "lonely_deposit", "deposit_variance"]))
            .order_by(ReviewItem.id))]


def test_a_payer_check_received_at_the_desk_meets_its_deposit_and_its_835_awaits_nothing(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                           reference="00 12-345", received_date=MARCH_9)
    _bank(practice, as_user, ("2026-03-10", "80.00", "12345", "CHECK DEPOSIT"))
    first = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 10))

    assert _met(first) == [(received.payment_id, "00 12-345", "80.00", "trace")]
    assert (first.matches[0]["remittance_id"], first.opened) == (None, {})
    assert _matched(as_user) == [f"payment {received.payment_id}"]
    assert _accounts(practice) == {"cash_clearing": "0.00", "unapplied_cash": "-80.00"}
    practice.receive(remit("80", PAID_80, trace="12345"))  # the 835 claims the check
    assert _accounts(practice) == {"cash_clearing": "0.00", "unapplied_cash": "0.00"}
    again = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 31))

    assert (again.matches, again.opened) == ((), {})  # no second deposit expected
    assert _open_deposit_items(practice) == []
    assert [(r["date"], r["remittances_met"], r["unmatched_remittances"], r["cash_clearing"])
            for r in edi_posting.reconcile_status(as_user("sam"))] == [
        ("2026-03-10", 1, 0, "0.00")]
    _clean(as_user)


def test_a_patient_card_batch_deposited_as_one_bulk_deposit_meets_each_payment(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)  # its 835 (114.00) awaits a deposit of its own
    batch = _import(practice, PATIENT_HEADER + f"2026-03-12,{account},,20.00,card,VISA-1,\n"
                    f"2026-03-12,{account},,16.00,card,VISA-2,\n")
    assert batch.posted == 2
    _bank(practice, as_user, ("2026-03-12", "36.00", "CARDS0312", "CARD SETTLEMENT"))
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 12))

    assert _met(result) == [(1, "VISA-1", "20.00", "bulk"), (2, "VISA-2", "16.00", "bulk")]
    assert _matched(as_user) == ["payment 1, payment 2"]
    assert _accounts(practice)["cash_clearing"] == "114.00"  # the 835's, not yet banked
    [day] = [r for r in edi_posting.reconcile_status(as_user("sam"))
             if r["date"] == "2026-03-12"]
    assert (day["deposited"], day["remittances_met"], day["unmatched_deposits"],
            day["unmatched_remittances"]) == ("36.00", 2, 0, 0)
    _clean(as_user)


def test_a_lockbox_file_and_its_deposit_are_reconciled_check_by_check(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)
    lockbox = _import(practice, LOCKBOX_HEADER
                      + "2026-03-13,5001,80.00,ACME HEALTH,\n"  # a payer's check
                      + f"2026-03-13,881,10.00,ALBA ZQCANARY,{account}\n"  # a patient's
                      + "2026-03-13,990,12.50,SOMEONE ELSE,INV-77\n", "lockbox.csv")
    assert lockbox.posted == 3
    _bank(practice, as_user, ("2026-03-13", "102.50", "LBX0313", "LOCKBOX DEPOSIT"))
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 13))

    assert _met(result) == [(1, "5001", "80.00", "bulk"), (3, "990", "12.50", "bulk"),
                            (2, "881", "10.00", "bulk")]
    assert _matched(as_user) == ["payment 1, payment 2, payment 3"]
    assert _accounts(practice) == {"cash_clearing": "114.00", "unapplied_cash": "-92.50"}
    assert _open_deposit_items(practice) == []
    _clean(as_user)


def _kinds(p: Practice) -> list[str]:
    with p.engine.connect() as conn:
        return list(conn.execute(select(JournalEntry.kind).where(JournalEntry.kind.in_(
            ["deposit", "deposit_return", "chargeback_won"])).order_by(JournalEntry.id))
            .scalars())


def test_a_bounced_patient_check_opens_the_balance_it_paid_again_until_won_back(
        practice: Practice, as_user: Sessions) -> None:
    account = bill_and_answer(practice)  # PCN1 owes 16.00, PCN2 30.00
    paid = edi_posting.post_patient_payment(
        as_user("pat"), account=account, amount_cents=3500, method="check", reference="501",
        received_date=dt.date(2026, 3, 12))
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "11.00"), ("0.00", "0.00"))  # oldest first: PCN2, then 5.00 of PCN1
    _bank(practice, as_user, ("2026-03-12", "35.00", "501", "CHECK DEPOSIT"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 12))
    edi_posting.import_deposits(as_user("pat"), [write_bank(practice.directory, bai2(
        detail("555", 3500, "R1", "DEPOSITED ITEM RETURNED NSF", customer="501"),
        as_of="260316"))])
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 16))

    assert (result.returned, result.matches) == (1, ())
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "16.00"), ("0.00", "30.00"))
    assert _kinds(practice) == ["deposit", "deposit_return", "deposit_return"]
    with practice.engine.connect() as conn:
        item = conn.execute(select(ReviewItem).where(ReviewItem.kind == "returned_item")).one()
    assert (item.status, item.amount_cents, item.remittance_id) == ("open", 3500, None)
    assert item.message == (
        "returned item R1 of 2026-03-16 (35.00, type 555, 'DEPOSITED ITEM RETURNED NSF'): the "
        f"deposit of payment {paid.payment_id} reversed and the balances open again")
    assert _matched(as_user)[0] == ""
    assert _accounts(practice)["cash_clearing"] == "114.00"
    _clean(as_user)
    won = edi_posting.chargeback_won(as_user("sam"), item.id, note="re-presented")

    assert won.status == "resolved"
    assert (practice.balances("PCN1"), practice.balances("PCN2")) == (
        ("0.00", "11.00"), ("0.00", "0.00"))
    assert _matched(as_user)[0] == f"payment {paid.payment_id}"
    assert _accounts(practice)["cash_clearing"] == "114.00"
    _clean(as_user)


def test_a_bounced_payer_check_leaves_unapplied_cash_and_closes_its_item(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                           reference="5001", received_date=MARCH_9)
    _bank(practice, as_user, ("2026-03-10", "80.00", "5001", "CHECK DEPOSIT"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 10))
    edi_posting.import_deposits(as_user("pat"), [write_bank(practice.directory, bai2(
        detail("555", 8000, "R2", "RETURNED ITEM", customer="5001"), as_of="260316"))])
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 16))

    assert result.returned == 1
    assert _accounts(practice) == {"cash_clearing": "0.00", "unapplied_cash": "0.00"}
    with practice.engine.connect() as conn:
        held = conn.execute(select(ReviewItem.status, ReviewItem.amount_cents).where(
            ReviewItem.id == received.review_item_id)).one()
    assert tuple(held) == ("resolved", 0)
    _clean(as_user)


def test_the_generated_day_with_its_patient_payments_adds_no_lonely_deposit(
        practice: Practice, as_user: Sessions, tmp_path: Path) -> None:
    day = tmp_path / "day"
    generate(day, 60, seed=1)
    expected = json.loads((day / "expected.json").read_text())
    import_paths(practice.engine, [day / "837", day / "835", day / "payments"],
                 practice.options)
    edi_posting.import_deposits(as_user("pat"), [day / expected["deposits"]["bai2"]])
    result = edi_posting.reconcile(as_user("sam"))

    extra = {e["reference"] for e in expected["deposits"]["extra"]}
    lonely = {r["reference"] for r in edi_posting.list_deposits(as_user("sam"))
              if r["matched"] == ""}
    assert (lonely, result.opened["lonely_deposit"]) == (extra, len(extra))
    assert not [m for m in result.matches if m["payment_id"] is not None]
    _clean(as_user)


def test_payment_list_names_the_deposit_that_met_each_payment(
        practice: Practice, as_user: Sessions) -> None:
    from click.testing import CliRunner

    from edi_posting.cli import main

    practice.bill(("PCN1", OFFICE_VISIT))
    first = edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                        reference="5001", received_date=MARCH_9)
    edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=2500,
                                reference="5002", received_date=MARCH_9)
    _bank(practice, as_user, ("2026-03-10", "80.00", "5001", "CHECK DEPOSIT"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 10))
    url = practice.engine.url.render_as_string(hide_password=False)
    listed = CliRunner().invoke(main, ["--db", url, "--actor", "pat", "payment", "list",
                                       "--format", "csv"])

    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        "payment_id,date,paid_by,payer,account,amount,method,reference,status,deposit,"
        "journal_entry_id",
        f"1,2026-03-09,payer,ACME HEALTH,,80.00,check,5001,awaiting_remittance,"
        f"1 (2026-03-10 5001),{first.entry_id}",
        f"2,2026-03-09,payer,ACME HEALTH,,25.00,check,5002,awaiting_remittance,,"
        f"{first.entry_id + 1}"]
    rows = edi_posting.payments_awaiting_deposit(as_user("pat"))
    assert [(r["payment_id"], r["deposit"], r["deposited_cents"]) for r in rows] == [
        (1, "1 (2026-03-10 5001)", 8000), (2, "", 0)]


def test_a_returned_check_its_835_claimed_posts_nothing_and_says_so(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    received = edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                           reference="12345", received_date=MARCH_9)
    _bank(practice, as_user, ("2026-03-10", "80.00", "12345", "CHECK DEPOSIT"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 10))
    practice.receive(remit("80", PAID_80, trace="12345"))
    edi_posting.import_deposits(as_user("pat"), [write_bank(practice.directory, bai2(
        detail("555", 8000, "R3", "RETURNED ITEM", customer="12345"), as_of="260316"))])
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 16))

    assert (result.returned, result.matches) == (1, ())
    assert _kinds(practice) == ["deposit"]
    assert practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        message = conn.execute(select(ReviewItem.message).where(
            ReviewItem.kind == "returned_item")).scalar_one()
    assert message == (
        "returned item R3 of 2026-03-16 (80.00, type 555, 'RETURNED ITEM'): payment "
        f"{received.payment_id} was claimed by remittance 1, whose cash is on its claims; "
        "work it by hand")
    _clean(as_user)


def test_a_deposit_short_of_a_received_check_is_a_variance_a_lead_accepts(
        practice: Practice, as_user: Sessions) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    edi_posting.receive_payment(as_user("pat"), payer="ACME01", amount_cents=8000,
                                reference="5001", received_date=MARCH_9)
    _bank(practice, as_user, ("2026-03-10", "79.50", "5001", "CHECK DEPOSIT"))
    result = edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 10))
    assert (_met(result), result.opened) == ([(1, "5001", "79.50", "trace")],
                                             {"deposit_variance": 1})
    assert _open_deposit_items(practice) == [("deposit_variance", 50)]
    with practice.engine.connect() as conn:
        item = conn.execute(select(ReviewItem.id, ReviewItem.message).where(
            ReviewItem.kind == "deposit_variance")).one()
    assert item.message == ("deposit 1 of 2026-03-10 matches payment 1 (trace 5001) by "
                            "trace but is 0.50 short of its 80.00")
    done = edi_posting.accept_variance(as_user("sam"), item.id, reason="bank fee")

    assert done.status == "resolved"
    assert _accounts(practice)["cash_clearing"] == "0.00"
    _clean(as_user)
