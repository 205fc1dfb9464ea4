"""What the match and post stages need from a parsed 835 claim payment.

The parser's records carry everything the payer sent; matching (``PaymentFacts``) and the
posting rules (``ClaimFact``) each want a small, flat view of it.  These converters are the
one place that knows which segment feeds which fact.
"""

from __future__ import annotations

from collections.abc import Sequence

from edi_posting.matching import LinePaymentFacts, PaymentFacts
from edi_posting.posting_rules import CasFact, ClaimFact, LineFact
from edi_posting.records.remittance import (
    Adjustment,
    ClaimPayment,
    PersonName,
    ServiceLinePayment,
)

__all__ = ["claim_fact", "crossover_payer", "interest_cents", "payment_facts"]


def _line_facts(ordinal: int, line: ServiceLinePayment) -> LinePaymentFacts:
    dates = {d.qualifier: d.date for d in line.dates}
    start = dates.get("472") or dates.get("150")
    end = dates.get("472") or dates.get("151") or start
    procedure, original = line.procedure, line.original_procedure
    return LinePaymentFacts(  # positional, in field order: this runs for every paid line
        ordinal,
        procedure.qualifier or None,
        procedure.code or None,
        procedure.modifiers,
        original.qualifier if original else None,
        original.code if original else None,
        original.modifiers if original else (),
        line.charge_cents,
        line.paid_cents,
        start,
        end,
        line.line_control_number,
        line.paid_units,
    )


def payment_facts(claim: ClaimPayment, payer_id: int | None) -> PaymentFacts:
    """The fields matching compares: PCN, amounts, patient, member IDs, dates, lines."""
    names: dict[str, PersonName] = {}
    for name in claim.names:  # the first of each entity code, as ClaimPayment.name finds it
        names.setdefault(name.entity_code, name)
    patient, insured, corrected = names.get("QC"), names.get("IL"), names.get("74")
    dates = {d.qualifier: d.date for d in claim.dates}
    member = (patient.identifier if patient and patient.identifier else None) or (
        insured.identifier if insured else None)
    return PaymentFacts(
        claim.patient_control_number,
        claim.status_code,
        claim.charge_cents,
        claim.paid_cents,
        claim.payer_claim_control_number,
        payer_id,
        patient.last_name if patient else None,
        patient.first_name if patient else None,
        member,
        corrected.identifier if corrected else None,
        dates.get("232"),
        dates.get("233"),
        tuple(_line_facts(i, line) for i, line in enumerate(claim.service_lines, 1)),
    )


def _cas(adjustments: Sequence[Adjustment], ids: Sequence[int | None]) -> tuple[CasFact, ...]:
    if not adjustments:  # most service lines of a paid claim carry one CAS or none
        return ()
    return tuple([CasFact(a.group_code, a.reason_code, a.amount_cents, i)
                  for a, i in zip(adjustments, ids, strict=True)])


def claim_fact(
    claim: ClaimPayment,
    *,
    claim_cas_ids: Sequence[int | None],
    line_cas_ids: Sequence[Sequence[int | None]],
    line_ids: Sequence[int | None],
    submitted_line_ids: Sequence[int | None],
) -> ClaimFact:
    """The posting rules' view, carrying the stored rows' ids for the journal dimensions.

    Built positionally, in field order: this runs for every claim payment of an import.
    """
    lines = tuple([
        LineFact(line.charge_cents, line.paid_cents, _cas(line.adjustments, cas_ids),
                 submitted, line_id)
        for line, cas_ids, line_id, submitted in zip(
            claim.service_lines, line_cas_ids, line_ids, submitted_line_ids, strict=True)
    ])
    return ClaimFact(claim.status_code, claim.charge_cents, claim.paid_cents,
                     _cas(claim.adjustments, claim_cas_ids), lines,
                     claim.name("TT") is not None)


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
