"""Records for what was paid: one 835 transaction set, its claims, lines and PLB.

Produced by :mod:`edi_posting.x12.remit835` (and later by keyed EOB files); consumed by
balancing, matching and posting.  Money is integer cents (``*_cents``) with the X12 element
in a comment; dates are :class:`datetime.date` (None when absent or not a valid date, the
latter with a problem).  Code values are kept as the raw string the payer sent, so an
unknown code never crashes anything; the enums give the known ones readable names through
the ``status``/``group``/``reason``/``method`` properties.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # annotations only: records/__init__ is imported by problems.py itself
    from edi_posting.problems import Problem
    from edi_posting.records.claim import ProcedureCode
    from edi_posting.records.source import SourceRef
    from edi_posting.x12.envelope import Envelope

__all__ = [
    "Adjustment",
    "AdjustmentGroup",
    "Amount",
    "ClaimPayment",
    "ClaimStatus",
    "ClaimTally",
    "Contact",
    "CreditDebit",
    "DateValue",
    "InpatientAdjudication",
    "OutpatientAdjudication",
    "Party",
    "Payment",
    "PaymentHandling",
    "PaymentMethod",
    "PersonName",
    "ProviderAdjustment",
    "ProviderAdjustmentReason",
    "ProviderSummary",
    "Quantity",
    "Reference",
    "RemarkCode",
    "Remittance",
    "RemittanceEnd",
    "RemittanceHeader",
    "RemittanceTotals",
    "ServiceLinePayment",
    "Trace",
]


class PaymentHandling(enum.StrEnum):  # BPR01
    PAYMENT_WITH_REMITTANCE = "C"
    PAYMENT_ONLY = "D"
    NOTIFICATION_ONLY = "H"
    REMITTANCE_ONLY = "I"
    PRENOTIFICATION = "P"
    SPLIT_PAYMENT_AND_REMITTANCE = "U"
    HANDLING_PARTY_OPTION = "X"


class CreditDebit(enum.StrEnum):  # BPR03
    CREDIT = "C"
    DEBIT = "D"


class PaymentMethod(enum.StrEnum):  # BPR04
    ACH = "ACH"
    CHECK = "CHK"
    FED_WIRE = "FWT"
    FINANCIAL_INSTITUTION_OPTION = "BOP"
    NO_PAYMENT = "NON"


class ClaimStatus(enum.StrEnum):  # CLP02
    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSED = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"


class AdjustmentGroup(enum.StrEnum):  # CAS01
    CONTRACTUAL = "CO"
    PATIENT_RESPONSIBILITY = "PR"
    PAYER_INITIATED = "PI"
    OTHER = "OA"
    CORRECTION_REVERSAL = "CR"  # 4010 only: removed in 5010


class ProviderAdjustmentReason(enum.StrEnum):  # PLB03-1
    OVERPAYMENT_RECOVERY = "WO"
    FORWARDING_BALANCE = "FB"
    AUTHORIZED_RETURN = "72"
    REBATE = "B2"
    LATE_CHARGE = "50"
    INTEREST_PENALTY = "51"
    INTEREST_OWED = "L6"
    EARLY_PAYMENT_ALLOWANCE = "90"
    ORIGINATION_FEE = "AH"
    ACCELERATION_OF_BENEFITS = "AP"
    BONUS = "BN"
    TEMPORARY_ALLOWANCE = "C5"
    CAPITATION_PAYMENT = "CT"
    CAPITATION_INTEREST = "CR"
    APPLIED_TO_BORROWER_ACCOUNT = "AM"
    ADJUSTMENT = "CS"
    BAD_DEBT = "BD"
    NONREIMBURSABLE = "J1"
    PENALTY = "L3"
    WITHHOLDING = "E3"
    IRS_WITHHOLDING = "IR"
    LEVY = "LE"
    STUDENT_LOAN_REPAYMENT = "SL"
    INTERIM_SETTLEMENT = "IS"
    PERIODIC_INTERIM_PAYMENT = "PI"
    PAYMENT_FINAL = "PL"
    RETRO_ACTIVITY_ADJUSTMENT = "RA"
    RETURN_ON_EQUITY = "RE"
    THIRD_PARTY_LIABILITY = "TL"
    AFFILIATED_PROVIDER_OFFSET = "OB"
    FUND_ALLOCATION = "FC"
    UNSPECIFIED_RECOVERY = "WU"
    RECOVERY_ALLOWANCE = "B3"


_E = TypeVar("_E", bound=enum.StrEnum)


def _known(kind: type[_E], code: str) -> _E | None:
    member = kind._value2member_map_.get(code)
    return member if isinstance(member, kind) else None


@dataclass(frozen=True, slots=True)
class Reference:
    qualifier: str  # REF01: EV, F2, 2U, 6R, 1L, F8 ...
    value: str  # REF02
    description: str | None = None  # REF03


@dataclass(frozen=True, slots=True)
class DateValue:
    qualifier: str  # DTM01: 405, 472, 150, 151, 232, 233, 050, 036 ...
    date: dt.date | None  # DTM02 (None when not a valid date: see the problems)
    time: str | None = None  # DTM03


@dataclass(frozen=True, slots=True)
class Amount:
    """AMT: informational, never part of balancing."""

    qualifier: str  # AMT01: AU, D8, I, B6, KH ...
    amount_cents: int | None  # AMT02 (None when not an amount: see the problems)


@dataclass(frozen=True, slots=True)
class Quantity:
    qualifier: str  # QTY01
    quantity: str  # QTY02 as sent (may carry decimals)


@dataclass(frozen=True, slots=True)
class Contact:
    function_code: str  # PER01: CX, BL, IC ...
    name: str | None  # PER02
    numbers: tuple[tuple[str, str], ...] = ()  # (PER03, PER04), (PER05, PER06), (PER07, PER08)


@dataclass(frozen=True, slots=True)
class Party:
    """Payer (1000A, N1*PR) or payee (1000B, N1*PE) with its address, REFs and contacts."""

    entity_code: str  # N101
    name: str | None  # N102
    id_qualifier: str | None  # N103: XX (NPI), FI (TIN), XV, PI ...
    identifier: str | None  # N104
    address_lines: tuple[str, ...] = ()  # N301, N302
    city: str | None = None  # N401
    state: str | None = None  # N402
    postal_code: str | None = None  # N403
    country: str | None = None  # N404
    references: tuple[Reference, ...] = ()  # REF*2U, REF*TJ ...
    contacts: tuple[Contact, ...] = ()  # PER*CX/BL/IC

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier == qualifier), None)


@dataclass(frozen=True, slots=True)
class Payment:
    """BPR: the money and the route it takes."""

    handling_code: str  # BPR01
    amount_cents: int  # BPR02 (0 with an ERROR problem when it is not an amount)
    credit_debit: str  # BPR03
    method_code: str  # BPR04
    format_code: str | None  # BPR05: CCP, CTX ...
    sender_dfi_qualifier: str | None  # BPR06
    sender_dfi_id: str | None  # BPR07
    sender_account_qualifier: str | None  # BPR08
    sender_account_number: str | None  # BPR09
    originating_company_id: str | None  # BPR10
    originating_company_code: str | None  # BPR11
    receiver_dfi_qualifier: str | None  # BPR12
    receiver_dfi_id: str | None  # BPR13
    receiver_account_qualifier: str | None  # BPR14
    receiver_account_number: str | None  # BPR15
    date: dt.date | None  # BPR16: EFT effective date or check issue date
    segment_position: int  # the BPR segment's position in the file

    @property
    def handling(self) -> PaymentHandling | None:
        return _known(PaymentHandling, self.handling_code)

    @property
    def method(self) -> PaymentMethod | None:
        return _known(PaymentMethod, self.method_code)


@dataclass(frozen=True, slots=True)
class Trace:
    trace_type: str  # TRN01 (1 = current transaction trace numbers)
    trace_number: str  # TRN02: check or EFT trace number, the reassociation key
    originator_id: str | None  # TRN03: "1" + payer EIN
    originator_supplemental_id: str | None  # TRN04


@dataclass(frozen=True, slots=True)
class ProviderSummary:
    """LX with its TS3/TS2: informational provider summary lines (loop 2000)."""

    number: str  # LX01
    provider_id: str | None  # TS301
    facility_code: str | None  # TS302
    fiscal_period_end: dt.date | None  # TS303
    claim_count: str | None  # TS304
    total_charge_cents: int | None  # TS305
    other_amounts_cents: tuple[tuple[str, int], ...]  # (element, cents): TS306.., TS201..
    source: SourceRef


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS triplet; a positive amount reduces the payment, a negative one increases it."""

    group_code: str  # CAS01: CO, PR, OA, PI (CR in 4010)
    reason_code: str  # CAS02/05/08/11/14/17: the CARC
    amount_cents: int  # CAS03/06/09/12/15/18
    quantity: str | None  # CAS04/07/10/13/16/19
    segment_position: int  # the CAS segment's position in the file

    @property
    def group(self) -> AdjustmentGroup | None:
        return _known(AdjustmentGroup, self.group_code)


@dataclass(frozen=True, slots=True)
class PersonName:
    entity_code: str  # NM101: QC, IL, 74, 82, TT, PR, GB
    entity_type: str | None  # NM102: 1 person, 2 organization
    last_name: str | None  # NM103 (organization name when NM102 = 2)
    first_name: str | None  # NM104
    middle_name: str | None  # NM105
    suffix: str | None  # NM107
    id_qualifier: str | None  # NM108: MI, HN, XX, FI, PI ...
    identifier: str | None  # NM109


@dataclass(frozen=True, slots=True)
class OutpatientAdjudication:  # MOA
    reimbursement_rate: str | None  # MOA01
    hcpcs_payable_cents: int | None  # MOA02
    remark_codes: tuple[str, ...]  # MOA03-MOA07 (RARCs)
    esrd_payment_cents: int | None  # MOA08
    nonpayable_professional_cents: int | None  # MOA09


@dataclass(frozen=True, slots=True)
class InpatientAdjudication:  # MIA
    covered_days: str | None  # MIA01
    pps_operating_outlier_cents: int | None  # MIA02
    lifetime_psychiatric_days: str | None  # MIA03
    drg_amount_cents: int | None  # MIA04
    remark_codes: tuple[str, ...]  # MIA05, MIA20-MIA23 (RARCs)
    other_amounts_cents: tuple[tuple[str, int], ...]  # (element, cents): MIA06-19, MIA24


@dataclass(frozen=True, slots=True)
class RemarkCode:
    qualifier: str  # LQ01: HE (RARC), RX (NCPDP reject)
    code: str  # LQ02


@dataclass(frozen=True, slots=True)
class ServiceLinePayment:
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
    adjustments: tuple[Adjustment, ...]  # CAS
    references: tuple[Reference, ...]  # REF*6R, LU, RB, 0K, G1, APC ...
    amounts: tuple[Amount, ...]  # AMT*B6, KH ...
    quantities: tuple[Quantity, ...]  # QTY
    remark_codes: tuple[RemarkCode, ...]  # LQ (all of them)
    source: SourceRef  # the SVC segment

    @property
    def line_control_number(self) -> str | None:  # REF*6R
        return next((r.value for r in self.references if r.qualifier == "6R"), None)

    @property
    def service_date(self) -> dt.date | None:  # DTM*472, else the start of a 150/151 period
        by_qualifier = {d.qualifier: d.date for d in self.dates}
        return by_qualifier.get("472") or by_qualifier.get("150")


@dataclass(frozen=True, slots=True)
class ClaimPayment:
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
    adjustments: tuple[Adjustment, ...]  # claim-level CAS
    names: tuple[PersonName, ...]  # NM1*QC/IL/74/82/TT/PR/GB
    inpatient: InpatientAdjudication | None  # MIA
    outpatient: OutpatientAdjudication | None  # MOA
    references: tuple[Reference, ...]  # REF*1L, 1W, EA, F8, G1, 9A, 9C ...
    dates: tuple[DateValue, ...]  # DTM*050, 232, 233, 036 ...
    contacts: tuple[Contact, ...]  # PER
    amounts: tuple[Amount, ...]  # AMT*AU, D8, DY, F5, I, NL, T, T2, ZK-ZO
    quantities: tuple[Quantity, ...]  # QTY
    service_lines: tuple[ServiceLinePayment, ...]
    source: SourceRef  # the CLP segment
    problems: tuple[Problem, ...] = ()  # this claim's and its lines' (amounts, balancing)

    @property
    def status(self) -> ClaimStatus | None:
        return _known(ClaimStatus, self.status_code)

    @property
    def is_reversal(self) -> bool:
        return self.status_code == ClaimStatus.REVERSED

    def name(self, entity_code: str) -> PersonName | None:
        return next((n for n in self.names if n.entity_code == entity_code), None)


@dataclass(frozen=True, slots=True)
class ClaimTally:
    """A claim as ``parse --stats`` keeps it: its sums, counts and problems, not its content.

    The same numbers and the same problems as the :class:`ClaimPayment` of the same CLP.
    """

    patient_control_number: str  # CLP01
    paid_cents: int  # CLP04 (0 when it is not an amount: see the problems)
    service_line_count: int
    adjustment_count: int  # CAS triplets, claim and line level
    segment_position: int  # the CLP segment's position in the file
    problems: tuple[Problem, ...] = ()  # this claim's and its lines' (amounts, balancing)


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """One PLB reason/reference/amount pair; positive decreases the payment."""

    provider_id: str  # PLB01
    fiscal_period_date: dt.date | None  # PLB02
    reason_code: str  # PLB03-1 (05-1, 07-1 ...)
    reference_id: str | None  # PLB03-2: e.g. the FCN (payer CLP07) for WO/FB
    amount_cents: int  # PLB04/06/08/10/12/14
    source: SourceRef  # the PLB segment

    @property
    def reason(self) -> ProviderAdjustmentReason | None:
        return _known(ProviderAdjustmentReason, self.reason_code)


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
    provider_adjustments: tuple[ProviderAdjustment, ...]
    totals: RemittanceTotals
    problems: tuple[Problem, ...]  # set level: header, trailer, envelope, transaction balance

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)


@dataclass(frozen=True, slots=True)
class Remittance:
    """One 835 transaction set (one check or EFT) with all its claims."""

    header: RemittanceHeader
    claims: tuple[ClaimPayment, ...]
    summaries: tuple[ProviderSummary, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...]
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
