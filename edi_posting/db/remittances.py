"""Rows for what was paid (835): remittances, claim payments, service-line payments, CAS
adjustments, provider-level adjustments (PLB), remark codes and informational amounts.

Stored exactly as received (signs included): secondary claims and auditors need the CAS
per line as the payer sent it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, FromFile, IdPk
from edi_posting.records.states import MatchMethod, PostingState, SetStatus, check_in

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "ProviderAdjustment",
    "RemarkCode",
    "Remittance",
    "ServiceLinePayment",
    "SupplementalAmount",
]


class Remittance(FromFile, Base):
    """One 835 transaction set: one check or EFT."""

    __tablename__ = "remittances"
    __table_args__ = (CheckConstraint(check_in("status", SetStatus), name="status"),)

    id: Mapped[IdPk]
    transaction_set_id: Mapped[int] = mapped_column(ForeignKey("transaction_sets.id"), unique=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"), index=True)
    payee_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    handling_code: Mapped[str] = mapped_column(String(35))  # BPR01
    payment_cents: Mapped[Cents]  # BPR02
    credit_debit: Mapped[str] = mapped_column(String(35))  # BPR03
    payment_method: Mapped[str] = mapped_column(String(35))  # BPR04
    payment_format: Mapped[str | None] = mapped_column(String(35))  # BPR05
    sender_dfi_id: Mapped[str | None] = mapped_column(String(35))  # BPR07
    sender_account: Mapped[str | None] = mapped_column(String(35))  # BPR09
    receiver_dfi_id: Mapped[str | None] = mapped_column(String(35))  # BPR13
    receiver_account: Mapped[str | None] = mapped_column(String(35))  # BPR15
    payment_date: Mapped[dt.date | None] = mapped_column(Date)  # BPR16
    trace_number: Mapped[str] = mapped_column(String(50), index=True)  # TRN02
    trace_originator: Mapped[str | None] = mapped_column(String(35))  # TRN03
    trace_supplemental: Mapped[str | None] = mapped_column(String(50))  # TRN04
    production_date: Mapped[dt.date | None] = mapped_column(Date)  # DTM*405
    receiver_identifier: Mapped[str | None] = mapped_column(String(50))  # REF*EV
    currency: Mapped[str | None] = mapped_column(String(35))  # CUR02
    payer_name: Mapped[str | None] = mapped_column(String(128))  # N1*PR
    payee_name: Mapped[str | None] = mapped_column(String(128))  # N1*PE
    payee_identifier: Mapped[str | None] = mapped_column(String(80))  # N1*PE 04
    status: Mapped[str] = mapped_column(String(35))  # SetStatus


class ClaimPayment(FromFile, Base):
    """One CLP loop.  Split claims are several rows against one submitted claim."""

    __tablename__ = "claim_payments"
    __table_args__ = (
        UniqueConstraint("remittance_id", "ordinal"),
        CheckConstraint(check_in("posting_state", PostingState), name="posting_state"),
        CheckConstraint(f"match_method IS NULL OR {check_in('match_method', MatchMethod)}",
                        name="match_method"),
    )

    id: Mapped[IdPk]
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    # idempotency level 4: transaction set key, CLP01, CLP07, CLP02, ordinal
    identity_key: Mapped[str] = mapped_column(String(160), unique=True)
    submitted_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_claims.id"), index=True
    )
    patient_control_number: Mapped[str] = mapped_column(String(38), index=True)  # CLP01
    status_code: Mapped[str] = mapped_column(String(35))  # CLP02
    charge_cents: Mapped[Cents]  # CLP03
    paid_cents: Mapped[Cents]  # CLP04
    patient_responsibility_cents: Mapped[int | None] = mapped_column(BigInteger)  # CLP05
    filing_indicator: Mapped[str | None] = mapped_column(String(35))  # CLP06
    payer_claim_control_number: Mapped[str | None] = mapped_column(String(50), index=True)
    facility_type: Mapped[str | None] = mapped_column(String(35))  # CLP08
    frequency_code: Mapped[str | None] = mapped_column(String(35))  # CLP09
    drg_code: Mapped[str | None] = mapped_column(String(35))  # CLP11
    drg_weight: Mapped[str | None] = mapped_column(String(35))  # CLP12 (exact text)
    discharge_fraction: Mapped[str | None] = mapped_column(String(35))  # CLP13
    patient_last_name: Mapped[str | None] = mapped_column(String(128))  # NM1*QC
    patient_first_name: Mapped[str | None] = mapped_column(String(64))
    member_id: Mapped[str | None] = mapped_column(String(80), index=True)  # NM1*QC/IL 09
    corrected_member_id: Mapped[str | None] = mapped_column(String(80))  # NM1*74 09
    rendering_provider_npi: Mapped[str | None] = mapped_column(String(35))  # NM1*82 09
    crossover_payer_name: Mapped[str | None] = mapped_column(String(128))  # NM1*TT 03
    crossover_payer_id: Mapped[str | None] = mapped_column(String(80))  # NM1*TT 09
    statement_from: Mapped[dt.date | None] = mapped_column(Date)  # DTM*232
    statement_to: Mapped[dt.date | None] = mapped_column(Date)  # DTM*233
    received_date: Mapped[dt.date | None] = mapped_column(Date)  # DTM*050
    match_method: Mapped[str | None] = mapped_column(String(35))  # MatchMethod
    # posted, held, denied, recorded, reversal, reversed_awaiting_correction, unmatched
    posting_state: Mapped[str] = mapped_column(String(35))


class ServiceLinePayment(FromFile, Base):
    __tablename__ = "service_line_payments"
    __table_args__ = (UniqueConstraint("claim_payment_id", "ordinal"),)

    id: Mapped[IdPk]
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    submitted_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_lines.id"), index=True
    )
    procedure_qualifier: Mapped[str | None] = mapped_column(String(35))  # SVC01-1
    procedure_code: Mapped[str | None] = mapped_column(String(48))  # SVC01-2
    modifier1: Mapped[str | None] = mapped_column(String(35))
    modifier2: Mapped[str | None] = mapped_column(String(35))
    modifier3: Mapped[str | None] = mapped_column(String(35))
    modifier4: Mapped[str | None] = mapped_column(String(35))
    charge_cents: Mapped[Cents]  # SVC02
    paid_cents: Mapped[Cents]  # SVC03
    revenue_code: Mapped[str | None] = mapped_column(String(48))  # SVC04
    paid_units: Mapped[str | None] = mapped_column(String(35))  # SVC05
    original_procedure_qualifier: Mapped[str | None] = mapped_column(String(35))  # SVC06-1
    original_procedure_code: Mapped[str | None] = mapped_column(String(48))  # SVC06-2
    original_modifiers: Mapped[str | None] = mapped_column(String(35))  # SVC06-3..6, ':'-joined
    original_units: Mapped[str | None] = mapped_column(String(35))  # SVC07
    service_date_from: Mapped[dt.date | None] = mapped_column(Date)  # DTM*472 / 150
    service_date_to: Mapped[dt.date | None] = mapped_column(Date)  # DTM*151
    line_item_control_number: Mapped[str | None] = mapped_column(String(50), index=True)  # 6R


class Adjustment(FromFile, Base):
    """One CAS triplet, claim level (service_line_payment_id NULL) or line level."""

    __tablename__ = "adjustments"
    __table_args__ = (UniqueConstraint("claim_payment_id", "ordinal"),)

    id: Mapped[IdPk]
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line_payments.id"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)  # across the whole claim payment
    group_code: Mapped[str] = mapped_column(String(35))  # CAS01
    reason_code: Mapped[str] = mapped_column(String(35))  # CAS02/05/08/...
    amount_cents: Mapped[Cents]  # CAS03/06/09/... signed as sent
    quantity: Mapped[str | None] = mapped_column(String(35))  # CAS04/07/10/...


class ProviderAdjustment(FromFile, Base):
    """One PLB reason/amount pair."""

    __tablename__ = "provider_adjustments"
    __table_args__ = (UniqueConstraint("remittance_id", "ordinal"),)

    id: Mapped[IdPk]
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    provider_identifier: Mapped[str] = mapped_column(String(50))  # PLB01
    fiscal_period_date: Mapped[dt.date | None] = mapped_column(Date)  # PLB02
    reason_code: Mapped[str] = mapped_column(String(35))  # PLB03-1
    reference_id: Mapped[str | None] = mapped_column(String(50), index=True)  # PLB03-2
    amount_cents: Mapped[Cents]  # PLB04: positive reduces the payment
    linked_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_claims.id"), index=True
    )
    linked_claim_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payments.id"), index=True
    )


class RemarkCode(FromFile, Base):
    """RARCs from MOA, MIA (claim) and LQ (line), kept in order."""

    __tablename__ = "remark_codes"
    __table_args__ = (UniqueConstraint("claim_payment_id", "ordinal"),)

    id: Mapped[IdPk]
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line_payments.id"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(35))  # MOA, MIA, LQ
    qualifier: Mapped[str | None] = mapped_column(String(35))  # LQ01 HE/RX
    code: Mapped[str] = mapped_column(String(35))


class SupplementalAmount(FromFile, Base):
    """AMT (and QTY) values: informational, never part of balancing."""

    __tablename__ = "supplemental_amounts"
    __table_args__ = (UniqueConstraint("claim_payment_id", "ordinal"),)

    id: Mapped[IdPk]
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line_payments.id"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    segment_id: Mapped[str] = mapped_column(String(35))  # AMT or QTY
    qualifier: Mapped[str] = mapped_column(String(35))  # AMT01 (I, B6, AU, D8...) / QTY01
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)  # AMT02
    quantity: Mapped[str | None] = mapped_column(String(35))  # QTY02
