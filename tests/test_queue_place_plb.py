"""`queue place-plb`: an unlinked PLB placed on its claim (a WO recovery clears the credit
it recovered) or kept in provider adjustments with a reason; the item resolves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ProviderAdjustment, SubmittedClaim
from edi_posting.plb_placement import place_plb
from edi_posting.review_actions import ActionError
from tests.test_queue_money import OFFICE_VISIT, act, assert_queue_equals_ledger, item_id
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    p.receive(remit("100", paid))
    p.receive(remit("100", paid.replace("ICN1", "ICN2"), trace="TRACE2"))  # paid twice
    p.receive(remit("60", clp("PCN2", "1", "100", "100", "0", "ICN3", svc("99213", "100", "100")),
                    trace="TRACE3", plb="PLB*1234567893*20261231*WO:OLDREF77*40~"))
    yield p
    assert_queue_equals_ledger(p)
    p.close()


def test_a_wo_placed_on_its_claim_moves_onto_the_claim_and_shrinks_the_credit(
        practice: Practice) -> None:
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    plb_item = item_id(practice, "unlinked_plb")
    result = act(practice, place_plb, plb_item, pcn="PCN1", note="payer letter names PCN1")
    assert result.message == (f"review item {plb_item}: PLB WO 40.00 placed on claim PCN1 "
                              "(moved onto its insurance receivable): payer letter names PCN1")
    assert practice.balances("PCN1") == ("-60.00", "0.00")
    assert practice.items("open") == [("credit_balance", "PCN1")]  # now carrying 60.00
    with practice.engine.connect() as conn:
        linked = conn.execute(select(SubmittedClaim.patient_control_number).join(
            ProviderAdjustment, ProviderAdjustment.linked_claim_id == SubmittedClaim.id)).all()
    assert linked == [("PCN1",)]
    with pytest.raises(ActionError, match="resolved already"):
        act(practice, place_plb, plb_item, pcn="PCN1", note="again")


def test_a_plb_that_belongs_to_no_claim_needs_a_reason(practice: Practice) -> None:
    plb_item = item_id(practice, "unlinked_plb")
    with pytest.raises(ActionError, match="--note"):
        act(practice, place_plb, plb_item)
    result = act(practice, place_plb, plb_item, note="payer's old system reference")
    assert result.status == "resolved" and not result.entry_ids
    assert practice.balances("PCN1") == ("-100.00", "0.00")


def test_place_plb_from_the_cli_and_refused_without_the_permission(
        practice: Practice, database_url: str) -> None:
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("aud", "auditor")):
        assert runner.invoke(main, ["--db", database_url, "--actor", "ada", "users", "add",
                                    name, "--role", role]).exit_code == 0
    plb_item = str(item_id(practice, "unlinked_plb"))
    refused = runner.invoke(main, ["--db", database_url, "--actor", "aud", "queue",
                                   "place-plb", plb_item, "--claim", "PCN1"])
    assert refused.exit_code == 77 and "permission denied (resolve)" in refused.stderr
    usage = runner.invoke(main, ["--db", database_url, "--actor", "sam", "queue", "place-plb",
                                 plb_item])
    assert usage.exit_code == 2
    done = runner.invoke(main, ["--db", database_url, "--actor", "sam", "queue", "place-plb",
                                plb_item, "--claim", "PCN1", "--note", "payer letter"])
    assert done.exit_code == 0, done.output
    assert done.stdout == (f"review item {plb_item}: PLB WO 40.00 placed on claim PCN1 "
                           "(moved onto its insurance receivable): payer letter\n")
