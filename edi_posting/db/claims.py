"""Rows for what was billed (837 intake): submitted claims and their service lines.

Every submission of a claim is its own row (originals, replacements and voids alike), so
every PCN ever sent for a claim stays findable by matching.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, Created, FromFile, IdPk
from edi_posting.records.states import SubmissionStatus, check_in

__all__ = ["SubmittedClaim", "SubmittedLine"]


class SubmittedClaim(FromFile, Base):
    __tablename__ = "submitted_claims"
    __table_args__ = (
        UniqueConstraint("transaction_set_id", "ordinal"),
        CheckConstraint(check_in("status", SubmissionStatus), name="status"),
    )

    id: Mapped[IdPk]
    transaction_set_id: Mapped[int] = mapped_column(ForeignKey("transaction_sets.id"))
    ordinal: Mapped[int] = mapped_column(Integer)  # position of the claim in its set
    claim_type: Mapped[str] = mapped_column(String(35))  # P, I, D
    patient_control_number: Mapped[str] = mapped_column(String(38))  # CLM01 as sent
    pcn_normalized: Mapped[str] = mapped_column(String(38), index=True)  # trimmed, upper-case
    total_charge_cents: Mapped[Cents]  # CLM02
    facility_code: Mapped[str | None] = mapped_column(String(35))  # CLM05-1
    facility_qualifier: Mapped[str | None] = mapped_column(String(35))  # CLM05-2
    frequency_code: Mapped[str] = mapped_column(String(35))  # CLM05-3: 1, 7, 8
    original_payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # REF*F8
    prior_authorization: Mapped[str | None] = mapped_column(String(50))  # REF*G1
    medical_record_number: Mapped[str | None] = mapped_column(String(50))  # REF*EA
    payer_responsibility: Mapped[str | None] = mapped_column(String(35))  # SBR01
    statement_from: Mapped[dt.date | None] = mapped_column(Date)  # DTP*434 (I) / earliest 472
    statement_to: Mapped[dt.date | None] = mapped_column(Date)
    patient_account_id: Mapped[int] = mapped_column(
        ForeignKey("patient_accounts.id"), index=True
    )
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"), index=True)
    coverage_id: Mapped[int | None] = mapped_column(ForeignKey("coverages.id"))
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    replaces_claim_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("submitted_claims.id"), index=True
    )
    # SubmissionStatus; a state, not money: balances always come from the ledger
    status: Mapped[str] = mapped_column(String(35), default=SubmissionStatus.ACTIVE)
    diagnosis_codes: Mapped[list[str] | None] = mapped_column(JSON)  # HI
    dates: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # every DTP by qualifier
    other_payers: Mapped[list[Any] | None] = mapped_column(JSON)  # 2320/2330 COB loops
    created_at: Mapped[Created]


class SubmittedLine(FromFile, Base):
    __tablename__ = "submitted_lines"
    __table_args__ = (UniqueConstraint("claim_id", "ordinal"),)

    id: Mapped[IdPk]
    claim_id: Mapped[int] = mapped_column(ForeignKey("submitted_claims.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    line_number: Mapped[int | None] = mapped_column(Integer)  # LX01
    procedure_qualifier: Mapped[str | None] = mapped_column(String(35))  # HC, AD, NU, N4
    procedure_code: Mapped[str | None] = mapped_column(String(48))
    modifier1: Mapped[str | None] = mapped_column(String(35))
    modifier2: Mapped[str | None] = mapped_column(String(35))
    modifier3: Mapped[str | None] = mapped_column(String(35))
    modifier4: Mapped[str | None] = mapped_column(String(35))
    revenue_code: Mapped[str | None] = mapped_column(String(48))  # SV201
    charge_cents: Mapped[Cents]  # SV102 / SV203 / SV302
    units: Mapped[str | None] = mapped_column(String(35))  # exact text of SV104 / SV205
    unit_basis: Mapped[str | None] = mapped_column(String(35))  # UN, DA, MJ
    place_of_service: Mapped[str | None] = mapped_column(String(35))
    service_date_from: Mapped[dt.date | None] = mapped_column(Date)  # DTP*472
    service_date_to: Mapped[dt.date | None] = mapped_column(Date)
    line_item_control_number: Mapped[str | None] = mapped_column(String(50), index=True)  # 6R
    other_payer_adjudication: Mapped[list[Any] | None] = mapped_column(JSON)  # 2430
