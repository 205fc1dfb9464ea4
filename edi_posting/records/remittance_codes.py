"""Code values of an 835, as enums with readable names (BPR01/03/04, CLP02, CAS01, PLB03-1).

Records (:mod:`edi_posting.records.remittance`) keep the raw string the payer sent, so an
unknown code never crashes anything; :func:`known_code` gives the enum member for a known
one (what their ``status``/``group``/``reason``/``method`` properties return).
"""

from __future__ import annotations

import enum
from typing import TypeVar

__all__ = [
    "AdjustmentGroup",
    "ClaimStatus",
    "CreditDebit",
    "PaymentHandling",
    "PaymentMethod",
    "ProviderAdjustmentReason",
    "known_code",
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


def known_code(kind: type[_E], code: str) -> _E | None:
    member = kind._value2member_map_.get(code)
    return member if isinstance(member, kind) else None
