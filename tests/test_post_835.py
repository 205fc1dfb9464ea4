"""Posting rules, one test each, with the 837 and 835 segments written in the test.

Every test bills its claims first (837), then receives remittances, and checks the claim's
balances, the queue and the ledger invariants through the API, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edi_posting.audit.writes import write_transaction
from edi_posting.db.models import (
    JournalEntry,
    JournalLine,
    LedgerAccount,
    ProviderAdjustment,
    ReviewItem,
)
from edi_posting.importing import remittances as remittance_import
from edi_posting.posting.plb import open_forwarding_balances
from edi_posting.queue.credits import credit_mismatches
from edi_posting.review.money import accept_match
from tests.acting import as_user
from tests.x835 import Practice, clp, remit, svc

OFFICE_VISIT = (("HC:99213", "100"),)
TWO_LINES = (("HC:99213", "100"), ("HC:85025", "50"))


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    p.check()  # the ledger invariants hold after every scenario
    p.close()


def _account_total(practice: Practice, code: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(LedgerAccount.code == code)).scalar_one())


def test_paid_claim_moves_insurance_to_cash_contractual_and_patient(practice: Practice) -> None:
    practice.bill(("PCN1", TWO_LINES))
    result = practice.receive(remit("96", clp(
        "PCN1", "1", "150", "96", "24", "ICN1",
        svc("99213", "100", "64", "CO*45*20", "PR*2*16", line_control="PCN1-1"),
        svc("85025", "50", "32", "CO*45*10", "PR*3*8", line_control="PCN1-2"))))
    assert (result.status, result.claims, result.posted, result.queued) == ("imported", 1, 1, 0)
    assert result.payment_cents == 9600 and result.unapplied_cents == 0
    assert practice.balances("PCN1") == ("0.00", "24.00")
    assert _account_total(practice, "contractual_adjustments") == 3000
    assert _account_total(practice, "cash_clearing") == 9600
    assert practice.states() == [("PCN1", "1", "posted")]
    with practice.engine.connect() as conn:  # both lines matched by REF*6R
        lines = conn.execute(select(JournalLine.submitted_line_id, JournalLine.reason_code).where(
            JournalLine.reason_code.is_not(None))).all()
    assert {r for _, r in lines} == {"45", "2", "3"} and all(line for line, _ in lines)


def test_claim_level_cas_and_negative_amounts_post_as_sent(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("105", clp(
        "PCN1", "1", "100", "105", "0", "ICN1", "CAS*CO*144*-5~",
        svc("99213", "100", "100", line_control="PCN1-1"))))
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert _account_total(practice, "contractual_adjustments") == -500  # not sign-flipped


def test_denied_claim_writes_nothing_off_and_opens_a_denial_with_its_codes(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("0", clp(
        "PCN1", "4", "100", "0", "0", "ICN1",
        svc("99213", "100", "0", "CO*50*100", line_control="PCN1-1") + "LQ*HE*N115~"),
        method="NON"))
    assert (result.posted, result.queued) == (0, 1)
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert practice.items() == [("denial", "PCN1")]
    evidence = practice.evidence("denial")
    assert evidence["lines"] == [{"line": 1, "procedure": "99213", "rarcs": ["N115"],
                                  "adjustments": [{"group": "CO", "carc": "50",
                                                   "amount": "100.00"}]}]
    assert practice.states() == [("PCN1", "4", "denied")]


def test_status_1_with_nothing_paid_and_denial_carcs_is_a_denial(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "1", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*197*100", line_control="PCN1-1")),
                           method="NON"))
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert [k for k, _ in practice.items()] == ["denial"]


def test_zero_paid_claim_without_denial_codes_is_posted_not_denied(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "1", "100", "0", "100", "ICN1",
                                    svc("99213", "100", "0", "PR*1*100", line_control="PCN1-1")),
                           method="NON"))
    assert practice.balances("PCN1") == ("0.00", "100.00")  # all deductible: the patient owes
    assert practice.items() == []


def test_forwarded_claim_moves_patient_share_to_the_next_payer(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("60", clp(
        "PCN1", "19", "100", "60", "20", "ICN1", "NM1*TT*2*MEDIGAP PLAN*****PI*GAP01~",
        svc("99213", "100", "60", "CO*45*20", "PR*2*20", line_control="PCN1-1"))))
    assert practice.balances("PCN1") == ("20.00", "0.00")  # owed by the crossover payer now
    with practice.engine.connect() as conn:
        payers = conn.execute(select(func.count(func.distinct(JournalLine.payer_id))).where(
            JournalLine.account_id == select(LedgerAccount.id).where(
                LedgerAccount.code == "insurance_ar").scalar_subquery())).scalar_one()
    assert payers == 2


def test_reversal_and_correction_in_one_file_negate_the_original_exactly(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    original = svc("99213", "100", "60", "CO*45*20", "PR*2*20", line_control="PCN1-1")
    practice.receive(remit("60", clp("PCN1", "1", "100", "60", "20", "ICN1", original)))
    reversal = clp("PCN1", "22", "-100", "-60", "-20", "ICN1", svc(
        "99213", "-100", "-60", "CO*45*-20", "PR*2*-20", line_control="PCN1-1"))
    correction = clp("PCN1", "1", "100", "80", "0", "ICN2",
                     svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))
    result = practice.receive(remit("20", reversal, correction, trace="TRACE2"))
    assert (result.posted, result.queued) == (2, 0)
    assert practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        links = conn.execute(select(JournalEntry.kind, JournalEntry.reverses_entry_id)
                             .where(JournalEntry.kind.in_(("payment", "reversal")))
                             .order_by(JournalEntry.id)).all()
    first_payment_id = practice_entry_id(practice, "payment")
    assert [k for k, _ in links] == ["payment", "reversal", "payment"]
    assert links[1][1] == first_payment_id
    assert practice.states() == [("PCN1", "1", "reversed"), ("PCN1", "22", "reversal"),
                                 ("PCN1", "1", "posted")]


def practice_entry_id(practice: Practice, kind: str) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(func.min(JournalEntry.id)).where(
            JournalEntry.kind == kind)).scalar_one())


def test_reversal_without_correction_waits_and_a_later_correction_closes_it(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20",
                                         line_control="PCN1-1"))))
    practice.receive(remit("0", clp("PCN1", "22", "-100", "-80", "0", "ICN1", svc(
        "99213", "-100", "-80", "CO*45*-20", line_control="PCN1-1")),
        trace="TRACE2", method="NON", plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert practice.items("open") == [("awaiting_correction", "PCN1")]
    with practice.engine.connect() as conn:
        assert [(b.reference, b.net_cents) for b in open_forwarding_balances(conn)] == [
            ("ICN1", -8000)]
    practice.receive(remit("10", clp("PCN1", "1", "100", "90", "0", "ICN2",
                                     svc("99213", "100", "90", "CO*45*10",
                                         line_control="PCN1-1")),
                           trace="TRACE3", plb="PLB*1234567893*20261231*FB:ICN1*80~"))
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.items("open") == []
    assert practice.items("resolved") == [("awaiting_correction", "PCN1")]
    with practice.engine.connect() as conn:
        assert open_forwarding_balances(conn) == []  # the FB pair netted to zero
    with practice.engine.connect() as conn:
        links = conn.execute(select(ProviderAdjustment.reason_code,
                                    ProviderAdjustment.linked_claim_id)).all()
    assert [r for r, _ in links] == ["FB", "FB"] and all(claim for _, claim in links)


def test_a_payment_reversed_and_corrected_in_its_own_set_negates_the_original_there(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    original = clp("PCN1", "1", "100", "60", "20", "ICN1", svc(
        "99213", "100", "60", "CO*45*20", "PR*2*20", line_control="PCN1-1"))
    reversal = clp("PCN1", "22", "-100", "-60", "-20", "ICN1", svc(
        "99213", "-100", "-60", "CO*45*-20", "PR*2*-20", line_control="PCN1-1"))
    correction = clp("PCN1", "1", "100", "80", "0", "ICN2",
                     svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))
    result = practice.receive(remit("80", original, reversal, correction))
    assert (result.posted, result.queued, result.unapplied_cents) == (3, 0, 0)
    assert practice.items() == []
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.states() == [("PCN1", "1", "reversed"), ("PCN1", "22", "reversal"),
                                 ("PCN1", "1", "posted")]
    with practice.engine.connect() as conn:
        entries = conn.execute(select(JournalEntry.id, JournalEntry.kind,
                                      JournalEntry.reverses_entry_id)
                               .where(JournalEntry.kind.in_(("payment", "reversal")))
                               .order_by(JournalEntry.id)).all()
    payments = [e.id for e in entries if e.kind == "payment"]
    reversals = [e.reverses_entry_id for e in entries if e.kind == "reversal"]
    assert len(payments) == 2 and reversals == [payments[0]]
    assert _account_total(practice, "cash_clearing") == 8000


# PCN1's office visit paid 80.00 (CO 20.00), and that payment taken back
PAID_80 = clp("PCN1", "1", "100", "80", "0", "ICN1",
              svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))
PAID_80_REVERSED = clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                       svc("99213", "-100", "-80", "CO*45*-20", line_control="PCN1-1"))


def test_a_payment_reversed_in_its_own_set_without_correction_awaits_one(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("0", PAID_80, PAID_80_REVERSED, method="NON"))
    # the reversal posted its negation, and waits for a correction in the queue
    assert (result.posted, result.queued, result.unapplied_cents) == (2, 1, 0)
    assert practice.items() == [("awaiting_correction", "PCN1")]
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert practice.states() == [("PCN1", "1", "reversed"),
                                 ("PCN1", "22", "reversed_awaiting_correction")]


def test_a_reversal_before_its_payment_in_the_same_set_is_an_orphan(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("0", PAID_80_REVERSED, PAID_80, method="NON"))
    assert result.unapplied_cents == -8000  # the reversal's money held
    assert practice.items() == [("orphan_reversal", "PCN1")]
    assert practice.balances("PCN1") == ("0.00", "0.00")  # the payment itself posted


def test_reversal_of_a_payment_never_received_is_an_orphan_held_in_unapplied(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("20", clp(
        "PCN1", "22", "-100", "-60", "0", "ICN0", svc(
            "99213", "-100", "-60", "CO*45*-40", line_control="PCN1-1")), clp(
        "PCN1", "1", "100", "80", "0", "ICN1",
        svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1"))))
    assert result.unapplied_cents == -6000
    assert practice.items() == [("orphan_reversal", "PCN1")]
    assert practice.balances("PCN1") == ("0.00", "0.00")  # the correction posted
    assert _account_total(practice, "unapplied_cash") == 6000


def test_a_second_reversal_of_the_same_payment_is_an_orphan(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    reversal = clp("PCN1", "22", "-100", "-80", "0", "ICN1", svc("99213", "-100", "-80",
                                                                 "CO*45*-20"))
    practice.receive(remit("0", reversal, trace="TRACE2", method="NON",
                           plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    practice.receive(remit("0", reversal, trace="TRACE3", method="NON",
                           plb="PLB*1234567893*20261231*FB:ICN1*-80~"))
    assert [k for k, _ in practice.items()] == ["awaiting_correction", "orphan_reversal"]
    assert practice.evidence("orphan_reversal") == {
        "reason": "its original payment was reversed already"}


@pytest.mark.parametrize("status", ["23", "25"])
def test_not_our_claim_and_predetermination_are_recorded_not_posted(
    practice: Practice, status: str
) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("0", clp("PCN1", status, "100", "0", "0", "ICN1",
                                             svc("99213", "100", "0", "OA*109*100")),
                                      method="NON"))
    assert (result.posted, result.queued) == (0, 0)
    assert practice.states() == [("PCN1", status, "recorded")]
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_unmatched_payment_goes_to_unapplied_cash_with_a_review_item(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    # a patient we never billed (the same patient would be PCN1's by the scored fallback,
    # its payer learnt from PCN1's match)
    result = practice.receive(remit("130", clp(
        "PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20")),
        "CLP*NOSUCHCLAIM*1*70*50*0*12*ICN2*11*1~\nNM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n"
        + svc("99214", "70", "50", "CO*45*20")))
    assert (result.posted, result.queued, result.unapplied_cents) == (1, 1, 5000)
    assert practice.items() == [("unmatched_payment", None)]
    assert _account_total(practice, "unapplied_cash") == -5000
    assert practice.states()[1] == ("NOSUCHCLAIM", "1", "unmatched")


def test_unbalanced_claim_is_held_and_the_rest_of_the_set_posts(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    result = practice.receive(remit("161", clp(
        "PCN1", "1", "100", "81", "0", "ICN1", svc("99213", "100", "81", "CO*45*20")), clp(
        "PCN2", "1", "100", "80", "0", "ICN2", svc("99213", "100", "80", "CO*45*20"))))
    assert (result.posted, result.queued, result.unapplied_cents) == (1, 1, 8100)
    assert practice.items() == [("balancing_failure", "PCN1")]
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert practice.balances("PCN2") == ("0.00", "0.00")
    evidence = practice.evidence("balancing_failure")
    assert evidence["problems"][0]["code"] == "SERVICE_UNBALANCED"


def test_transaction_that_does_not_balance_is_held_whole(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit("99", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                              svc("99213", "100", "80", "CO*45*20"))))
    assert (result.status, result.posted, result.unapplied_cents) == ("imported", 0, 9900)
    assert practice.items() == [("balancing_failure", None)]
    assert practice.balances("PCN1") == ("100.00", "0.00")
    assert practice.states() == [("PCN1", "1", "held")]


def test_plb_posts_by_reason_links_its_claim_and_flags_unknown_references(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit(
        "73.50", clp("PCN1", "1", "100", "80", "0", "ICN1", "AMT*I*1.50~",
                     svc("99213", "100", "80", "CO*45*20")),
        plb="PLB*1234567893*20261231*WO:ICN1*5*L6*-1.50*WO:ICN999*3~"))
    assert result.queued == 1 and not result.problems
    assert practice.items() == [("unlinked_plb", None)]
    assert _account_total(practice, "interest_income") == -150
    assert _account_total(practice, "provider_adjustments") == 300  # the unlinked WO
    assert _account_total(practice, "cash_clearing") == 7350
    assert practice.balances("PCN1") == ("5.00", "0.00")  # the linked WO recovered 5.00
    with practice.engine.connect() as conn:
        links = conn.execute(select(ProviderAdjustment.reason_code,
                                    ProviderAdjustment.linked_claim_id)
                             .order_by(ProviderAdjustment.ordinal)).all()
    assert [(r, bool(c)) for r, c in links] == [("WO", True), ("L6", False), ("WO", False)]


def test_interest_reported_on_claims_must_match_plb_l6(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    result = practice.receive(remit(
        "81", clp("PCN1", "1", "100", "80", "0", "ICN1", "AMT*I*2~",
                  svc("99213", "100", "80", "CO*45*20")),
        plb="PLB*1234567893*20261231*L6*-1~"))
    assert [p.code for p in result.problems] == ["INTEREST_MISMATCH"]


def _accept_duplicate(practice: Practice) -> None:
    """A specialist accepts the held second payment: its cash alone, onto the claim."""
    with practice.engine.connect() as conn:
        held = conn.execute(select(ReviewItem.id).where(
            ReviewItem.problem_code == "DUPLICATE_PAYMENT")).scalar_one()
    with write_transaction(practice.engine) as conn:
        accept_match(conn, held, principal=as_user(conn, "sam"), confirm=True)


def test_a_claim_paid_twice_holds_the_second_and_accepting_it_raises_a_credit_balance(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    assert practice.balances("PCN1") == ("0.00", "0.00")  # held, never posted silently
    assert practice.items() == [("unmatched_payment", "PCN1")]
    _accept_duplicate(practice)
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    assert practice.items("open") == [("credit_balance", "PCN1")]


def test_a_plb_wo_recovery_clears_the_credit_and_resolves_its_item(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT), ("PCN3", OFFICE_VISIT))
    payment = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", payment))
    practice.receive(remit("100", payment.replace("ICN1", "ICN2"), trace="TRACE2"))
    _accept_duplicate(practice)
    practice.receive(remit("40", clp("PCN2", "1", "100", "100", "0", "ICN3",
                                     svc("99213", "100", "100")),
                           trace="TRACE3", plb="PLB*1234567893*20261231*WO:ICN2*60~"))
    assert practice.balances("PCN1") == ("-40.00", "0.00")  # 60.00 of 100.00 taken back
    assert practice.items("open") == [("credit_balance", "PCN1")]
    with practice.engine.connect() as conn:
        assert credit_mismatches(conn) == []  # the item now carries 40.00
    practice.receive(remit("60", clp("PCN3", "1", "100", "100", "0", "ICN4",
                                     svc("99213", "100", "100")),
                           trace="TRACE4", plb="PLB*1234567893*20261231*WO:ICN2*40~"))
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.items("open") == []
    assert practice.items("resolved") == [("unmatched_payment", "PCN1"),
                                          ("credit_balance", "PCN1")]
    practice.check()


def test_split_claim_payments_both_post_against_one_claim(practice: Practice) -> None:
    practice.bill(("PCN1", TWO_LINES))
    practice.receive(remit("120", clp(
        "PCN1", "1", "100", "80", "0", "ICNA", "MOA***MA15~",
        svc("99213", "100", "80", "CO*45*20", line_control="PCN1-1")), clp(
        "PCN1", "1", "50", "40", "0", "ICNB", "MOA***MA15~",
        svc("85025", "50", "40", "CO*45*10", line_control="PCN1-2"))))
    assert practice.balances("PCN1") == ("0.00", "0.00")
    assert practice.states() == [("PCN1", "1", "posted"), ("PCN1", "1", "posted")]


def test_two_identical_legitimate_lines_both_post(practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:J3301", "40"), ("HC:J3301", "40"))))
    line = svc("J3301", "40", "30", "CO*45*10")
    practice.receive(remit("60", clp("PCN1", "1", "80", "60", "0", "ICN1", line, line)))
    assert practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        matched = conn.execute(select(func.count(func.distinct(JournalLine.submitted_line_id)))
                               .where(JournalLine.submitted_line_id.is_not(None))).scalar_one()
    assert matched == 2


def test_same_set_in_a_new_file_posts_nothing_and_other_content_is_a_conflict(
    practice: Practice,
) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    body = remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                           svc("99213", "100", "80", "CO*45*20")))
    practice.receive(body)
    again = practice.receive(body, name="resent.835")  # new ISA13, same set
    assert (again.status, again.posted) == ("already_imported", 0)
    changed = practice.receive(body.replace("CO*45*20", "CO*45*19*1*OA*23*1"))
    assert (changed.status, changed.posted) == ("imported", 0)
    assert practice.items() == [("duplicate_conflict", None)]
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_a_fatal_set_is_rejected_and_the_other_sets_of_the_file_post(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    good = remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                           svc("99213", "100", "80", "CO*45*20")))
    no_bpr = "TRN*1*TRACE9*1512345678~\nN1*PR*ACME HEALTH~\nLX*1~\n" + clp(
        "PCN1", "1", "100", "80", "0", "ICN9")
    result = practice.receive(no_bpr, good)
    assert (result.status, result.posted) == ("partial", 1)
    assert practice.items() == [("rejected_file", None)]
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_payer_policy_routes_a_carc_and_can_forbid_auto_posting(practice: Practice) -> None:
    from edi_posting.audit.writes import write_transaction
    from edi_posting.posting.policy import set_policy

    practice.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    with write_transaction(practice.engine) as conn:
        set_policy(conn, "OA", "23", "contractual")
        set_policy(conn, "CO", "59", "contractual", never_auto_post=True)
    result = practice.receive(remit("160", clp(
        "PCN1", "2", "100", "80", "0", "ICN1", svc("99213", "100", "80", "OA*23*20")), clp(
        "PCN2", "1", "100", "80", "0", "ICN2", svc("99213", "100", "80", "CO*59*20"))))
    assert (result.posted, result.unapplied_cents) == (1, 8000)
    assert _account_total(practice, "contractual_adjustments") == 2000  # OA-23 by policy
    assert _account_total(practice, "other_adjustments") == 0
    assert practice.items() == [("denial", "PCN2")]
    assert practice.balances("PCN2") == ("100.00", "0.00")


def test_import_defers_full_garbage_collections_only_while_a_file_is_read(
        practice: Practice, monkeypatch: pytest.MonkeyPatch) -> None:
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    post = remittance_import.post_remittance

    def watching(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        return post(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(remittance_import, "post_remittance", watching)
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    assert seen and all(t[:2] == before[:2] and t[2] > before[2] for t in seen)
    assert gc.get_threshold() == before
