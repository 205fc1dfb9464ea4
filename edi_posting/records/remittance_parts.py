"""Records for the parts of an 835 that claims, lines and headers are made of.

References, dates, amounts, quantities, contacts, parties (N1 loops), the payment (BPR),
the trace (TRN), provider summaries (LX/TS3/TS2), adjustments (CAS), names (NM1), MIA/MOA
and remark codes: produced by :mod:`edi_posting.x12.remit835.segments`, held by the records of
:mod:`edi_posting.records.remittance` (which re-exports them all).  Money is integer cents
with the X12 element in a comment.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from edi_posting.records.remittance_codes import (
    AdjustmentGroup,
    CreditDebit,
    PaymentHandling,
    PaymentMethod,
    known_code,
)

if TYPE_CHECKING:  # annotations only: records/__init__ is imported by problems.py itself
    from edi_posting.records.source import SourceRef

__all__ = [
    "AdjustmentRecord",
    "Amount",
    "Contact",
    "DateValue",
    "InpatientAdjudication",
    "OutpatientAdjudication",
    "Party",
    "Payment",
    "PersonName",
    "ProviderSummary",
    "Quantity",
    "Reference",
    "RemarkCodeRecord",
    "Trace",
    "signed_payment_cents",
]


def signed_payment_cents(amount_cents: int, credit_debit: str | None) -> int:
    """BPR02 as the money moves: a debit (BPR03 D) takes it from the provider.  The one
    sign rule of a payment, for posting a set and for the ledger check of what it moved."""
    return -amount_cents if credit_debit == CreditDebit.DEBIT else amount_cents


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
    def signed_cents(self) -> int:
        """BPR02 signed by BPR03 (:func:`signed_payment_cents`)."""
        return signed_payment_cents(self.amount_cents, self.credit_debit)

    @property
    def handling(self) -> PaymentHandling | None:
        return known_code(PaymentHandling, self.handling_code)

    @property
    def method(self) -> PaymentMethod | None:
        return known_code(PaymentMethod, self.method_code)


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
class AdjustmentRecord:
    """One CAS triplet; a positive amount reduces the payment, a negative one increases it."""

    group_code: str  # CAS01: CO, PR, OA, PI (CR in 4010)
    reason_code: str  # CAS02/05/08/11/14/17: the CARC
    amount_cents: int  # CAS03/06/09/12/15/18
    quantity: str | None  # CAS04/07/10/13/16/19
    segment_position: int  # the CAS segment's position in the file

    @property
    def group(self) -> AdjustmentGroup | None:
        return known_code(AdjustmentGroup, self.group_code)


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
class RemarkCodeRecord:
    qualifier: str  # LQ01: HE (RARC), RX (NCPDP reject)
    code: str  # LQ02
