"""`reconcile` (issue 25): deposits meet the remittances awaiting them by trace (written
as payers and banks vary it), by amount within a window of business days, in bulk and in
parts; each match posts Dr bank / Cr cash clearing, and what is left is queued."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import JournalEntry, JournalLine, LedgerAccount, ReviewItem
from edi_posting.testdata.generator import generate
from tests.bank import bai2, csv_file, detail, write_bank
from tests.test_queue_money import OFFICE_VISIT
from tests.x835 import Practice, clp, remit, svc

Sessions = Callable[[str], edi_posting.Session]


def paid(p: Practice, pcn: str, amount: str, trace: str, date: str = "20260310",
         method: str = "ACH") -> None:
    """Bill ``pcn`` 100.00 and receive an 835 paying ``amount`` of it under ``trace``."""
    p.bill((pcn, OFFICE_VISIT))
    rest = str(Decimal(100) - Decimal(amount))
    p.receive(remit(amount, clp(pcn, "1", "100", amount, "0", f"ICN{pcn}",
                                svc("99213", "100", amount, f"CO*45*{rest}")),
                    trace=trace, method=method, date=date))


def bank(p: Practice, as_user: Sessions, *rows: tuple[str, str, str, str]) -> None:
    edi_posting.import_deposits(as_user("pat"), [write_bank(p.directory, csv_file(*rows), "csv")])


def deposit_entries(p: Practice) -> list[tuple[str, str, int]]:
    """(entry kind, account, cents) of every line of the entries reconciliation posted."""
    with p.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(JournalEntry.kind, LedgerAccount.code, JournalLine.amount_cents)
            .join(JournalLine, JournalLine.entry_id == JournalEntry.id)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(JournalEntry.kind == "deposit").order_by(JournalLine.id))]


def open_items(p: Practice) -> list[tuple[str, int]]:
    with p.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(ReviewItem.kind, ReviewItem.amount_cents)
            .where(ReviewItem.status == "open", ReviewItem.kind.in_(
                ["silent_era", "lonely_deposit", "deposit_variance"])).order_by(ReviewItem.id))]


def methods(result: edi_posting.ReconcileResult) -> list[tuple[str, str, str]]:
    return [(m["trace"], m["amount"], m["method"]) for m in result.matches]


def test_a_trace_matches_however_the_bank_writes_it_ccd_addendum_included(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "EFT-0012345")
    paid(practice, "PCN2", "64", "00777", method="CHK")
    path = write_bank(practice.directory, bai2(
        detail("165", 8000, "B1", "ACME HEALTH HCCLAIMPMT", customer="X",
               continued="TRN*1*eft12345*1512345678\\"),
        detail("301", 6400, "B2", "CHECK", customer="777")))
    edi_posting.import_deposits(as_user("pat"), [path])
    result = edi_posting.reconcile(as_user("sam"))

    assert methods(result) == [("EFT-0012345", "80.00", "trace"), ("00777", "64.00", "trace")]
    assert deposit_entries(practice) == [("deposit", "bank", 8000),
                                         ("deposit", "cash_clearing", -8000),
                                         ("deposit", "bank", 6400),
                                         ("deposit", "cash_clearing", -6400)]
    assert [r["matched"] for r in edi_posting.list_deposits(as_user("sam"))] == [
        "remittance 1", "remittance 2"]
    assert open_items(practice) == []


def test_reconciling_again_posts_nothing_new(practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"),
         ("2026-03-11", "9.99", "MISC1", "MISC CREDIT"))
    first = edi_posting.reconcile(as_user("sam"), date_to=None)
    again = edi_posting.reconcile(as_user("sam"))

    assert (len(first.matches), first.opened) == (1, {"lonely_deposit": 1})
    assert (again.matches, again.opened, again.closed) == ((), {}, 0)
    assert len(deposit_entries(practice)) == 2


def test_a_bulk_check_deposit_meets_the_checks_it_adds_up_to(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "30", "CHK1", "20260309", "CHK")
    paid(practice, "PCN2", "45.50", "CHK2", "20260310", "CHK")
    paid(practice, "PCN3", "12", "CHK3", "20260310", "CHK")
    bank(practice, as_user, ("2026-03-11", "75.50", "BULK1", "DEPOSIT 2 CHECKS"))
    result = edi_posting.reconcile(as_user("sam"), date_to=None)

    assert methods(result) == [("CHK2", "45.50", "bulk"), ("CHK1", "30.00", "bulk")]
    assert result.opened == {"silent_era": 1}  # CHK3 never reached the bank
    assert open_items(practice) == [("silent_era", 1200)]


def test_two_deposits_of_one_trace_that_add_up_meet_their_remittance_together(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T-9")
    bank(practice, as_user, ("2026-03-11", "50.00", "B1", "PART T9"),
         ("2026-03-12", "30.00", "B2", "PART T9 TRN*1*T9*1512345678"))
    # B1 names the trace only in its description: the CSV reference is the bank's own
    bank(practice, as_user, ("2026-03-12", "0.01", "B3", "MISC"))
    edi_posting.reconcile(as_user("sam"))

    assert [(r["reference"], r["matched"]) for r in edi_posting.list_deposits(as_user("sam"))] \
        == [("B1", ""), ("B2", "remittance 1"), ("B3", "")]
    assert ("deposit_variance", 5000) in open_items(practice)


def test_deposits_sharing_a_trace_split_one_remittance(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T9")
    bank(practice, as_user, ("2026-03-11", "50.00", "B1", "ACH TRN*1*T9*1"),
         ("2026-03-12", "30.00", "B2", "ACH TRN*1*T9*1"))
    result = edi_posting.reconcile(as_user("sam"))

    assert methods(result) == [("T9", "50.00", "split"), ("T9", "30.00", "split")]
    assert open_items(practice) == []


def test_a_deposit_short_of_its_trace_match_is_a_variance(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "79.50", "T1", "ACME"))
    result = edi_posting.reconcile(as_user("sam"))

    assert methods(result) == [("T1", "79.50", "trace")]
    assert open_items(practice) == [("deposit_variance", 50)]
    status = edi_posting.reconcile_status(as_user("sam"))
    assert [(s["date"], s["variances"], s["cash_clearing"]) for s in status] == [
        ("2026-03-10", 0, "80.00"), ("2026-03-11", 1, "0.50")]


def test_an_amount_match_needs_the_deposit_within_the_window_of_business_days(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")  # Tuesday 2026-03-10
    paid(practice, "PCN2", "55", "T2")
    # Friday is the third business day after; Monday the fourth (the weekend not counted)
    bank(practice, as_user, ("2026-03-13", "80.00", "X1", "ACME"),
         ("2026-03-16", "55.00", "X2", "ACME"))
    narrow = edi_posting.reconcile(as_user("sam"), date_to=dt_("2026-03-16"))
    wide = edi_posting.reconcile(as_user("sam"), date_to=dt_("2026-03-16"), window_days=4)

    assert methods(narrow) == [("T1", "80.00", "amount_date")]
    assert narrow.opened == {"lonely_deposit": 1, "silent_era": 1}
    assert methods(wide) == [("T2", "55.00", "amount_date")]
    assert wide.closed == 2  # the lonely deposit and the silent ERA met at last
    assert open_items(practice) == []


def test_a_silent_era_waits_for_the_window_to_pass(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")  # Tuesday 2026-03-10
    on_time = edi_posting.reconcile(as_user("sam"), date_to=dt_("2026-03-13"))
    late = edi_posting.reconcile(as_user("sam"), date_to=dt_("2026-03-16"))

    assert (on_time.opened, late.opened) == ({}, {"silent_era": 1})


def dt_(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_generators_planted_deposits_are_each_found(
        practice: Practice, as_user: Sessions, tmp_path: Path) -> None:
    day = tmp_path / "day"
    generate(day, 60, seed=1)
    expected = json.loads((day / "expected.json").read_text())["deposits"]
    edi_posting.import_files(as_user("pat"), [day / "837", day / "835"])
    edi_posting.import_deposits(as_user("pat"), [day / expected["bai2"]])
    result = edi_posting.reconcile(as_user("sam"))
    listed = {r["reference"]: r for r in edi_posting.list_deposits(as_user("sam"))}
    with practice.engine.connect() as conn:
        items = {(k, e.get("trace") if k == "silent_era" else None)
                 for k, e in conn.execute(select(ReviewItem.kind, ReviewItem.evidence)
                                          .where(ReviewItem.kind.in_(
                                              ["silent_era", "lonely_deposit"])))}

    assert {(k, t) for k, t in items if k == "silent_era"} == {
        ("silent_era", m["trace"]) for m in expected["missing"]}
    assert [listed[e["reference"]]["matched"] for e in expected["extra"]] == [""] * 2
    assert result.opened["lonely_deposit"] == len(expected["extra"])
    for bulk in expected["bulk"]:
        met = {m["trace"] for m in result.matches if m["method"] == "bulk"}
        assert met == set(bulk["traces"])


def test_reconcile_prints_the_matches_and_says_what_it_queued(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "T1", "ACME"))
    result = CliRunner().invoke(main, ["--db", practice.engine.url.render_as_string(
        hide_password=False), "--actor", "sam", "reconcile", "--date", "2026-03-11"])
    status = CliRunner().invoke(main, ["--db", practice.engine.url.render_as_string(
        hide_password=False), "--actor", "sam", "reconcile", "status", "--format", "csv"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "deposit_id  date        remittance_id  trace  amount  method  entry_id",
        f"1           2026-03-11  1              T1     80.00   trace   {_last_entry(practice)}"]
    assert result.stderr == ("reconciled as of 2026-03-11 (3 business days): 1 match(es) "
                             "posted; review items opened: none; closed: 0\n")
    assert status.stdout.splitlines() == [
        ("date,deposits,deposited,remittances_met,variances,unmatched_deposits,"
         "unmatched_deposit_amount,unmatched_remittances,unmatched_remittance_amount,"
         "cash_clearing"),
        "2026-03-11,1,80.00,1,0,0,0.00,0,0.00,0.00"]


def _last_entry(p: Practice) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(select(JournalEntry.id).where(JournalEntry.kind == "deposit")
                                ).scalar_one())


def test_remit_show_names_the_bank_line_that_met_the_remittance(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "80.00", "B-77", "ACH TRN*1*T1*1"))
    edi_posting.reconcile(as_user("sam"))
    detail = edi_posting.show_remittance(as_user("sam"), "T1")
    table = CliRunner().invoke(main, ["--db", practice.engine.url.render_as_string(
        hide_password=False), "--actor", "sam", "remit", "show", "T1"])

    assert detail["deposits"] == [{"deposit_id": 1, "date": "2026-03-11", "reference": "B-77",
                                   "deposit": "80.00", "met": "80.00", "method": "trace",
                                   "entry_id": _last_entry(practice)}]
    assert table.stdout.split("Deposited (bank lines that met it):\n")[1].splitlines() == [
        "deposit_id  date        reference  deposit  met    method  entry_id",
        f"1           2026-03-11  B-77       80.00    80.00  trace   {_last_entry(practice)}"]


def test_the_window_is_a_setting_an_administrator_changes(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN2", "55", "T2")  # Tuesday 2026-03-10
    bank(practice, as_user, ("2026-03-16", "55.00", "X2", "ACME"))  # the 4th business day
    url = practice.engine.url.render_as_string(hide_password=False)
    refused = CliRunner().invoke(main, ["--db", url, "--actor", "sam", "reconcile", "window",
                                        "4"])
    changed = CliRunner().invoke(main, ["--db", url, "--actor", "ada", "reconcile", "window",
                                        "4"])
    result = edi_posting.reconcile(as_user("sam"), date_to=dt_("2026-03-16"))

    assert (refused.exit_code, changed.exit_code, changed.stdout) == (77, 0, "4\n")
    assert edi_posting.reconcile_window(as_user("sam")) == 4
    assert (result.window_days, methods(result)) == (4, [("T2", "55.00", "amount_date")])
