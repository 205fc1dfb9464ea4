"""Importing a payment of a claim its payer already adjudicated (issue 19): nothing posts twice.

A payer that pays the same claim twice sends its adjudication twice (the same contractual
and patient-responsibility adjustments).  The first posted them; a second payment of the
same lines, matched at import by PCN or by the scored fallback, must neither post them
again nor put its cash on the claim silently: its cash waits in unapplied cash, owned by
one ``unmatched_payment`` item (``DUPLICATE_PAYMENT``) naming the earlier payment and the
claim.  Lines not adjudicated yet, corrections after a reversal, payments after a denial
and another payer's payments post as usual.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ClaimPayment, ReviewItem
from edi_posting.importing.units import ImportOptions
from edi_posting.review.money import accept_match
from edi_posting.review.undo import undo
from tests.test_queue_money import act, assert_queue_equals_ledger, claim_id
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

VISIT = (("HC:99213", "178.75"),)
PAID = svc("99213", "178.75", "96.77", "CO*45*37.77", "PR*2*44.21")
FIRST = clp("PCN1", "1", "178.75", "96.77", "44.21", "ICN1", PAID)
REVERSED = clp("PCN1", "22", "-178.75", "-96.77", "-44.21", "ICN1",
               svc("99213", "-178.75", "-96.77", "CO*45*-37.77", "PR*2*-44.21"))
CORRECTED = clp("PCN1", "1", "178.75", "96.77", "44.21", "ICN2", PAID)
TWO_LINES = (("HC:99213", "100"), ("HC:99214", "78.75"))
PART_ONE = clp("PCN1", "1", "100", "64", "16", "ICNA", "MOA***MA15~",
               svc("99213", "100", "64", "CO*45*20", "PR*2*16"))
PART_TWO = clp("PCN1", "1", "78.75", "32.77", "28.21", "ICNB", "MOA***MA15~",
               svc("99214", "78.75", "32.77", "CO*45*17.77", "PR*2*28.21"))


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    assert_queue_equals_ledger(p)  # ledger check clean, the queue owns every unapplied dollar
    p.close()


def _duplicate_item(practice: Practice) -> Any:
    with practice.engine.connect() as conn:
        return conn.execute(select(ReviewItem).where(
            ReviewItem.problem_code == "DUPLICATE_PAYMENT")).one()


def _payment_id(practice: Practice, icn: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ClaimPayment.id).where(
            ClaimPayment.payer_claim_control_number == icn)).scalar_one())


def test_the_same_claim_paid_by_a_second_835_is_held_with_an_item_naming_the_first(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    second = practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2",
                                    date="20260320"))
    assert (second.posted, second.queued, second.unapplied_cents) == (0, 1, 9677)
    assert practice.balances("PCN1") == ("0.00", "44.21")  # patient share not doubled
    assert practice.items() == [("unmatched_payment", "PCN1")]
    held = _duplicate_item(practice)
    first = _payment_id(practice, "ICN1")
    assert (held.status, held.amount_cents) == ("open", 9677)
    assert held.claim_payment_id == _payment_id(practice, "ICN2")
    assert (f"claim payment {first} (835 TRACE1 of 2026-03-10, 96.77 paid)"
            in held.message)
    assert [c["claim_id"] for c in held.evidence["candidates"]] == [claim_id(practice, "PCN1")]
    assert held.evidence["earlier_payments"] == [
        {"claim_payment_id": first, "trace_number": "TRACE1", "payment_date": "2026-03-10",
         "paid": "96.77"}]
    assert practice.states() == [("PCN1", "1", "posted"), ("PCN1", "1", "duplicate")]


def test_a_fallback_match_with_a_slightly_different_pcn_onto_a_paid_claim_is_held(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    second = practice.receive(remit("96.77", FIRST.replace("CLP*PCN1*", "CLP*PCN1X*")
                                    .replace("ICN1", "ICN2"), trace="TRACE2"))
    assert (second.posted, second.queued) == (0, 1)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert _duplicate_item(practice).kind == "unmatched_payment"


def test_an_original_arriving_after_its_reversal_and_correction_is_held(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("0", REVERSED, CORRECTED, trace="TRACE2", method="NON"))
    assert practice.balances("PCN1") == ("0.00", "44.21")  # the correction posted
    late = practice.receive(remit("96.77", FIRST, trace="TRACE1"))
    assert (late.posted, late.queued, late.unapplied_cents) == (0, 1, 9677)
    assert practice.balances("PCN1") == ("0.00", "44.21")  # not 88.42
    assert practice.items() == [("orphan_reversal", "PCN1"), ("unmatched_payment", "PCN1")]
    assert f"claim payment {_payment_id(practice, 'ICN2')} (835 TRACE2" in (
        _duplicate_item(practice).message)


def test_the_second_part_of_a_split_claim_posts_its_own_lines(practice: Practice) -> None:
    practice.bill(("PCN1", TWO_LINES))
    practice.receive(remit("64", PART_ONE))
    second = practice.receive(remit("32.77", PART_TWO, trace="TRACE2"))
    assert (second.posted, second.queued) == (1, 0)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert practice.items() == []


def test_a_correction_after_a_reversal_in_a_later_835_posts(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("0", REVERSED, trace="TRACE2", method="NON",
                           plb="PLB*1234567893*20261231*FB:ICN1*-96.77~"))
    assert practice.items("open") == [("awaiting_correction", "PCN1")]
    corrected = practice.receive(remit("0", CORRECTED, trace="TRACE3", method="NON",
                                       plb="PLB*1234567893*20261231*FB:ICN1*96.77~"))
    assert (corrected.posted, corrected.queued) == (1, 0)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert practice.items("open") == []


def test_a_reversal_and_correction_in_one_835_after_the_original_post(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    result = practice.receive(remit("0", REVERSED, CORRECTED, trace="TRACE2", method="NON"))
    assert (result.posted, result.queued) == (2, 0)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert practice.items() == []


def test_a_denial_that_posted_nothing_does_not_hold_a_later_payment(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "178.75", "0", "0", "ICN0",
                                    svc("99213", "178.75", "0", "CO*16*178.75")),
                           method="NON", trace="TRACE0"))
    paid = practice.receive(remit("96.77", FIRST))
    assert (paid.posted, paid.queued) == (1, 0)
    assert practice.balances("PCN1") == ("0.00", "44.21")


def test_a_secondary_payers_payment_of_the_same_lines_posts(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST.replace("CLP*PCN1*1*", "CLP*PCN1*19*").replace(
        "ZQM000111~", "ZQM000111~\nNM1*TT*2*SECOND PLAN*****PI*1999999999~")))
    assert practice.balances("PCN1") == ("44.21", "0.00")  # owed by the secondary payer
    secondary = remit("44.21", clp("PCN1", "2", "178.75", "44.21", "0", "ICNS", svc(
        "99213", "178.75", "44.21", "CO*45*37.77", "OA*23*96.77")), trace="TRACES").replace(
        "TRN*1*TRACES*1512345678", "TRN*1*TRACES*1999999999").replace(
        "N1*PR*ACME HEALTH", "N1*PR*SECOND PLAN")
    result = practice.receive(secondary)
    assert result.posted == 1
    assert "unmatched_payment" not in [kind for kind, _ in practice.items()]


def test_the_same_claim_paid_twice_in_one_835_posts_once(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    result = practice.receive(remit("193.54", FIRST, FIRST.replace("ICN1", "ICN2")))
    assert (result.posted, result.queued, result.unapplied_cents) == (1, 1, 9677)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert _duplicate_item(practice).claim_payment_id == _payment_id(practice, "ICN2")


def test_a_held_duplicate_accepted_with_confirm_leaves_a_credit_with_its_item(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2"))
    result = act(practice, accept_match, _duplicate_item(practice).id, confirm=True)
    assert result.status == "resolved"
    assert practice.balances("PCN1") == ("-96.77", "44.21")  # cash only: a credit to refund
    assert practice.items("open") == [("credit_balance", "PCN1")]
    assert_queue_equals_ledger(practice)


def test_a_plb_wo_recovering_a_held_duplicate_takes_its_cash_back_from_unapplied(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT), ("PCN2", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2"))
    held = _duplicate_item(practice)
    other = clp("PCN2", "1", "178.75", "96.77", "44.21", "ICN3", PAID)
    part = practice.receive(remit("56.77", other, trace="TRACE3",
                                  plb="PLB*1234567893*20261231*WO:ICN2*40~"))
    assert part.unapplied_cents == -4000  # 40.00 of the held 96.77 went back to the payer
    assert (_duplicate_item(practice).status, _duplicate_item(practice).amount_cents) == (
        "open", 5677)
    assert practice.balances("PCN1") == ("0.00", "44.21")  # the claim never moved
    rest = practice.receive(remit("0", trace="TRACE4", method="NON",
                                  plb="PLB*1234567893*20261231*WO:ICN2*56.77*L6*-56.77~"))
    assert rest.unapplied_cents == -5677
    assert (_duplicate_item(practice).status, _duplicate_item(practice).amount_cents) == (
        "resolved", 0)
    assert held.id == _duplicate_item(practice).id
    assert practice.items("open") == []


def test_the_payers_reversal_of_a_held_duplicate_takes_its_cash_back_and_resolves_its_item(
        practice: Practice) -> None:
    practice.bill(("PCN1", VISIT), ("PCN2", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2"))
    other = clp("PCN2", "1", "178.75", "96.77", "44.21", "ICN3", PAID)
    result = practice.receive(remit("0", REVERSED.replace("ICN1", "ICN2"), other,
                                    trace="TRACE3", method="NON"))
    assert (result.posted, result.unapplied_cents) == (2, -9677)
    held = _duplicate_item(practice)
    assert (held.status, held.amount_cents) == ("resolved", 0)
    assert practice.items("open") == []  # no orphan reversal, nothing awaits a correction
    assert practice.balances("PCN1") == ("0.00", "44.21")  # the first payment stands
    assert [s for _, _, s in practice.states()] == ["posted", "reversed", "reversal", "posted"]


def test_undoing_the_accepted_duplicate_holds_it_again(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2"))
    held = _duplicate_item(practice).id
    act(practice, accept_match, held, confirm=True)
    act(practice, undo, held, reason="wrong claim")
    assert (_duplicate_item(practice).status, _duplicate_item(practice).amount_cents) == (
        "open", 9677)
    assert practice.balances("PCN1") == ("0.00", "44.21")
    assert practice.states()[-1] == ("PCN1", "1", "duplicate")


def test_dry_run_shows_the_duplicate_held(database_url: str, practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.options = ImportOptions(actor="tester", dry_run=True)
    plan = practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"),
                                  trace="TRACE2")).plan
    assert [(p["claim"], p["decision"], p["reviews"]) for p in plan] == [
        ("PCN1", "duplicate", ["unmatched_payment"])]
    assert plan[0]["entries"] == [{"kind": "unapplied", "lines": [
        {"account": "cash_clearing", "amount": "96.77"},
        {"account": "unapplied_cash", "amount": "-96.77"}]}]
    assert practice.items() == []


def test_cli_dry_run_prints_the_duplicate_held_and_writes_nothing(
        database_url: str, practice: Practice, tmp_path: Path) -> None:
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    path = write_x12(tmp_path, build_x12(remit("96.77", FIRST.replace("ICN1", "ICN2"),
                                               trace="TRACE2"), interchange_control="000000777"),
                     "again.835")
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    plan = result.stdout.split("(dry run, nothing written):\n", 1)[1].splitlines()
    assert plan[1].split()[:4] == ["PCN1", "1", "96.77", "duplicate"]
    assert plan[1].split()[-1] == "unmatched_payment"
    assert "unapplied_cash -96.77" in plan[1]
    assert practice.items() == [] and practice.balances("PCN1") == ("0.00", "44.21")


def test_a_forwarded_claim_paid_again_by_the_same_payer_is_held(practice: Practice) -> None:
    practice.bill(("PCN1", VISIT))
    forwarded = FIRST.replace("CLP*PCN1*1*", "CLP*PCN1*19*").replace(
        "ZQM000111~", "ZQM000111~\nNM1*TT*2*SECOND PLAN*****PI*1999999999~")
    practice.receive(remit("96.77", forwarded))
    again = practice.receive(remit("96.77", forwarded.replace("ICN1", "ICN2"), trace="TRACE2"))
    assert (again.posted, again.queued, again.unapplied_cents) == (0, 1, 9677)
    assert practice.balances("PCN1") == ("44.21", "0.00")  # still owed by the next payer once


def test_cli_rematch_of_a_held_duplicate_says_to_accept_it_with_confirm(
        database_url: str, practice: Practice) -> None:
    """A held duplicate is matched already (to a claim its payer paid): ``rematch`` refuses
    it (exit 65) saying what to do, not that it is no unmatched payment."""
    practice.bill(("PCN1", VISIT))
    practice.receive(remit("96.77", FIRST))
    practice.receive(remit("96.77", FIRST.replace("ICN1", "ICN2"), trace="TRACE2"))
    held, first = _duplicate_item(practice).id, _payment_id(practice, "ICN1")
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", "queue",
                                       "rematch", str(held)])
    assert result.exit_code == 65
    assert result.stderr.splitlines() == [
        (f"edi-posting: review item {held} holds a duplicate payment of claim PCN1 (its payer "
         f"paid these lines in claim payment {first}): accept it with `queue accept-match "
         f"{held} --confirm` (cash only, a credit to refund) or leave it open until its payer "
         "takes the cash back (its reversal or a PLB WO resolves it)"),
        "edi-posting: rematched 1 item(s); 0 applied; 1 refused"]
    assert _duplicate_item(practice).status == "open"
