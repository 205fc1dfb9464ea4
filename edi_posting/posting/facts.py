"""What the match and post stages need from a parsed 835 claim payment.

The parser's records carry everything the payer sent; matching (``PaymentFacts``) and the
posting rules (``ClaimFact``) each want a small, flat view of it.  These converters are the
one place that knows which segment feeds which fact; :func:`facts_of` is the one builder of
matching facts, for a parsed claim payment (through :func:`claim_columns`, which the store
writes too) and for a stored one alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from edi_posting.matching.lines import LinePaymentFacts
from edi_posting.matching.records import PaymentFacts
from edi_posting.posting.rules import CasFact, ClaimFact, LineFact
from edi_posting.records.remittance import ClaimPaymentRecord, ServiceLinePaymentRecord
from edi_posting.records.remittance_parts import AdjustmentRecord, PersonName

__all__ = ["ClaimColumns", "LineColumns", "claim_columns", "claim_fact", "crossover_payer",
           "facts_of", "interest_cents", "line_columns", "payment_facts"]


class ClaimColumns(NamedTuple):
    """What matching reads of a claim payment, named as its ``claim_payments`` columns."""

    patient_control_number: str  # CLP01
    status_code: str  # CLP02
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    payer_claim_control_number: str | None  # CLP07
    patient_last_name: str | None  # NM1*QC03
    patient_first_name: str | None  # NM1*QC04
    member_id: str | None  # NM1*QC09, else NM1*IL09
    corrected_member_id: str | None  # NM1*74 09
    statement_from: dt.date | None  # DTM*232
    statement_to: dt.date | None  # DTM*233


class LineColumns(NamedTuple):
    """What matching reads of a paid line, named as its ``service_line_payments`` columns."""

    procedure_qualifier: str | None  # SVC01-1
    procedure_code: str | None  # SVC01-2
    modifier1: str | None  # SVC01-3..6
    modifier2: str | None
    modifier3: str | None
    modifier4: str | None
    original_procedure_qualifier: str | None  # SVC06-1
    original_procedure_code: str | None  # SVC06-2
    original_modifiers: str | None  # SVC06-3..6, joined by ':'
    charge_cents: int  # SVC02
    paid_cents: int  # SVC03
    service_date_from: dt.date | None  # DTM*472, else DTM*150
    service_date_to: dt.date | None  # DTM*472, else DTM*151 (None: one day)
    line_item_control_number: str | None  # REF*6R
    paid_units: str | None  # SVC05, exact text


def claim_columns(claim: ClaimPaymentRecord) -> ClaimColumns:
    """The one place a parsed claim's segments become the values matching reads (and the
    store writes)."""
    names: dict[str, PersonName] = {}
    for name in claim.names:  # the first of each entity code, as ClaimPayment.name finds it
        names.setdefault(name.entity_code, name)
    patient, insured, corrected = names.get("QC"), names.get("IL"), names.get("74")
    dates = {d.qualifier: d.date for d in claim.dates}
    return ClaimColumns(
        claim.patient_control_number, claim.status_code, claim.charge_cents, claim.paid_cents,
        claim.payer_claim_control_number,
        patient.last_name if patient else None, patient.first_name if patient else None,
        (patient.identifier if patient else None) or (insured.identifier if insured else None),
        corrected.identifier if corrected else None, dates.get("232"), dates.get("233"))


def line_columns(line: ServiceLinePaymentRecord) -> LineColumns:
    """:func:`claim_columns` for one paid service line."""
    procedure, original = line.procedure, line.original_procedure
    mods = (*procedure.modifiers, None, None, None, None)
    dates = {d.qualifier: d.date for d in line.dates}
    return LineColumns(
        procedure.qualifier or None, procedure.code or None, mods[0], mods[1], mods[2], mods[3],
        original.qualifier if original else None, original.code if original else None,
        ":".join(original.modifiers) if original and original.modifiers else None,
        line.charge_cents, line.paid_cents, dates.get("472") or dates.get("150"),
        dates.get("472") or dates.get("151"), line.line_control_number, line.paid_units)


def facts_of(claim: Any, lines: Iterable[Any], payer_id: int | None) -> PaymentFacts:
    """The one builder of what matching compares, from a claim payment's columns (a
    :class:`ClaimColumns`, or its stored ``claim_payments`` row) and its lines' (a
    :class:`LineColumns` or a ``service_line_payments`` row each): import and the queue's
    rematch and apply see a claim payment alike."""
    return PaymentFacts(
        claim.patient_control_number, claim.status_code, claim.charge_cents, claim.paid_cents,
        claim.payer_claim_control_number, payer_id, claim.patient_last_name,
        claim.patient_first_name, claim.member_id, claim.corrected_member_id,
        claim.statement_from, claim.statement_to,
        tuple(_line_facts(i, line) for i, line in enumerate(lines, 1)))


def _line_facts(ordinal: int, line: Any) -> LinePaymentFacts:
    return LinePaymentFacts(  # positional, in field order: this runs for every paid line
        ordinal, line.procedure_qualifier, line.procedure_code,
        tuple(m for m in (line.modifier1, line.modifier2, line.modifier3, line.modifier4) if m),
        line.original_procedure_qualifier, line.original_procedure_code,
        tuple(m for m in (line.original_modifiers or "").split(":") if m),
        line.charge_cents, line.paid_cents, line.service_date_from,
        line.service_date_to or line.service_date_from, line.line_item_control_number,
        line.paid_units)


def payment_facts(claim: ClaimPaymentRecord, payer_id: int | None) -> PaymentFacts:
    """The fields matching compares: PCN, amounts, patient, member IDs, dates, lines."""
    return facts_of(claim_columns(claim), map(line_columns, claim.service_lines), payer_id)


def _cas(adjustments: Sequence[AdjustmentRecord], ids: Sequence[int | None]) -> tuple[CasFact, ...]:
    if not adjustments:  # most service lines of a paid claim carry one CAS or none
        return ()
    return tuple([CasFact(a.group_code, a.reason_code, a.amount_cents, i)
                  for a, i in zip(adjustments, ids, strict=True)])


def claim_fact(
    claim: ClaimPaymentRecord,
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


def interest_cents(claim: ClaimPaymentRecord) -> int:
    """AMT*I: claim interest, informational (paid through PLB L6, not CLP04)."""
    return sum(a.amount_cents or 0 for a in claim.amounts if a.qualifier == "I")


def crossover_payer(claim: ClaimPaymentRecord) -> tuple[str, str] | None:
    """NM1*TT: (identifier, name) of the payer the claim was forwarded to."""
    tt = claim.name("TT")
    if tt is None:
        return None
    name = (tt.last_name or "").strip()
    identifier = (tt.identifier or "").strip() or name
    return (identifier, name or identifier) if identifier else None
