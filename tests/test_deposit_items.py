"""The deposit review items (issue 25) worked to closed through the ledger: a lonely
deposit matched to its remittance, its ERA requested, or received as a payment without
remittance; a silent ERA matched to its deposit; a variance accepted with a reason or
split across another deposit.  Each rehearses with ``dry_run`` first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import ReviewItem
from tests.test_reconcile import bank, paid
from tests.x835 import Practice

Sessions = Callable[[str], edi_posting.Session]


def item(p: Practice, kind: str) -> int:
    with p.engine.connect() as conn:
        return int(conn.execute(select(ReviewItem.id).where(ReviewItem.kind == kind)
                                .order_by(ReviewItem.id)).scalars().first() or 0)


def status(p: Practice, ident: int) -> tuple[str, int]:
    with p.engine.connect() as conn:
        row = conn.execute(select(ReviewItem.status, ReviewItem.amount_cents)
                           .where(ReviewItem.id == ident)).one()
    return row.status, row.amount_cents


def lonely_and_silent(p: Practice, as_user: Sessions) -> tuple[int, int]:
    """A remittance whose deposit the bank wrote under another reference and amount-day."""
    paid(p, "PCN1", "80", "T1")
    bank(p, as_user, ("2026-03-20", "80.00", "B-9", "ACME"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 20))
    return item(p, "lonely_deposit"), item(p, "silent_era")


def test_a_lonely_deposit_matched_to_its_remittance_closes_the_silent_era_too(
        practice: Practice, as_user: Sessions) -> None:
    lonely, silent = lonely_and_silent(practice, as_user)
    rehearsal = edi_posting.match_deposit(as_user("sam"), lonely, remittance_id=1,
                                          dry_run=True)
    done = edi_posting.match_deposit(as_user("sam"), lonely, remittance_id=1)

    assert rehearsal.plan is not None and rehearsal.plan.describe() == [
        "would post match_deposit: bank 80.00; cash_clearing -80.00",
        "would leave review item 1 resolved at 0.00"]
    assert done.message == ("review item 1: deposit 1 matched to remittance 1 (trace T1) for "
                            "80.00; 0.00 left on this item")
    assert (status(practice, lonely), status(practice, silent)) == (
        ("resolved", 0), ("resolved", 0))
    assert edi_posting.list_deposits(as_user("sam"))[0]["matched"] == "remittance 1"


def test_a_silent_era_matched_to_part_of_a_deposit_leaves_the_rest_lonely(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-20", "100.00", "B-9", "ACME"))
    edi_posting.reconcile(as_user("sam"), date_to=dt.date(2026, 3, 20))
    lonely, silent = item(practice, "lonely_deposit"), item(practice, "silent_era")
    edi_posting.match_deposit(as_user("sam"), silent, deposit_id=1)

    assert (status(practice, silent), status(practice, lonely)) == (
        ("resolved", 0), ("open", 2000))
    with pytest.raises(edi_posting.ActionError, match="at most 0.00 can be matched"):
        edi_posting.match_deposit(as_user("sam"), lonely, remittance_id=1)


def test_a_lonely_deposit_waits_for_its_era_then_is_received_as_unapplied_cash(
        practice: Practice, as_user: Sessions) -> None:
    bank(practice, as_user, ("2026-03-20", "42.00", "MISC1", "MISC CREDIT"))
    edi_posting.reconcile(as_user("sam"))
    lonely = item(practice, "lonely_deposit")
    asked = edi_posting.request_era(as_user("sam"), lonely, "called Acme, ref 77",
                                    dt.date(2026, 4, 1))
    taken = edi_posting.receive_deposit(as_user("sam"), lonely, note="patient check")

    assert asked.status == "in_progress"
    assert taken.message == ("review item 1: received 42.00 of deposit 1 as unapplied cash, "
                             "held by review item 2: patient check")
    held = item(practice, "unmatched_payment")
    assert (status(practice, lonely), status(practice, held)) == (
        ("resolved", 0), ("open", 4200))
    again = edi_posting.reconcile(as_user("sam"))
    assert (again.matches, again.opened) == ((), {})  # the deposit is spoken for


def test_a_variance_is_accepted_with_a_reason_within_the_write_off_limit(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "79.50", "T1", "ACME"))
    edi_posting.reconcile(as_user("sam"))
    variance = item(practice, "deposit_variance")
    edi_posting.set_write_off_limit(as_user("ada"), 25)
    with pytest.raises(edi_posting.ActionError, match="above the write-off limit 0.25"):
        edi_posting.accept_variance(as_user("sam"), variance, "bank fee")
    done = edi_posting.accept_variance(as_user("leo"), variance, "bank fee")

    assert done.message == ("review item 1: accepted the 0.50 deposit 1 is short of "
                            "remittance 1 as an adjustment: bank fee")
    assert status(practice, variance) == ("resolved", 0)
    # the day still shows the 0.50 it ended with; the acceptance is today's entry
    assert edi_posting.reconcile_status(as_user("sam"))[-1]["cash_clearing"] == "0.50"


def test_a_variance_split_across_another_deposit_closes_both(
        practice: Practice, as_user: Sessions) -> None:
    paid(practice, "PCN1", "80", "T1")
    bank(practice, as_user, ("2026-03-11", "50.00", "T1", "ACME"),
         ("2026-03-12", "30.00", "B7", "ACME REST"))
    edi_posting.reconcile(as_user("sam"))
    variance, lonely = item(practice, "deposit_variance"), item(practice, "lonely_deposit")
    edi_posting.match_deposit(as_user("sam"), variance, deposit_id=2)

    assert (status(practice, variance), status(practice, lonely)) == (
        ("resolved", 0), ("resolved", 0))


def test_undoing_a_match_opens_both_sides_again(
        practice: Practice, as_user: Sessions) -> None:
    lonely, _ = lonely_and_silent(practice, as_user)
    edi_posting.match_deposit(as_user("sam"), lonely, remittance_id=1)
    edi_posting.undo_action(as_user("sam"), lonely, reason="wrong remittance")

    assert status(practice, lonely) == ("open", 8000)
    assert edi_posting.list_deposits(as_user("sam"), unmatched=True)[0]["id"] == 1
    again = edi_posting.match_deposit(as_user("sam"), lonely, remittance_id=1)
    assert again.status == "resolved"


def test_deposits_match_prints_what_it_did_and_refuses_what_does_not_fit(
        practice: Practice, as_user: Sessions) -> None:
    lonely, silent = lonely_and_silent(practice, as_user)
    url = practice.engine.url.render_as_string(hide_password=False)
    wrong = CliRunner().invoke(main, ["--db", url, "--actor", "sam", "deposits", "receive",
                                      str(silent)])
    dry = CliRunner().invoke(main, ["--db", url, "--actor", "sam", "deposits", "match",
                                    str(lonely), "--remit", "1", "--dry-run"])

    assert wrong.exit_code == 65
    assert wrong.stderr == ("edi-posting: review item 2 is silent_era: this action works "
                            "lonely_deposit items\n")
    assert dry.exit_code == 0
    assert dry.stdout.splitlines() == [
        ("review item 1 (dry run, nothing written) would: deposit 1 matched to remittance 1 "
         "(trace T1) for 80.00; 0.00 left on this item"),
        "  would post match_deposit: bank 80.00; cash_clearing -80.00",
        "  would leave review item 1 resolved at 0.00"]


def test_queue_show_puts_the_deposit_beside_the_remittances_near_it(
        practice: Practice, as_user: Sessions) -> None:
    lonely, _ = lonely_and_silent(practice, as_user)
    url = practice.engine.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(main, ["--db", url, "--actor", "sam", "queue", "show",
                                      str(lonely)])

    assert shown.exit_code == 0, shown.output
    text = shown.stdout
    assert text.split("bank line:\n")[1].split("\n\n")[0].splitlines() == [
        ("  deposit 1 of 2026-03-20: 80.00 (80.00 not met), reference B-9, trace B9, type -, "
         "'ACME'"),
        "near it by amount and date:",
        "  remittance 1 (ACME HEALTH) trace T1 of 2026-03-10: 80.00 awaiting"]
    assert "edi-posting deposits match 1 --remit 1" in text
    assert "edi-posting deposits receive 1" in text


def test_a_received_deposit_is_not_undone_behind_the_item_that_holds_its_cash(
        practice: Practice, as_user: Sessions) -> None:
    bank(practice, as_user, ("2026-03-20", "42.00", "MISC1", "MISC CREDIT"))
    edi_posting.reconcile(as_user("sam"))
    lonely = item(practice, "lonely_deposit")
    edi_posting.receive_deposit(as_user("sam"), lonely)

    with pytest.raises(edi_posting.ActionError, match="has no money action to undo"):
        edi_posting.undo_action(as_user("sam"), lonely, reason="oops")
    assert status(practice, item(practice, "unmatched_payment")) == ("open", 4200)
