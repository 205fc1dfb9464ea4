"""`queue undo ITEM` (issue 19, §2): every money action can be undone by reversing entries
linked to what it posted, the items it moved following, with reason, permission and audit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import ClaimPayment, JournalEntry, ProviderAdjustment, ReviewItem
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.review.actions import ActionError
from edi_posting.review.balances import transfer, write_off
from edi_posting.review.money import apply_cash
from edi_posting.review.plb_placement import place_plb
from edi_posting.review.post_as_sent import post_as_sent
from edi_posting.review.refunds import reapply, refund
from edi_posting.review.rematch import link_correction
from edi_posting.review.undo import undo
from tests.test_queue_money import (
    OFFICE_VISIT,
    act,
    claim_id,
    entry_lines,
    events,
    item,
    item_id,
    stranger,
)
from tests.test_queue_money import _paid_before_billed as paid_before_billed
from tests.test_queue_money import _paid_twice as paid_twice
from tests.x835 import Practice, clp, remit, svc


def reverses(practice: Practice, entry_id: int) -> int | None:
    with practice.engine.connect() as conn:
        return conn.execute(select(JournalEntry.reverses_entry_id)
                            .where(JournalEntry.id == entry_id)).scalar_one()


def test_undo_of_an_apply_reverses_its_entry_and_reopens_the_item_with_its_amount(
        practice: Practice) -> None:
    ident = paid_before_billed(practice)
    applied = act(practice, apply_cash, ident, "PCN1")
    assert practice.balances("PCN1") == ("0.00", "16.00")
    result = act(practice, undo, ident, reason="wrong claim")
    assert result.message == (f"review item {ident}: undid apply (entry "
                              f"{applied.entry_ids[0]} reversed by entry {result.entry_ids[0]}): "
                              "wrong claim")
    assert reverses(practice, result.entry_ids[0]) == applied.entry_ids[0]
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", -6400, None), ("contractual_adjustments", -2000, "45"),
        ("patient_ar", -1600, "2"), ("insurance_ar", 10000, None)]
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert item(practice, ident) == ("open", 6400)
    assert events(practice, ident)[-1] == ("undo", "open")
    assert practice.states() == [("PCN1", "1", "unmatched")]  # the payment is unlinked again
    again = act(practice, apply_cash, ident, "PCN1")  # applied whole again, by the rules
    assert entry_lines(practice, again.entry_ids[0]) == entry_lines(practice, applied.entry_ids[0])


def test_undo_walks_back_one_action_at_a_time_then_has_nothing_to_undo(
        practice: Practice) -> None:
    ident = paid_before_billed(practice)
    act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    act(practice, apply_cash, ident, "PCN1")
    act(practice, undo, ident)
    assert item(practice, ident) == ("open", 3400)
    act(practice, undo, ident)
    assert item(practice, ident) == ("open", 6400)
    assert practice.balances("PCN1") == ("100.00", "0.00")
    with pytest.raises(ActionError, match=f"review item {ident} has no money action to undo"):
        act(practice, undo, ident)


def test_undo_of_an_apply_that_opened_a_credit_closes_that_credit_item(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("100", clp("PCN1", "1", "100", "100", "0", "ICN1",
                                      svc("99213", "100", "100"))))
    practice.receive(remit("50", stranger("NOSUCHCLAIM", "70", "50",
                                          svc("99214", "70", "50", "CO*45*20")), trace="T2"))
    ident = item_id(practice, "unmatched_payment")
    applied = act(practice, apply_cash, ident, "PCN1")
    [credit] = applied.opened_item_ids
    act(practice, undo, ident)
    assert item(practice, credit)[0] == "resolved"
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert item(practice, ident) == ("open", 5000)


def test_undo_is_refused_while_a_later_action_on_the_claim_stands(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("100", clp("PCN1", "1", "100", "100", "0", "ICN1",
                                      svc("99213", "100", "100"))))
    practice.receive(remit("50", stranger("NOSUCHCLAIM", "70", "50",
                                          svc("99214", "70", "50", "CO*45*20")), trace="T2"))
    ident = item_id(practice, "unmatched_payment")
    [credit] = act(practice, apply_cash, ident, "PCN1").opened_item_ids
    act(practice, refund, credit, "paid twice")
    with pytest.raises(ActionError, match=f"undo review item {credit}'s refund first"):
        act(practice, undo, ident)
    act(practice, undo, credit, reason="refund sent to the wrong payee")
    assert item(practice, credit) == ("open", 5000)
    act(practice, undo, ident)
    assert item(practice, credit)[0] == "resolved"
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_a_refund_paid_out_cannot_be_undone(practice: Practice) -> None:
    ident = paid_twice(practice)
    act(practice, refund, ident, "paid twice")
    with write_transaction(practice.engine) as conn:  # the refund check was cut
        pcn1 = claim_id(practice, "PCN1")
        write_entries(conn, [EntryDraft("refund-paid-1", "refund_paid", dt.date(2026, 4, 1), (
            Posting("refunds_payable", 10000, submitted_claim_id=pcn1),
            Posting("cash_clearing", -10000)))], "finance")
    with pytest.raises(ActionError, match="refund paid out already"):
        act(practice, undo, ident)


def test_undo_of_a_reapply_moves_the_credit_back(practice: Practice) -> None:
    ident = paid_twice(practice, "PCN2")
    act(practice, reapply, ident, "PCN2")
    act(practice, undo, ident)
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    assert practice.balances("PCN2") == ("100.00", "0.00")
    assert item(practice, ident) == ("open", 10000)


def test_undo_of_a_write_off_and_a_transfer_reopens_the_denial(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))  # denied as the patient's (non-covered): PR may move
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "PR*96*100")), method="NON"))
    ident = item_id(practice, "denial")
    act(practice, transfer, ident, to="patient", amount_cents=4000)
    act(practice, write_off, ident, "CO-16")
    assert item(practice, ident)[0] == "resolved"
    act(practice, undo, ident)
    assert item(practice, ident)[0] == "open"
    assert practice.balances("PCN1") == ("60.00", "40.00")
    act(practice, undo, ident)
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_undo_of_a_link_correction_reopens_both_items(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    practice.receive(remit("0", clp("PCN1", "22", "-100", "-80", "0", "ICN1", svc(
        "99213", "-100", "-80", "CO*45*-20")), trace="TRACE2", method="NON",
        plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    practice.receive(remit("10", stranger("PCN1-CORRECTED", "100", "90", svc(
        "99213", "100", "90", "CO*45*10")), trace="TRACE3",
        plb="PLB*1234567893*20261231*FB:ICN1*80~"))
    waiting, holder = item_id(practice, "awaiting_correction"), item_id(practice, "unmatched_payment")
    with practice.engine.connect() as conn:
        correction = conn.execute(select(ClaimPayment.id).where(
            ClaimPayment.patient_control_number == "PCN1-CORRECTED")).scalar_one()
    act(practice, link_correction, waiting, correction)
    act(practice, undo, waiting)
    assert item(practice, waiting)[0] == "open"
    assert item(practice, holder) == ("open", 9000)
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_undo_of_post_as_sent_and_of_a_placed_plb(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    practice.receive(remit("65", clp("PCN1", "1", "100", "65", "16", "ICN1",
                                     svc("99213", "100", "65", "CO*45*20", "PR*2*16"))))
    held = item_id(practice, "balancing_failure")
    act(practice, post_as_sent, held, "payer confirmed")
    act(practice, undo, held)
    assert item(practice, held) == ("open", 6500)
    assert practice.balances("PCN1") == ("100.00", "0.00")
    practice.receive(remit("60", clp("PCN2", "1", "100", "100", "0", "ICN3",
                                     svc("99213", "100", "100")), trace="TRACE3",
                           plb="PLB*1234567893*20261231*WO:OLDREF77*40~"))
    plb_item = item_id(practice, "unlinked_plb")
    act(practice, place_plb, plb_item, pcn="PCN2", note="payer letter names PCN2")
    act(practice, undo, plb_item)
    assert practice.balances("PCN2") == ("0.00", "0.00")
    assert item(practice, plb_item)[0] == "open"
    with practice.engine.connect() as conn:
        assert conn.execute(select(ProviderAdjustment.linked_claim_id)).scalar_one() is None
        reopened = conn.execute(select(ReviewItem.status).where(
            ReviewItem.kind == "awaiting_correction")).scalar_one()
    assert reopened == "resolved"  # the balance it owned is gone with the placement


def test_undo_of_an_applied_orphan_reversal_closes_the_item_owning_the_reopened_balance(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("20", clp("PCN1", "22", "-100", "-60", "0", "ICN0", svc(
        "99213", "-100", "-60", "CO*45*-40")), clp("PCN1", "1", "100", "80", "0", "ICN1",
                                                   svc("99213", "100", "80", "CO*45*20"))))
    ident = item_id(practice, "orphan_reversal")
    [owner] = act(practice, apply_cash, ident, "PCN1").opened_item_ids
    act(practice, undo, ident)
    assert item(practice, owner)[0] == "resolved"
    assert item(practice, ident) == ("open", -6000)
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_cli_undo_needs_resolve_is_audited_and_exits_65_with_nothing_to_undo(
        practice: Practice, database_url: str) -> None:
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("pat", "poster"),
                       ("aud", "auditor")):
        assert runner.invoke(main, ["--db", database_url, "--actor", "ada", "users", "add",
                                    name, "--role", role]).exit_code == 0
    ident = str(paid_before_billed(practice))

    def cli(actor: str, *args: str) -> object:
        return runner.invoke(main, ["--db", database_url, "--actor", actor, "queue", *args])

    nothing = cli("sam", "undo", ident)
    assert (nothing.exit_code, nothing.stderr) == (  # type: ignore[attr-defined]
        65, f"edi-posting: review item {ident} has no money action to undo\n")
    assert cli("sam", "apply", ident, "--claim", "PCN1").exit_code == 0  # type: ignore[attr-defined]
    refused = cli("pat", "undo", ident)
    assert refused.exit_code == 77  # type: ignore[attr-defined]
    done = cli("sam", "undo", ident, "--reason", "wrong claim")
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]
    assert done.stdout.startswith(f"review item {ident}: undid apply (entry ")  # type: ignore[attr-defined]
    log = runner.invoke(main, ["--db", database_url, "--actor", "aud", "audit", "log",
                               "--action", "queue.undo", "--format", "json"])
    assert [(e["actor"], e["outcome"]) for e in json.loads(log.stdout)] == [
        ("pat", "refused"), ("sam", "ok")]


def test_undo_of_a_named_entry_run_twice_undoes_it_once(practice: Practice) -> None:
    """A retried ``undo --entry N`` must not walk back one more action."""
    ident = paid_before_billed(practice)
    first = act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    second = act(practice, apply_cash, ident, "PCN1")
    done = act(practice, undo, ident, entry_id=second.entry_ids[0])
    assert done.message == (f"review item {ident}: undid apply (entry {second.entry_ids[0]} "
                            f"reversed by entry {done.entry_ids[0]})")
    with pytest.raises(ActionError, match=(
            f"^entry {second.entry_ids[0]} was undone already \\(reversed by entry "
            f"{done.entry_ids[0]}\\): nothing undone$")):
        act(practice, undo, ident, entry_id=second.entry_ids[0])
    assert item(practice, ident) == ("open", 3400)
    assert reverses(practice, first.entry_ids[0]) is None
    assert practice.balances("PCN1") == ("70.00", "0.00")


def test_undo_of_an_entry_that_is_not_the_items_latest_action_is_refused(
        practice: Practice) -> None:
    ident = paid_before_billed(practice)
    first = act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    second = act(practice, apply_cash, ident, "PCN1")
    with pytest.raises(ActionError, match=(
            f"^entry {first.entry_ids[0]} is not review item {ident}'s latest standing "
            f"action \\(entry {second.entry_ids[0]} is\\): nothing undone$")):
        act(practice, undo, ident, entry_id=first.entry_ids[0])
    assert item(practice, ident) == ("resolved", 0)


def test_cli_undo_entry_retried_exits_65_and_leaves_the_earlier_action_standing(
        practice: Practice, database_url: str) -> None:
    runner = CliRunner()
    ident = paid_before_billed(practice)
    first = act(practice, apply_cash, ident, "PCN1", amount_cents=3000)
    second = act(practice, apply_cash, ident, "PCN1")
    entry = second.entry_ids[0]

    def cli(*args: str, **env: str) -> Any:
        return runner.invoke(main, ["--db", database_url, "--actor", "sam", "queue", "undo",
                                    str(ident), *args], env=env)

    done = cli("--entry", str(entry))
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"review item {ident}: undid apply (entry {entry} reversed "
                                  "by entry ")
    again = cli(EDI_POSTING_QUEUE_ENTRY=str(entry))
    assert again.exit_code == 65
    assert again.stderr.startswith(f"edi-posting: entry {entry} was undone already ")
    assert reverses(practice, first.entry_ids[0]) is None
    assert item(practice, ident) == ("open", 3400)
