"""`queue place-plb`: an unlinked PLB placed on its claim (a WO recovery clears the credit
it recovered) or kept in provider adjustments with a reason; the item resolves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import ProviderAdjustment, ReviewItem, SubmittedClaim
from edi_posting.review.actions import ActionError, dismiss
from edi_posting.review.money import apply_cash
from edi_posting.review.plb_placement import place_plb
from tests.test_queue_money import (
    OFFICE_VISIT,
    accept_duplicates,
    act,
    assert_queue_equals_ledger,
    item_id,
)
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    p.receive(remit("100", paid))
    p.receive(remit("100", paid.replace("ICN1", "ICN2"), trace="TRACE2"))  # paid twice
    accept_duplicates(p)  # the second payment held at import, accepted: a 100.00 credit
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


HELD_WITH_PLB = remit(  # 100.00 paid - 40.00 PLB is 60.00, but BPR02 says 10.00: held
    "10", clp("PCN2", "1", "100", "100", "0", "ICN9", svc("99213", "100", "100")),
    trace="TRACE9", plb="PLB*1234567893*20261231*WO:NOSUCHREF*40~")


def _held_plb_item(practice: Practice) -> int:
    """An ``unlinked_plb`` item for the held set's PLB, as the engine used to open them
    (databases imported before the fix still hold such items)."""
    from edi_posting.audit.writes import write_transaction
    from edi_posting.queue.items import ReviewDraft, open_review_items

    with practice.engine.connect() as conn:
        plb_id = conn.execute(select(ProviderAdjustment.id).where(
            ProviderAdjustment.reference_id == "NOSUCHREF")).scalar_one()
    key = f"unlinked_plb|plb:{plb_id}"
    with write_transaction(practice.engine) as conn:
        open_review_items(conn, [ReviewDraft(key, "unlinked_plb", "PLB WO 40.00 names no "
                                             "claim", amount_cents=4000)], "tester")
        return int(conn.execute(select(ReviewItem.id).where(
            ReviewItem.dedupe_key == key)).scalar_one())


def test_a_held_set_opens_no_unlinked_plb_item_for_money_that_never_posted(
        practice: Practice) -> None:
    before = practice.items()
    result = practice.receive(HELD_WITH_PLB)
    assert result.unapplied_cents == 1000  # BPR02 waits in unapplied cash, nothing else
    assert practice.items()[len(before):] == [("balancing_failure", None)]


def test_place_plb_refuses_an_item_whose_plb_never_posted(
        practice: Practice, database_url: str) -> None:
    practice.receive(HELD_WITH_PLB)
    stale = _held_plb_item(practice)
    for kwargs in ({"pcn": "PCN1"}, {"note": "a levy"}):
        with pytest.raises(ActionError, match="never posted"):
            act(practice, place_plb, stale, **kwargs)
    with pytest.raises(ActionError, match="holds no unapplied cash"):  # no other money action
        act(practice, apply_cash, stale, "PCN1")
    refused = CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", "queue",
                                        "place-plb", str(stale), "--claim", "PCN1"])
    assert refused.exit_code == 65 and "never posted" in refused.stderr
    assert practice.balances("PCN1") == ("-100.00", "0.00")  # nothing moved
    with practice.engine.connect() as conn:
        linked = conn.execute(select(ProviderAdjustment.linked_claim_id).where(
            ProviderAdjustment.reference_id == "NOSUCHREF")).scalar_one()
    assert linked is None
    act(practice, dismiss, stale, "its transaction set was held; BPR02 waits unapplied")
    assert (stale, "dismissed") in _statuses(practice)
    posted = item_id(practice, "unlinked_plb")  # the fixture's, which did post
    with pytest.raises(ActionError, match="holds money"):
        act(practice, dismiss, posted, "no")


def _statuses(practice: Practice) -> list[tuple[int, str]]:
    with practice.engine.connect() as conn:
        return [(i, s) for i, s in conn.execute(select(ReviewItem.id, ReviewItem.status))]
