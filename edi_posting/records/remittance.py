"""Records for what was paid: one 835 transaction set, its claims, lines and PLB.

Produced by :mod:`edi_posting.x12.remit835.parser` (and later by keyed EOB files); consumed by
balancing, matching and posting.  Money is integer cents (``*_cents``) with the X12 element
in a comment; dates are :class:`datetime.date` (None when absent or not a valid date, the
latter with a problem).  Code values are kept as the raw string the payer sent, so an
unknown code never crashes anything; the enums give the known ones readable names through
the ``status``/``group``/``reason``/``method`` properties.

The code enums live in :mod:`~edi_posting.records.remittance_codes` and the smaller
records (payment, parties, adjustments, names ...) in
:mod:`~edi_posting.records.remittance_parts`; every name is importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from edi_posting.records.remittance_codes import (
    ClaimStatus,
    ProviderAdjustmentReason,
    known_code,
)
from edi_posting.records.remittance_parts import (
    AdjustmentRecord,
    Amount,
    Contact,
    DateValue,
    InpatientAdjudication,
    OutpatientAdjudication,
    Party,
    Payment,
    PersonName,
    ProviderSummary,
    Quantity,
    Reference,
    RemarkCodeRecord,
    Trace,
)

if TYPE_CHECKING:  # annotations only: records/__init__ is imported by problems.py itself
    import datetime as dt

    from edi_posting.records.claim import ProcedureCode
    from edi_posting.records.envelope import Envelope
    from edi_posting.records.problems import Problem
    from edi_posting.records.source import SourceRef

__all__ = ["ClaimPaymentRecord", "ProviderAdjustmentRecord", "RemittanceEnd", "RemittanceHeader", "RemittanceRecord", "RemittanceTotals", "ServiceLinePaymentRecord"]


@dataclass(frozen=True, slots=True)
class ServiceLinePaymentRecord:
    """Loop 2110: one adjudicated service line."""

    procedure: ProcedureCode  # SVC01 "adjudicated as" (qualifier HC/NU/AD/N4..., code, mods)
    procedure_description: str | None  # SVC01-7
    charge_cents: int  # SVC02
    paid_cents: int  # SVC03
    revenue_code: str | None  # SVC04
    paid_units: str | None  # SVC05
    original_procedure: ProcedureCode | None  # SVC06: as submitted, when the payer changed it
    original_units: str | None  # SVC07
    dates: tuple[DateValue, ...]  # DTM*472, 150, 151
    adjustments: tuple[AdjustmentRecord, ...]  # CAS
    references: tuple[Reference, ...]  # REF*6R, LU, RB, 0K, G1, APC ...
    amounts: tuple[Amount, ...]  # AMT*B6, KH ...
    quantities: tuple[Quantity, ...]  # QTY
    remark_codes: tuple[RemarkCodeRecord, ...]  # LQ (all of them)
    source: SourceRef  # the SVC segment

    @property
    def line_control_number(self) -> str | None:  # REF*6R
        return next((r.value for r in self.references if r.qualifier == "6R"), None)

    @property
    def service_date(self) -> dt.date | None:  # DTM*472, else the start of a 150/151 period
        by_qualifier = {d.qualifier: d.date for d in self.dates}
        return by_qualifier.get("472") or by_qualifier.get("150")


@dataclass(frozen=True, slots=True)
class ClaimPaymentRecord:
    """Loop 2100: one CLP with everything under it."""

    patient_control_number: str  # CLP01, echoed from 837 CLM01
    status_code: str  # CLP02
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    patient_responsibility_cents: int | None  # CLP05
    filing_indicator: str | None  # CLP06: MB, MC, CI, BL, HM, 12, 16 ...
    payer_claim_control_number: str | None  # CLP07: ICN/DCN
    facility_type: str | None  # CLP08
    frequency: str | None  # CLP09
    patient_status: str | None  # CLP10
    drg_code: str | None  # CLP11
    drg_weight: str | None  # CLP12
    discharge_fraction: str | None  # CLP13
    yes_no_condition: str | None  # CLP14
    adjustments: tuple[AdjustmentRecord, ...]  # claim-level CAS
    names: tuple[PersonName, ...]  # NM1*QC/IL/74/82/TT/PR/GB
    inpatient: InpatientAdjudication | None  # MIA
    outpatient: OutpatientAdjudication | None  # MOA
    references: tuple[Reference, ...]  # REF*1L, 1W, EA, F8, G1, 9A, 9C ...
    dates: tuple[DateValue, ...]  # DTM*050, 232, 233, 036 ...
    contacts: tuple[Contact, ...]  # PER
    amounts: tuple[Amount, ...]  # AMT*AU, D8, DY, F5, I, NL, T, T2, ZK-ZO
    quantities: tuple[Quantity, ...]  # QTY
    service_lines: tuple[ServiceLinePaymentRecord, ...]
    source: SourceRef  # the CLP segment
    problems: tuple[Problem, ...] = ()  # this claim's and its lines' (amounts, balancing)

    @property
    def status(self) -> ClaimStatus | None:
        return known_code(ClaimStatus, self.status_code)

    @property
    def is_reversal(self) -> bool:
        return self.status_code == ClaimStatus.REVERSED

    def name(self, entity_code: str) -> PersonName | None:
        return next((n for n in self.names if n.entity_code == entity_code), None)


@dataclass(frozen=True, slots=True)
class ProviderAdjustmentRecord:
    """One PLB reason/reference/amount pair; positive decreases the payment."""

    provider_id: str  # PLB01
    fiscal_period_date: dt.date | None  # PLB02
    reason_code: str  # PLB03-1 (05-1, 07-1 ...)
    reference_id: str | None  # PLB03-2: e.g. the FCN (payer CLP07) for WO/FB
    amount_cents: int  # PLB04/06/08/10/12/14
    source: SourceRef  # the PLB segment

    @property
    def reason(self) -> ProviderAdjustmentReason | None:
        return known_code(ProviderAdjustmentReason, self.reason_code)


@dataclass(frozen=True, slots=True)
class RemittanceHeader:
    """Everything an 835 says before its first claim (the 1000A/1000B loops included)."""

    transaction_set_control_number: str  # ST02
    version: str  # ST03, else GS08: 005010X221A1 or 004010X091A1
    functional_id: str | None  # GS01 (HP)
    payment: Payment | None  # BPR (None when missing: a FATAL problem)
    trace: Trace | None  # TRN
    currency_code: str | None  # CUR02 (foreign currency: flagged)
    references: tuple[Reference, ...]  # REF*EV receiver, REF*F2 version ...
    dates: tuple[DateValue, ...]  # DTM*405 production date
    payer: Party | None  # N1*PR
    payee: Party | None  # N1*PE
    source: SourceRef  # the ST segment
    envelope: Envelope | None
    problems: tuple[Problem, ...] = ()

    @property
    def production_date(self) -> dt.date | None:  # DTM*405
        return next((d.date for d in self.dates if d.qualifier == "405"), None)


@dataclass(frozen=True, slots=True)
class RemittanceTotals:
    """Counts and sums accumulated while streaming, with the balancing verdicts."""

    claim_count: int
    service_line_count: int
    adjustment_count: int  # CAS triplets, claim and line level
    provider_adjustment_count: int  # PLB pairs
    payment_cents: int  # BPR02
    claim_paid_cents: int  # sum of CLP04
    provider_adjustment_cents: int  # sum of PLB amounts
    unbalanced_service_lines: int
    unbalanced_claims: int
    is_transaction_balanced: bool | None  # None when an amount could not be read


@dataclass(frozen=True, slots=True)
class RemittanceEnd:
    """What is known once SE is read: PLB, summaries, totals and the set-level problems."""

    header: RemittanceHeader
    summaries: tuple[ProviderSummary, ...]
    provider_adjustments: tuple[ProviderAdjustmentRecord, ...]
    totals: RemittanceTotals
    problems: tuple[Problem, ...]  # set level: header, trailer, envelope, transaction balance

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)


@dataclass(frozen=True, slots=True)
class RemittanceRecord:
    """One 835 transaction set (one check or EFT) with all its claims."""

    header: RemittanceHeader
    claims: tuple[ClaimPaymentRecord, ...]
    summaries: tuple[ProviderSummary, ...]
    provider_adjustments: tuple[ProviderAdjustmentRecord, ...]
    totals: RemittanceTotals
    problems: tuple[Problem, ...]  # set level; each claim carries its own

    @property
    def control_number(self) -> str:
        return self.header.transaction_set_control_number

    @property
    def payment(self) -> Payment | None:
        return self.header.payment

    @property
    def source(self) -> SourceRef:
        return self.header.source

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)
