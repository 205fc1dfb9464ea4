"""No dead ends (issue 19, §3): every open dollar has exactly one owner, every item can close.

Each observed dead end, written in X12 inside the test: a 0.00 unmatched payment no one
could close, a balancing failure whose CO/PR stayed unposted with nothing tracking them,
a `rematch` batch rolled back whole for one item, and an applied orphan reversal or a
placed PLB reopening a balance no item owned.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ReviewItem
from edi_posting.review.actions import ActionError, dismiss
from edi_posting.review.money import apply_cash
from edi_posting.review.plb_placement import place_plb
from edi_posting.review.post_as_sent import post_as_sent
from tests.test_queue_money import (
    OFFICE_VISIT,
    PAID_WITH_SHARES,
    act,
    entry_lines,
    events,
    item,
    item_id,
    stranger,
)
from tests.x835 import Practice, clp, remit, svc


def _open(practice: Practice, kind: str) -> list[tuple[int, int]]:
    """(id, amount) of the open items of a kind."""
    with practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(ReviewItem.id, ReviewItem.amount_cents).where(
                ReviewItem.kind == kind, ReviewItem.status.in_(("open", "in_progress")))
            .order_by(ReviewItem.id))]


# --- a 0.00 unmatched payment ----------------------------------------------------------------


def test_an_unmatched_payment_of_nothing_can_be_dismissed_with_a_reason(practice: Practice) -> None:
    practice.receive(remit("0", stranger("ZZNONE1", "100", "0", svc("99213", "100", "0",
                                                                    "CO*45*100")), method="NON"))
    ident = item_id(practice, "unmatched_payment")
    assert item(practice, ident) == ("open", 0)
    act(practice, dismiss, ident, "zero payment for a patient we never saw")
    assert item(practice, ident) == ("dismissed", 0)


def test_an_unmatched_payment_holding_money_still_cannot_be_dismissed(practice: Practice) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    with pytest.raises(ActionError, match="holds money"):
        act(practice, dismiss, item_id(practice, "unmatched_payment"), "not ours")


# --- a balancing failure -----------------------------------------------------------------------

# CLP03 100 - CO 20 - PR 16 = 64, but CLP04 says 65: the claim does not balance by 1.00
UNBALANCED = clp("PCN1", "1", "100", "65", "16", "ICN1",
                 svc("99213", "100", "65", "CO*45*20", "PR*2*16"))


def _held(practice: Practice) -> int:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("65", UNBALANCED))
    ident = item_id(practice, "balancing_failure")
    assert item(practice, ident) == ("open", 6500)
    return ident


def test_applying_a_balancing_failures_cash_keeps_it_open_for_its_adjustments(
        practice: Practice) -> None:
    ident = _held(practice)
    result = act(practice, apply_cash, ident, "PCN1")
    assert result.message == (f"review item {ident}: applied 65.00 to claim PCN1; 0.00 left "
                              "unapplied; its adjustments are not posted: the item stays open "
                              "for `queue post-as-sent`")
    assert item(practice, ident) == ("open", 0)
    assert practice.balances("PCN1") == ("35.00", "0.00")
    done = act(practice, post_as_sent, ident, "payer confirmed the 835 by phone")
    assert entry_lines(practice, done.entry_ids[0]) == [
        ("contractual_adjustments", 2000, "45"), ("patient_ar", 1600, "2"),
        ("insurance_ar", -3600, None)]
    assert practice.balances("PCN1") == ("-1.00", "16.00")  # the 1.00 the 835 overpaid
    assert item(practice, ident) == ("resolved", 0)
    assert [i for i, _ in _open(practice, "credit_balance")] == list(done.opened_item_ids)


def test_post_as_sent_posts_the_835s_own_adjustments_and_its_cash(practice: Practice) -> None:
    ident = _held(practice)
    with pytest.raises(ActionError, match="needs a reason"):
        act(practice, post_as_sent, ident, " ")
    result = act(practice, post_as_sent, ident, "payer confirmed the 835 by phone")
    assert entry_lines(practice, result.entry_ids[0]) == [
        ("unapplied_cash", 6500, None), ("contractual_adjustments", 2000, "45"),
        ("patient_ar", 1600, "2"), ("insurance_ar", -10100, None)]
    assert practice.balances("PCN1") == ("-1.00", "16.00")
    assert item(practice, ident) == ("resolved", 0)
    assert events(practice, ident)[-1] == ("post-as-sent", "resolved")
    with pytest.raises(ActionError, match="resolved already"):
        act(practice, post_as_sent, ident, "again")


def test_post_as_sent_from_the_cli_needs_a_reason(practice: Practice, database_url: str) -> None:
    ident = _held(practice)
    runner = CliRunner()
    usage = runner.invoke(main, ["--db", database_url, "queue", "post-as-sent", str(ident)])
    assert usage.exit_code == 2
    done = runner.invoke(main, ["--db", database_url, "queue", "post-as-sent", str(ident),
                                "--reason", "payer confirmed"])
    assert done.exit_code == 0, done.output
    assert done.stdout == (f"review item {ident}: posted claim payment PCN1 as sent (65.00 "
                           "cash, 36.00 adjustments) to claim PCN1: payer confirmed\n")


# --- rematch in a batch --------------------------------------------------------------------------


def test_rematch_commits_and_reports_each_item_on_its_own(practice: Practice,
                                                          database_url: str) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    practice.receive(remit("64", PAID_WITH_SHARES.replace("PCN1", "PCN2")
                           .replace("ICN1", "ICN2"), trace="TRACE2"))
    first, second = (i for i, _ in _open(practice, "unmatched_payment"))
    practice.bill_unanswered(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    act(practice, apply_cash, first, "PCN1", amount_cents=1000)  # partly applied by hand
    result = CliRunner().invoke(main, ["--db", database_url, "queue", "rematch", str(first),
                                       str(second)])
    assert result.exit_code == 65
    assert result.stdout == (f"review item {second}: applied 64.00 to claim PCN2 (lines posted "
                             "by the posting rules); 0.00 left unapplied\n")
    assert (f"review item {first} was applied in part already: apply the rest with "
            "`queue apply`") in result.stderr
    assert item(practice, second) == ("resolved", 0)
    assert item(practice, first) == ("open", 5400)
    every = CliRunner().invoke(main, ["--db", database_url, "queue", "rematch", "--all"])
    assert every.exit_code == 0, every.output  # the partly applied item is not rematchable


# --- balances a reversal or a recovery reopened --------------------------------------------


def test_an_applied_orphan_reversal_opens_an_item_owning_the_balance_it_reopened(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("20", clp("PCN1", "22", "-100", "-60", "0", "ICN0", svc(
        "99213", "-100", "-60", "CO*45*-40")), clp("PCN1", "1", "100", "80", "0", "ICN1",
                                                   svc("99213", "100", "80", "CO*45*20"))))
    ident = item_id(practice, "orphan_reversal")
    assert practice.balances("PCN1") == ("0.00", "0.00")
    result = act(practice, apply_cash, ident, "PCN1")
    assert practice.balances("PCN1") == ("60.00", "0.00")
    [(owner, amount)] = _open(practice, "awaiting_correction")
    assert amount == -6000 and result.opened_item_ids == (owner,)


def test_a_placed_plb_recovery_opens_an_item_owning_the_balance_it_reopened(
        practice: Practice) -> None:
    practice.bill(("PCN2", OFFICE_VISIT))
    practice.receive(remit("60", clp("PCN2", "1", "100", "100", "0", "ICN3",
                                     svc("99213", "100", "100")),
                           plb="PLB*1234567893*20261231*WO:OLDREF77*40~"))
    assert practice.balances("PCN2") == ("0.00", "0.00")
    result = act(practice, place_plb, item_id(practice, "unlinked_plb"), pcn="PCN2",
                 note="payer letter names PCN2")
    assert practice.balances("PCN2") == ("40.00", "0.00")  # the payer took 40.00 back
    [(owner, amount)] = _open(practice, "awaiting_correction")
    assert amount == -4000 and result.opened_item_ids == (owner,)
