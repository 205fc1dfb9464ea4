"""Items found on the generator's 2,000-claim day that no documented command could finish, or
whose figures and messages misled (issue 23, "every open item can be understood from
`queue show` alone and finished with documented commands"), each written in X12 here."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from edi_posting.cli import main
from edi_posting.review.actions import dismiss
from tests.test_queue_money import OFFICE_VISIT, act, item, item_id
from tests.x835 import Practice, clp, remit, svc


def _show_actions(practice: Practice, ident: int) -> dict[str, str]:
    """The commands `queue show` lists under "to finish it", with what each does."""
    url = practice.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", url, "queue", "show", str(ident)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    found: dict[str, str] = {}
    for line in lines[lines.index("to finish it:") + 1:]:
        if line.startswith("      "):
            continue
        if not line.startswith("  edi-posting "):
            break
        command, does = line.split("  # ", 1)
        found[command.strip()] = does
    return found


def _cli(practice: Practice, *args: str) -> Any:
    url = practice.engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, ["--db", url, *args])


# --- an orphan reversal of 0.00 ------------------------------------------------------------

# the payer reverses a denial (nothing paid, CO-50 negated) whose original we never received
REVERSED_DENIAL = clp("PCN1", "22", "-100", "0", "0", "ICN0",
                      svc("99213", "-100", "0", "CO*50*-100"))


def test_an_orphan_reversal_of_nothing_is_dismissed_as_queue_show_offers(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", REVERSED_DENIAL, method="NON"))
    ident = item_id(practice, "orphan_reversal")
    assert item(practice, ident) == ("open", 0)
    offered = _show_actions(practice, ident)
    assert f"edi-posting queue dismiss {ident} --reason WHY" in offered
    assert f"edi-posting queue apply {ident} --claim PCN1" not in offered  # no cash to apply
    assert not any(" write-off " in command for command in offered)  # nothing reopened
    act(practice, dismiss, ident, "reversal of a denial we never received")
    assert item(practice, ident) == ("dismissed", 0)


# --- an awaiting_correction worked to zero -------------------------------------------------


def _reversed_alone(practice: Practice, paid: tuple[str, ...], reversed_: tuple[str, ...],
                    amount: str = "80") -> int:
    """Paid in one 835, reversed in the next without its correction: awaiting_correction."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit(amount, clp("PCN1", "1", "100", amount, "0", "ICN1",
                                       svc("99213", "100", amount, *paid)), trace="EFT1"))
    practice.receive(remit(f"-{amount}", clp("PCN1", "22", "-100", f"-{amount}", "0", "ICN1",
                                             svc("99213", "-100", f"-{amount}", *reversed_)),
                           trace="EFT2"))
    return item_id(practice, "awaiting_correction")


def test_writing_off_an_awaiting_corrections_balance_closes_it(practice: Practice) -> None:
    from edi_posting.review.balances import write_off

    ident = _reversed_alone(practice, ("CO*45*20",), ("CO*45*-20",))
    assert practice.balances("PCN1") == ("100.00", "0.00")
    offered = _show_actions(practice, ident)
    assert offered[f"edi-posting queue write-off {ident} --reason CODE --note WHY"] == (
        "write the reopened balance off (the item closes when it is settled)")
    part = act(practice, write_off, ident, "other", note="small balance", amount_cents=4000)
    assert part.status == "open" and item(practice, ident)[0] == "open"
    rest = act(practice, write_off, ident, "other", note="payer will not correct")
    assert rest.status == "resolved"
    assert rest.message.endswith("; the reversing payer's balance on the claim is settled")
    assert item(practice, ident) == ("resolved", 0)
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_transferring_an_awaiting_corrections_balance_to_the_patient_closes_it(
        practice: Practice) -> None:
    from edi_posting.review.balances import transfer

    ident = _reversed_alone(practice, ("PR*2*20",), ("PR*2*-20",))
    assert practice.balances("PCN1") == ("100.00", "0.00")
    done = act(practice, transfer, ident, to="patient")
    assert done.status == "resolved" and item(practice, ident) == ("resolved", 0)
    assert practice.balances("PCN1") == ("0.00", "100.00")


# --- what closed items still own ----------------------------------------------------------


def test_an_awaiting_correction_closed_by_its_correction_counts_nothing_in_queue_stats(
        practice: Practice) -> None:
    ident = _reversed_alone(practice, ("CO*45*20",), ("CO*45*-20",))
    assert item(practice, ident) == ("open", -8000)
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1",
                                     svc("99213", "100", "70", "CO*45*30")), trace="EFT3"))
    assert item(practice, ident) == ("resolved", 0)  # what it still owns
    stats = _cli(practice, "queue", "stats", "--format", "csv")
    assert stats.exit_code == 0, stats.output
    [row] = [line for line in stats.stdout.splitlines() if line.startswith("awaiting_correction,")]
    assert row.split(",")[1] == "resolved" and row.split(",")[-2:] == ["1", "0.00"]


# --- one score for import and rematch -----------------------------------------------------


def test_rematch_scores_a_candidate_as_import_did_for_a_payer_learnt_from_the_set(
        practice: Practice) -> None:
    """The 835's payer is not known by any identifier yet: import learns it from the set's
    safe matches (PCN1 billed to it), so the candidate's payer agrees for import too."""
    from edi_posting.review.rematch import rematch

    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("160", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                      svc("99213", "100", "80", "CO*45*20")),
                           "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                           "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    ident = item_id(practice, "unmatched_payment")
    imported = practice.evidence("unmatched_payment")
    [candidate] = imported["candidates"]  # type: ignore[index]
    [again] = act(practice, rematch, [ident])
    assert f"candidate scores {candidate['score']} " in again.message
    assert "payer" in candidate["agreed"]


# --- a refused transfer states what can move now ------------------------------------------


def test_a_refused_transfer_to_the_patient_states_the_contractual_part_of_the_balance_now(
        practice: Practice) -> None:
    import pytest

    from edi_posting.review.actions import ActionError
    from edi_posting.review.balances import transfer, write_off

    practice.bill(("PCN1", (("HC:99213", "49.50"),)))
    practice.receive(remit("0", clp("PCN1", "4", "49.50", "0", "0", "ICN1",
                                    svc("99213", "49.50", "0", "CO*50*49.50")), method="NON"))
    ident = item_id(practice, "denial")
    act(practice, write_off, ident, "CO-50", note="part of it", amount_cents=2500)
    assert practice.balances("PCN1") == ("24.50", "0.00")
    with pytest.raises(ActionError) as refused:
        act(practice, transfer, ident, to="patient")
    assert str(refused.value) == (
        "24.50 of claim PCN1's balance with its payer (24.50) is contractual (CO-50 49.50 in "
        "its 835s), which the patient does not owe: at most 0.00 can go to the patient (an "
        "admin may override with --override-reason)")



# --- the dry run's English -----------------------------------------------------------------


def test_a_dry_run_names_each_item_it_would_open_with_its_article() -> None:
    from edi_posting.review.dry_run import Plan

    plan = Plan((), 8, "resolved", 0, (("awaiting_correction", -30167),
                                      ("credit_balance", 100), ("unmatched_payment", 5)))
    assert plan.describe()[2:] == [
        "would open an awaiting_correction review item (-301.67)",
        "would open a credit_balance review item (1.00)",
        "would open an unmatched_payment review item (0.05)"]


# --- a placed PLB owns nothing more --------------------------------------------------------


def test_a_placed_or_kept_plb_item_reads_what_it_still_owns(practice: Practice) -> None:
    from edi_posting.review.plb_placement import place_plb
    from edi_posting.review.undo import undo

    practice.bill(("PCN2", OFFICE_VISIT))
    practice.receive(remit("60", clp("PCN2", "1", "100", "100", "0", "ICN3",
                                     svc("99213", "100", "100")),
                           plb="PLB*1234567893*20261231*WO:OLDREF77*40~"))
    ident = item_id(practice, "unlinked_plb")
    assert item(practice, ident) == ("open", 4000)
    act(practice, place_plb, ident, pcn="PCN2", note="payer letter names PCN2")
    assert item(practice, ident) == ("resolved", 0)
    act(practice, undo, ident, reason="wrong claim")
    assert item(practice, ident) == ("open", 4000)  # back with what it held
    act(practice, place_plb, ident, note="the payer's letter names no claim of ours")
    assert item(practice, ident) == ("resolved", 0)


# --- a balancing failure whose cash is applied --------------------------------------------


def test_a_balancing_failure_with_its_cash_applied_offers_post_as_sent_not_apply_again(
        practice: Practice) -> None:
    from edi_posting.review.money import apply_cash

    practice.bill(("PCN1", OFFICE_VISIT))  # 100 - CO 20 - PR 16 = 64, but CLP04 says 65
    practice.receive(remit("65", clp("PCN1", "1", "100", "65", "16", "ICN1",
                                     svc("99213", "100", "65", "CO*45*20", "PR*2*16"))))
    ident = item_id(practice, "balancing_failure")
    act(practice, apply_cash, ident, "PCN1")
    assert item(practice, ident) == ("open", 0)
    offered = _show_actions(practice, ident)
    assert f"edi-posting queue post-as-sent {ident} --reason WHY" in offered
    assert not any(command.startswith(f"edi-posting queue apply {ident} ")
                   for command in offered)
