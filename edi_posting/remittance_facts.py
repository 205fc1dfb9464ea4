"""What the match and post stages need from a parsed 835 claim payment.

The parser's records carry everything the payer sent; matching (``PaymentFacts``) and the
posting rules (``ClaimFact``) each want a small, flat view of it.  These converters are the
one place that knows which segment feeds which fact.
"""

from __future__ import annotations

from collections.abc import Sequence

from edi_posting.matching import LinePaymentFacts, PaymentFacts
from edi_posting.posting_rules import CasFact, ClaimFact, LineFact
from edi_posting.records.remittance import Adjustment, ClaimPayment, ServiceLinePayment

__all__ = ["claim_fact", "crossover_payer", "interest_cents", "payment_facts"]


def _line_facts(ordinal: int, line: ServiceLinePayment) -> LinePaymentFacts:
    dates = {d.qualifier: d.date for d in line.dates}
    start = dates.get("472") or dates.get("150")
    end = dates.get("472") or dates.get("151") or start
    original = line.original_procedure
    return LinePaymentFacts(
        ordinal=ordinal,
        procedure_qualifier=line.procedure.qualifier or None,
        procedure_code=line.procedure.code or None,
        modifiers=line.procedure.modifiers,
        original_procedure_qualifier=original.qualifier if original else None,
        original_procedure_code=original.code if original else None,
        original_modifiers=original.modifiers if original else (),
        charge_cents=line.charge_cents,
        paid_cents=line.paid_cents,
        service_date_from=start,
        service_date_to=end,
        line_item_control_number=line.line_control_number,
        units=line.paid_units,
    )


def payment_facts(claim: ClaimPayment, payer_id: int | None) -> PaymentFacts:
    """The fields matching compares: PCN, amounts, patient, member IDs, dates, lines."""
    patient = claim.name("QC")
    insured = claim.name("IL")
    corrected = claim.name("74")
    dates = {d.qualifier: d.date for d in claim.dates}
    member = (patient.identifier if patient and patient.identifier else None) or (
        insured.identifier if insured else None)
    return PaymentFacts(
        patient_control_number=claim.patient_control_number,
        status_code=claim.status_code,
        charge_cents=claim.charge_cents,
        paid_cents=claim.paid_cents,
        payer_claim_control_number=claim.payer_claim_control_number,
        payer_id=payer_id,
        patient_last_name=patient.last_name if patient else None,
        patient_first_name=patient.first_name if patient else None,
        member_id=member,
        corrected_member_id=corrected.identifier if corrected else None,
        statement_from=dates.get("232"),
        statement_to=dates.get("233"),
        lines=tuple(_line_facts(i, line) for i, line in enumerate(claim.service_lines, 1)),
    )


def _cas(adjustments: Sequence[Adjustment], ids: Sequence[int | None]) -> tuple[CasFact, ...]:
    return tuple(CasFact(a.group_code, a.reason_code, a.amount_cents, i)
                 for a, i in zip(adjustments, ids, strict=True))


def claim_fact(
    claim: ClaimPayment,
    *,
    claim_cas_ids: Sequence[int | None],
    line_cas_ids: Sequence[Sequence[int | None]],
    line_ids: Sequence[int | None],
    submitted_line_ids: Sequence[int | None],
) -> ClaimFact:
    """The posting rules' view, carrying the stored rows' ids for the journal dimensions."""
    lines = tuple(
        LineFact(line.charge_cents, line.paid_cents, _cas(line.adjustments, cas_ids),
                 submitted_line_id=submitted, service_line_payment_id=line_id)
        for line, cas_ids, line_id, submitted in zip(
            claim.service_lines, line_cas_ids, line_ids, submitted_line_ids, strict=True)
    )
    return ClaimFact(
        claim.status_code, claim.charge_cents, claim.paid_cents,
        _cas(claim.adjustments, claim_cas_ids), lines,
        has_next_payer=claim.name("TT") is not None,
    )


def interest_cents(claim: ClaimPayment) -> int:
    """AMT*I: claim interest, informational (paid through PLB L6, not CLP04)."""
    return sum(a.amount_cents or 0 for a in claim.amounts if a.qualifier == "I")


def crossover_payer(claim: ClaimPayment) -> tuple[str, str] | None:
    """NM1*TT: (identifier, name) of the payer the claim was forwarded to."""
    tt = claim.name("TT")
    if tt is None:
        return None
    name = (tt.last_name or "").strip()
    identifier = (tt.identifier or "").strip() or name
    return (identifier, name or identifier) if identifier else None
