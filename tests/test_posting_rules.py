"""Each posting rule, on facts written in the test (no database)."""

from __future__ import annotations

from edi_posting.posting.rules import (
    CasFact,
    ClaimFact,
    Dims,
    Disposition,
    LineFact,
    claim_postings,
    classify,
)

DIMS = Dims(payer_id=7, patient_account_id=3, submitted_claim_id=11, next_payer_id=8)


def _by_account(postings: list) -> dict[str, int]:  # type: ignore[type-arg]
    totals: dict[str, int] = {}
    for p in postings:
        totals[p.account] = totals.get(p.account, 0) + p.amount_cents
    return totals


def test_paid_claim_moves_charge_to_cash_contractual_and_patient() -> None:
    line = LineFact(10000, 6000, (CasFact("CO", "45", 2500), CasFact("PR", "2", 1500)))
    postings = claim_postings(ClaimFact("1", 10000, 6000, (), (line,)), DIMS)
    assert sum(p.amount_cents for p in postings) == 0
    assert _by_account(postings) == {"cash_clearing": 6000, "contractual_adjustments": 2500,
                                     "patient_ar": 1500, "insurance_ar": -10000}
    patient = next(p for p in postings if p.account == "patient_ar")
    assert (patient.group_code, patient.reason_code) == ("PR", "2")


def test_negative_adjustments_are_posted_as_sent() -> None:
    line = LineFact(10000, 10500, (CasFact("CO", "144", -500),))
    totals = _by_account(claim_postings(ClaimFact("1", 10000, 10500, (), (line,)), DIMS))
    assert totals == {"cash_clearing": 10500, "contractual_adjustments": -500, "insurance_ar": -10000}


def test_claim_level_adjustments_and_claims_without_lines() -> None:
    fact = ClaimFact("1", 20000, 15000, (CasFact("CO", "45", 4000), CasFact("PR", "3", 1000)), ())
    assert _by_account(claim_postings(fact, DIMS)) == {
        "cash_clearing": 15000, "contractual_adjustments": 4000, "patient_ar": 1000,
        "insurance_ar": -20000}


def test_forwarded_claim_moves_patient_share_to_the_next_payer() -> None:
    line = LineFact(10000, 8000, (CasFact("PR", "2", 2000),))
    postings = claim_postings(ClaimFact("19", 10000, 8000, (), (line,)), DIMS)
    moved = [p for p in postings if p.reason_code == "2"]
    assert [(p.account, p.payer_id, p.amount_cents) for p in moved] == [("insurance_ar", 8, 2000)]
    assert "patient_ar" not in _by_account(postings)


def test_oa_and_pi_follow_the_policy_table() -> None:
    line = LineFact(10000, 9000, (CasFact("OA", "23", 600), CasFact("PI", "94", 400)))
    totals = _by_account(claim_postings(ClaimFact("2", 10000, 9000, (), (line,)), DIMS))
    assert totals["other_adjustments"] == 1000


def test_status_codes_decide_the_disposition() -> None:
    plain = ClaimFact("1", 100, 100, (), ())
    assert classify(plain) is Disposition.POST
    assert classify(ClaimFact("4", 100, 0, (), ())) is Disposition.DENIED
    assert classify(ClaimFact("22", -100, -100, (), ())) is Disposition.REVERSAL
    assert classify(ClaimFact("23", 100, 0, (), ())) is Disposition.RECORD_ONLY
    assert classify(ClaimFact("25", 100, 0, (), ())) is Disposition.RECORD_ONLY
    assert classify(ClaimFact("19", 100, 80, (), ())) is Disposition.FORWARDED


def test_status_1_with_nothing_paid_and_denial_carcs_is_a_denial() -> None:
    creative = ClaimFact("1", 100, 0, (CasFact("CO", "197", 100),), ())
    assert classify(creative) is Disposition.DENIED
    capitated = ClaimFact("1", 100, 0, (CasFact("CO", "24", 100),), ())
    assert classify(capitated) is Disposition.DENIED  # never written off by default
    # $0 paid is not a denial by itself: the payer's policy can mark capitation contractual
    assert classify(capitated, {("CO", "24"): True}) is Disposition.POST
