"""Records for what was billed: an 837P/I/D claim with its parties and service lines.

Produced by ``edi_posting.x12.claim837.parser``; consumed by claim intake (patients, accounts,
charges) and by matching.  Money is integer cents; element ids appear only in comments.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from edi_posting.records.problems import Problem
from edi_posting.records.source import SourceRef

__all__ = [
    "Address",
    "BillingProvider",
    "ClaimBatch",
    "ClaimBatchHeader",
    "ClaimFrequency",
    "ClaimType",
    "OtherPayer",
    "PatientInfo",
    "PayerInfo",
    "ProcedureCode",
    "SubmittedClaimRecord",
    "SubmittedLineRecord",
    "Subscriber",
]


class ClaimType(enum.StrEnum):
    PROFESSIONAL = "P"  # 005010X222A1
    INSTITUTIONAL = "I"  # 005010X223A2
    DENTAL = "D"  # 005010X224A2


class ClaimFrequency(enum.StrEnum):
    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class BillingProvider:
    name: str
    npi: str | None = None  # NM1*85 09 (XX)
    tin: str | None = None  # REF*EI / REF*SY
    address: Address = field(default_factory=Address)


@dataclass(frozen=True, slots=True)
class Subscriber:
    last_name: str
    first_name: str | None
    middle_name: str | None
    member_id: str | None  # NM1*IL 09
    birth_date: dt.date | None  # DMG02
    gender: str | None  # DMG03
    group_number: str | None  # SBR03
    responsibility: str | None  # SBR01: P, S, T ...
    relationship: str | None  # SBR02 (18 = self)
    address: Address = field(default_factory=Address)


@dataclass(frozen=True, slots=True)
class PatientInfo:
    """The patient when different from the subscriber (loop 2000C)."""

    last_name: str
    first_name: str | None
    middle_name: str | None
    birth_date: dt.date | None
    gender: str | None
    relationship: str | None  # PAT01
    address: Address = field(default_factory=Address)


@dataclass(frozen=True, slots=True)
class PayerInfo:
    name: str
    payer_id: str | None  # NM1*PR 09 (PI / XV)


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """A 2320/2330 COB loop, kept as received for secondary billing and matching."""

    responsibility: str | None  # SBR01
    payer_name: str | None
    payer_id: str | None
    paid_cents: int | None  # AMT*D
    claim_adjustments: tuple[tuple[str, str, int], ...] = ()  # (group, reason, cents)
    payer_claim_number: str | None = None  # 2330B REF*F8


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    qualifier: str  # HC, AD, NU, N4 ...
    code: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SubmittedLineRecord:
    ordinal: int
    line_number: int | None  # LX01
    procedure: ProcedureCode | None
    revenue_code: str | None  # SV201
    charge_cents: int  # SV102 / SV203 / SV302
    units: str | None  # SV104 / SV205 exact text
    unit_basis: str | None  # UN, DA, MJ
    place_of_service: str | None
    service_date_from: dt.date | None  # DTP*472
    service_date_to: dt.date | None
    line_item_control_number: str | None  # REF*6R
    other_payer_adjudication: tuple[dict[str, object], ...] = ()  # 2430 SVD/CAS/DTP*573
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class SubmittedClaimRecord:
    claim_type: ClaimType
    ordinal: int  # position of the claim in its transaction set
    patient_control_number: str  # CLM01
    total_charge_cents: int  # CLM02
    facility_code: str | None  # CLM05-1
    facility_qualifier: str | None  # CLM05-2
    frequency_code: str  # CLM05-3
    billing_provider: BillingProvider
    subscriber: Subscriber
    patient: PatientInfo | None
    payer: PayerInfo | None
    lines: tuple[SubmittedLineRecord, ...]
    original_payer_claim_number: str | None = None  # REF*F8
    prior_authorization: str | None = None  # REF*G1
    medical_record_number: str | None = None  # REF*EA
    dates: dict[str, str] = field(default_factory=dict)  # DTP qualifier -> D8/RD8 text
    diagnosis_codes: tuple[str, ...] = ()  # HI
    other_payers: tuple[OtherPayer, ...] = ()
    pay_to_provider: BillingProvider | None = None
    source: SourceRef | None = None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimBatchHeader:
    """The envelope and BHT of one 837 transaction set: what identifies the batch."""

    claim_type: ClaimType
    control_number: str  # ST02
    implementation_reference: str | None  # ST03
    reference_id: str | None  # BHT03: the submitter's batch reference
    created_date: dt.date | None  # BHT04
    submitter_id: str | None  # ISA06 / GS02
    receiver_id: str | None  # ISA08 / GS03
    source: SourceRef | None = None


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    """One parsed 837 transaction set: its header, its claims and its problems.

    ``content_sha256`` covers the set's segments (not the envelope), so the same set resent
    in a new interchange is recognised as already imported.
    """

    header: ClaimBatchHeader
    claims: tuple[SubmittedClaimRecord, ...]
    problems: tuple[Problem, ...]
    content_sha256: str
    segment_position: int
    segment_count: int

    @property
    def is_usable(self) -> bool:
        return not any(p.is_fatal for p in self.problems)
