"""Applying a payment onto a claim its payer already adjudicated (issue 19, §2).

The same payer pays a claim twice: once under the claim's own PCN (posted at import), once
under a PCN that matches nothing (queued as an unmatched payment).  Applying the second
onto the claim must not post the 835's adjustments a second time: only its cash posts, the
duplicate becoming a credit on that payer's side, and only after the specialist confirmed.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ClaimPayment
from edi_posting.review.money import ConfirmationNeeded, accept_match, apply_cash
from tests.test_queue_money import (
    act,
    claim_id,
    entry_lines,
    item,
    item_id,
    stranger,
)
from tests.x835 import Practice, clp, remit, svc

VISIT = (("HC:99213", "178.75"),)
FIRST = clp("PCN1", "1", "178.75", "96.77", "44.21", "ICN1",
            svc("99213", "178.75", "96.77", "CO*45*37.77", "PR*2*44.21"))
AGAIN = stranger("ZZWRONG9", "178.75", "96.77",
                 svc("99213", "178.75", "96.77", "CO*45*37.77", "PR*2*44.21"))



def _paid_then_paid_again(practice: Practice) -> int:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", AGAIN, trace="TRACE2", date="20260320"))
    assert practice.balances("PCN1") == ("0.00", "44.21")
    return item_id(practice, "unmatched_payment")


def _first_payment(practice: Practice) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ClaimPayment.id).where(
            ClaimPayment.patient_control_number == "PCN1")).scalar_one())


def test_apply_onto_a_claim_the_payer_adjudicated_needs_confirming_and_posts_cash_only(
        practice: Practice) -> None:
    ident = _paid_then_paid_again(practice)
    with pytest.raises(ConfirmationNeeded) as refused:
        act(practice, apply_cash, ident, "PCN1")
    assert str(refused.value) == (
        f"claim PCN1 already carries this payer's adjudication of the same lines: claim "
        f"payment {_first_payment(practice)} (835 TRACE1 of 2026-03-10, 96.77 paid); applying "
        f"review item {ident} posts its cash only (96.77, no adjustments again) and leaves a "
        "credit balance of 96.77 on the payer's side: confirm to post it")
    assert practice.balances("PCN1") == ("0.00", "44.21")  # nothing posted
    assert item(practice, ident) == ("open", 9677)
    result = act(practice, apply_cash, ident, "PCN1", confirm=True)
    assert entry_lines(practice, result.entry_ids[0]) == [("unapplied_cash", 9677, None),
                                                          ("insurance_ar", -9677, None)]
    assert practice.balances("PCN1") == ("-96.77", "44.21")  # patient share not doubled
    assert len(result.opened_item_ids) == 1
    assert item(practice, result.opened_item_ids[0]) == ("open", 9677)
    assert item(practice, ident) == ("resolved", 0)


def test_accept_match_onto_an_adjudicated_claim_needs_confirming_too(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT), ("PCN2", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("CLP*PCN1*", "CLP*PCNX*")
                           .replace("ICN1", "ICN7"), trace="TRACE2"))
    [(kind, _)] = practice.items()
    ident = item_id(practice, kind)
    first = claim_id(practice, "PCN1")
    with pytest.raises(ConfirmationNeeded):
        act(practice, accept_match, ident, candidate_claim_id=first)
    act(practice, accept_match, ident, candidate_claim_id=first, confirm=True)
    assert practice.balances("PCN1") == ("-96.77", "44.21")


def test_a_split_claim_paid_in_two_parts_posts_the_second_parts_adjustments(
        practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"), ("HC:99214", "78.75"))))
    practice.receive(remit("64", clp("PCN1", "1", "100", "64", "16", "ICN1",
                                     svc("99213", "100", "64", "CO*45*20", "PR*2*16"))))
    practice.receive(remit("32.77", stranger("ZZWRONG9", "78.75", "32.77", svc(
        "99214", "78.75", "32.77", "CO*45*17.77", "PR*2*28.21")), trace="TRACE2"))
    result = act(practice, apply_cash, item_id(practice, "unmatched_payment"), "PCN1")
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 3277, None), ("contractual_adjustments", 1777, "45"),
        ("patient_ar", 2821, "2"), ("insurance_ar", -7875, None)]
    assert practice.balances("PCN1") == ("0.00", "44.21")


def test_lines_adjudicated_already_post_cash_alone_the_others_their_adjustments(
        practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"), ("HC:99214", "78.75"))))
    practice.receive(remit("64", clp("PCN1", "1", "100", "64", "16", "ICN1",
                                     svc("99213", "100", "64", "CO*45*20", "PR*2*16"))))
    practice.receive(remit("96.77", stranger(
        "ZZWRONG9", "178.75", "96.77", svc("99213", "100", "64", "CO*45*20", "PR*2*16"),
        svc("99214", "78.75", "32.77", "CO*45*17.77", "PR*2*28.21")), trace="TRACE2"))
    ident = item_id(practice, "unmatched_payment")
    with pytest.raises(ConfirmationNeeded, match=r"posts its cash \(96.77\), without "
                       "adjustments for the lines adjudicated already .* credit balance of "
                       "64.00"):
        act(practice, apply_cash, ident, "PCN1")
    result = act(practice, apply_cash, ident, "PCN1", confirm=True)
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 6400, None), ("insurance_ar", -6400, None),
        ("unapplied_cash", 3277, None), ("contractual_adjustments", 1777, "45"),
        ("patient_ar", 2821, "2"), ("insurance_ar", -7875, None)]
    assert practice.balances("PCN1") == ("-64.00", "44.21")


def test_cli_apply_onto_an_adjudicated_claim_says_what_it_would_do_and_exits_65(
        practice: Practice, database_url: str) -> None:
    ident = _paid_then_paid_again(practice)
    runner = CliRunner()
    base = ["--db", database_url, "queue", "apply", str(ident), "--claim", "PCN1"]
    refused = runner.invoke(main, base)
    assert refused.exit_code == 65
    assert refused.stdout == ""
    assert "posts its cash only (96.77, no adjustments again)" in refused.stderr
    assert "--confirm" in refused.stderr
    assert practice.balances("PCN1") == ("0.00", "44.21")
    done = runner.invoke(main, [*base, "--confirm"])
    assert done.exit_code == 0, done.output
    assert practice.balances("PCN1") == ("-96.77", "44.21")


def test_the_confirmation_names_the_payers_own_credit_while_the_next_payer_still_owes(
        practice: Practice) -> None:
    """A credit is owed to one side: the payer paid twice is in credit by the whole second
    payment, whatever the next payer (forwarded to, CLP02 19) still owes on the claim."""
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", clp(
        "PCN1", "19", "178.75", "96.77", "44.21", "ICN1", "NM1*TT*2*MEDIGAP PLAN*****PI*GAP01~",
        svc("99213", "178.75", "96.77", "CO*45*37.77", "PR*2*44.21"))))
    practice.receive(remit("96.77", AGAIN, trace="TRACE2", date="20260320"))
    assert practice.balances("PCN1") == ("44.21", "0.00")  # the Medigap plan owes
    ident = item_id(practice, "unmatched_payment")
    with pytest.raises(ConfirmationNeeded) as refused:
        act(practice, apply_cash, ident, "PCN1")
    assert str(refused.value).endswith(
        "leaves a credit balance of 96.77 on the payer's side: confirm to post it")
