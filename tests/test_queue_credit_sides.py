"""Every open dollar of credit has exactly one owner: the side it is owed to (issue 19).

A credit is a debt to one party: the payer who overpaid (each payer's insurance
receivable below zero) or the patient (the patient receivable below zero).  Each side in
credit is owned by its own open ``credit_balance`` item carrying exactly that side's
credit; another payer still owing on the same claim never nets it away.  Scenarios are
written in X12 inside the tests; `ledger check` must be clean after every step.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert, select, update

from edi_posting.audit.writes import write_transaction
from edi_posting.db.models import Payer, ReviewItem, SubmittedClaim
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.queue.credit_sides import ordered, side_credits
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.review.refunds import reapply, refund
from edi_posting.review.undo import undo
from tests.test_queue_money import OFFICE_VISIT, accept_duplicates, act, claim_id, events
from tests.x835 import Practice, clp, remit, svc


def _violations(practice: Practice) -> list[tuple[str, str]]:
    with practice.engine.connect() as conn:
        return [(v.check, v.message) for v in check_ledger(conn)]


def _credit_items(practice: Practice, status: str = "open") -> list[tuple[int, int | None, int]]:
    """(id, payer id, amount) of the credit items in that status, in the order opened."""
    with practice.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(  # type: ignore[misc]
            select(ReviewItem.id, ReviewItem.payer_id, ReviewItem.amount_cents)
            .where(ReviewItem.kind == "credit_balance", ReviewItem.status == status)
            .order_by(ReviewItem.id))]


def _payer(practice: Practice, name: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(Payer.id).where(Payer.name == name)).scalar_one())


def _primary_overpays_secondary_owes(practice: Practice) -> int:
    """ACME forwards the claim to a Medigap plan (PR 60.00 now owed by the plan), then pays
    the claim again in full: ACME's side is 100.00 in credit while the plan still owes
    60.00.  Returns the claim's id."""
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("40", clp(
        "PCN1", "19", "100", "40", "60", "ICN1", "NM1*TT*2*MEDIGAP PLAN*****PI*GAP01~",
        svc("99213", "100", "40", "PR*1*60", line_control="PCN1-1"))))
    practice.check()
    practice.receive(remit("100", clp("PCN1", "1", "100", "100", "0", "ICN2",
                                      svc("99213", "100", "100")), trace="TRACE2"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    practice.check()
    return claim_id(practice, "PCN1")


def test_a_payer_in_credit_is_owned_whole_while_another_payer_on_the_claim_still_owes(
        practice: Practice) -> None:
    _primary_overpays_secondary_owes(practice)
    assert practice.balances("PCN1") == ("-40.00", "0.00")  # -100.00 ACME, +60.00 Medigap
    assert [(payer, cents) for _, payer, cents in _credit_items(practice)] == [
        (_payer(practice, "ACME HEALTH"), 10000)]


def test_refunding_the_overpaying_payer_leaves_no_credit_untracked(practice: Practice) -> None:
    _primary_overpays_secondary_owes(practice)
    [(ident, _, _)] = _credit_items(practice)
    part = act(practice, refund, ident, "paid twice", amount_cents=4000)
    assert part.amount_cents == 4000 and part.status == "open"
    assert _credit_items(practice) == [(ident, _payer(practice, "ACME HEALTH"), 6000)]
    practice.check()
    rest = act(practice, refund, ident, "paid twice")
    assert rest.amount_cents == 6000 and rest.status == "resolved"
    assert practice.balances("PCN1") == ("60.00", "0.00")  # Medigap still owes its 60.00
    assert _credit_items(practice) == []


def test_a_refund_never_takes_more_than_its_sides_credit(practice: Practice) -> None:
    _primary_overpays_secondary_owes(practice)
    [(ident, _, _)] = _credit_items(practice)
    from edi_posting.review.actions import ActionError
    with pytest.raises(ActionError, match="at most 100.00"):
        act(practice, refund, ident, "paid twice", amount_cents=10001)


def test_ledger_check_reports_a_payers_credit_no_item_owns_while_another_payer_owes(
        practice: Practice) -> None:
    claim = _primary_overpays_secondary_owes(practice)
    acme = _payer(practice, "ACME HEALTH")
    assert _violations(practice) == []
    with practice.engine.begin() as conn:  # what netting the payers together used to show
        conn.execute(update(ReviewItem).where(ReviewItem.kind == "credit_balance")
                     .values(amount_cents=4000))
    assert _violations(practice) == [(
        "queue_carries_credit_balances",
        f"claim {claim}, payer {acme}'s side: ledger credit 100.00, queue shows 40.00")]
    with practice.engine.begin() as conn:
        conn.execute(update(ReviewItem).where(ReviewItem.kind == "credit_balance")
                     .values(amount_cents=10000, status="dismissed"))
    assert _violations(practice) == [(
        "queue_carries_credit_balances",
        f"claim {claim}, payer {acme}'s side: ledger credit 100.00, queue shows 0.00")]
    with practice.engine.begin() as conn:  # put back, so the fixture's check holds
        conn.execute(update(ReviewItem).where(ReviewItem.kind == "credit_balance")
                     .values(status="open"))


def _desk_payment(practice: Practice, claim: int, cents: int, key: str) -> None:
    """The patient pays at the desk what insurance then covers: the patient side in credit."""
    with write_transaction(practice.engine) as conn:
        account = conn.execute(select(SubmittedClaim.patient_account_id)
                               .where(SubmittedClaim.id == claim)).scalar_one()
        entry = write_entries(conn, [EntryDraft(key, "manual", dt.date(2026, 3, 1), (
            Posting("cash_clearing", cents), Posting("patient_ar", -cents,
                                                     patient_account_id=account,
                                                     submitted_claim_id=claim)))], "desk")[0]
        refresh_credit_balances(conn, [claim], actor="desk", cause="desk payment",
                                entry_id=entry)


def test_the_patients_credit_is_its_own_item_beside_the_payers(practice: Practice) -> None:
    claim = _primary_overpays_secondary_owes(practice)
    _desk_payment(practice, claim, 3000, "desk:1")
    acme = _payer(practice, "ACME HEALTH")
    [(payer_item, _, _), (patient_item, _, _)] = _credit_items(practice)
    assert _credit_items(practice) == [(payer_item, acme, 10000), (patient_item, None, 3000)]
    practice.check()
    to_patient = act(practice, refund, patient_item, "overpaid at the desk")
    assert to_patient.amount_cents == 3000 and to_patient.status == "resolved"
    assert _credit_items(practice) == [(payer_item, acme, 10000)]


def test_equal_credits_of_a_known_and_an_unknown_payer_pick_a_side_without_error(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    claim = claim_id(practice, "PCN1")
    with write_transaction(practice.engine) as conn:  # 100.00 more from a payer not named
        account = conn.execute(select(SubmittedClaim.patient_account_id)
                               .where(SubmittedClaim.id == claim)).scalar_one()
        entry = write_entries(conn, [EntryDraft("lockbox:1", "manual", dt.date(2026, 3, 1), (
            Posting("cash_clearing", 10000), Posting(
                "insurance_ar", -10000, payer_id=None, patient_account_id=account,
                submitted_claim_id=claim)))], "desk")[0]
        refresh_credit_balances(conn, [claim], actor="desk", cause="lockbox", entry_id=entry)
    with practice.engine.connect() as conn:
        credits = side_credits(conn, [claim])[claim]
    first = ordered(credits)[0]  # most in credit; ties: the lower payer id, then none named
    assert (first.account, first.payer_id, credits[first]) == (
        "insurance_ar", _payer(practice, "ACME HEALTH"), 10000)
    assert sorted((payer is None, cents) for _, payer, cents in _credit_items(practice)) == [
        (False, 10000), (True, 10000)]


def test_a_claim_put_in_credit_by_plb_twice_gets_an_item_each_time(practice: Practice) -> None:
    """A PLB WO paid back to the provider (negative) on a settled claim puts the payer's
    side in credit; after that credit is refunded, the next one needs an item of its own."""
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT), ("PCN3", OFFICE_VISIT))
    practice.receive(remit("100", clp("PCN1", "1", "100", "100", "0", "ICN1",
                                      svc("99213", "100", "100"))))
    practice.receive(remit("150", clp("PCN2", "1", "100", "100", "0", "ICN2",
                                      svc("99213", "100", "100")),
                           trace="TRACE2", plb="PLB*1234567893*20261231*WO:ICN1*-50~"))
    [(first, _, cents)] = _credit_items(practice)
    assert cents == 5000
    practice.check()
    act(practice, refund, first, "paid back by PLB")
    practice.receive(remit("130", clp("PCN3", "1", "100", "100", "0", "ICN3",
                                      svc("99213", "100", "100")),
                           trace="TRACE3", plb="PLB*1234567893*20261231*WO:ICN1*-30~"))
    assert practice.balances("PCN1") == ("-30.00", "0.00")
    assert [cents for _, _, cents in _credit_items(practice)] == [3000]


def test_a_credit_opened_by_an_import_stays_one_item_through_queue_actions_and_imports(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    [(ident, acme, cents)] = _credit_items(practice)
    assert cents == 10000
    act(practice, reapply, ident, "PCN2", amount_cents=2500)
    assert _credit_items(practice) == [(ident, acme, 7500)]
    act(practice, undo, ident)
    assert _credit_items(practice) == [(ident, acme, 10000)]
    practice.receive(remit("100", payment.replace("ICN1", "ICN3"), trace="TRACE3"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    assert _credit_items(practice) == [(ident, acme, 20000)]


def test_an_open_item_stored_by_an_older_version_is_followed_not_duplicated(
        practice: Practice) -> None:
    """Items opened before credits had sides (keyed by claim payment or entry, evidence
    without a side) keep owning their claim's credit: the next change adopts them."""
    practice.bill(("PCN1", OFFICE_VISIT))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    [(ident, acme, cents)] = _credit_items(practice)
    assert cents == 10000
    claim = claim_id(practice, "PCN1")
    with practice.engine.begin() as conn:
        conn.execute(update(ReviewItem).where(ReviewItem.id == ident).values(
            dedupe_key=f"credit_balance|claim:{claim}|cp:2",
            evidence={"insurance": "-100.00", "patient": "0.00", "cause_claim_payment_id": 2}))
    assert _violations(practice) == []
    part = act(practice, refund, ident, "paid twice", amount_cents=1000)
    assert part.status == "open"
    assert _credit_items(practice) == [(ident, acme, 9000)]
    assert [a for a, _ in events(practice, ident)] == [
        "opened", "side_recorded", "refund", "amount_changed"]
    with practice.engine.connect() as conn:
        evidence = conn.execute(select(ReviewItem.evidence).where(ReviewItem.id == ident)
                                ).scalar_one()
    assert (evidence["side"], evidence["side_payer_id"]) == ("insurance", acme)
    practice.receive(remit("100", payment.replace("ICN1", "ICN3"), trace="TRACE3"))
    accept_duplicates(practice)  # held as a duplicate: its cash alone onto the claim
    assert _credit_items(practice) == [(ident, acme, 19000)]


def test_one_sides_credit_carried_by_two_open_items_is_reported(practice: Practice) -> None:
    claim = _primary_overpays_secondary_owes(practice)
    acme = _payer(practice, "ACME HEALTH")
    [(ident, _, _)] = _credit_items(practice)
    with practice.engine.begin() as conn:
        row = conn.execute(select(ReviewItem).where(ReviewItem.id == ident)).mappings().one()
        copy = {k: v for k, v in row.items() if k not in ("id", "dedupe_key")}
        conn.execute(insert(ReviewItem).values(**copy, dedupe_key="copy"))
        second = conn.execute(select(ReviewItem.id).where(ReviewItem.dedupe_key == "copy")
                              ).scalar_one()
    assert _violations(practice) == [
        ("queue_carries_credit_balances",
         f"claim {claim}, payer {acme}'s side: ledger credit 100.00, queue shows 200.00"),
        ("no_dollar_owned_twice",
         (f"claim {claim}, payer {acme}'s side: its credit is carried by open review items "
          f"{ident}, {second}"))]
    with practice.engine.begin() as conn:  # the fixture's check must hold again
        conn.execute(update(ReviewItem).where(ReviewItem.id == second).values(status="dismissed"))
