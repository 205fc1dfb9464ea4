"""Rows for what was received: files (archived byte for byte), interchanges, functional
groups, transaction sets and the acknowledgements sent back.

The first three levels of idempotency live here as UNIQUE constraints: file SHA-256,
interchange (sender, receiver, ISA13) and transaction set identity key.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Created, IdPk
from edi_posting.records.states import FileStatus, SetKind, SetStatus, check_in

__all__ = ["Acknowledgement", "FunctionalGroup", "Interchange", "ReceivedFile", "TransactionSet"]

FILE_KINDS = ("835", "837P", "837I", "837D", "999", "TA1", "eob", "deposit", "unknown",
              "patient_payments", "lockbox")  # the two payment CSVs: migration 0021


class ReceivedFile(Base):
    """One received file, kept byte for byte (in ``content`` or at ``archive_path``)."""

    __tablename__ = "received_files"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in FILE_KINDS) + ")", name="kind"
        ),
        CheckConstraint("content IS NOT NULL OR archive_path IS NOT NULL", name="archived"),
        CheckConstraint(check_in("status", FileStatus), name="status"),
    )

    id: Mapped[IdPk]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # idempotency level 1
    file_name: Mapped[str] = mapped_column(String(1024))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(35))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    archive_path: Mapped[str | None] = mapped_column(String(2048))
    status: Mapped[str] = mapped_column(String(35), default=FileStatus.RECEIVED)
    received_at: Mapped[Created]
    received_by: Mapped[str] = mapped_column(String(128))
    summary: Mapped[str | None] = mapped_column(Text)  # JSON of the import result


class Interchange(Base):
    """An ISA..IEA envelope.  The same (sender, receiver, ISA13) twice is a resend."""

    __tablename__ = "interchanges"
    __table_args__ = (
        UniqueConstraint(
            "sender_qualifier", "sender_id", "receiver_qualifier", "receiver_id", "control_number"
        ),
    )

    id: Mapped[IdPk]
    file_id: Mapped[int] = mapped_column(ForeignKey("received_files.id"), index=True)
    sender_qualifier: Mapped[str] = mapped_column(String(35))  # ISA05
    sender_id: Mapped[str] = mapped_column(String(35))  # ISA06
    receiver_qualifier: Mapped[str] = mapped_column(String(35))  # ISA07
    receiver_id: Mapped[str] = mapped_column(String(35))  # ISA08
    control_number: Mapped[str] = mapped_column(String(35))  # ISA13
    interchange_date: Mapped[dt.date | None] = mapped_column(Date)  # ISA09
    interchange_time: Mapped[str | None] = mapped_column(String(35))  # ISA10
    version: Mapped[str | None] = mapped_column(String(35))  # ISA12
    usage_indicator: Mapped[str | None] = mapped_column(String(35))  # ISA15 P/T
    segment_position: Mapped[int] = mapped_column(Integer)


class FunctionalGroup(Base):
    __tablename__ = "functional_groups"
    __table_args__ = (UniqueConstraint("interchange_id", "control_number"),)

    id: Mapped[IdPk]
    interchange_id: Mapped[int] = mapped_column(ForeignKey("interchanges.id"))
    functional_id: Mapped[str] = mapped_column(String(35))  # GS01 (HP, HC, FA)
    sender_code: Mapped[str] = mapped_column(String(35))  # GS02
    receiver_code: Mapped[str] = mapped_column(String(35))  # GS03
    group_date: Mapped[dt.date | None] = mapped_column(Date)  # GS04
    control_number: Mapped[str] = mapped_column(String(35))  # GS06
    version: Mapped[str] = mapped_column(String(35))  # GS08
    segment_position: Mapped[int] = mapped_column(Integer)


class TransactionSet(Base):
    """One ST..SE set: the unit of work that commits whole or not at all.

    ``identity_key`` is idempotency level 3 (for an 835: payer id and TRN02, see
    ``edi_posting.posting.payment_identity``); ``content_sha256`` (for an 835 without ST02)
    tells a true re-import from a conflicting one.
    """

    __tablename__ = "transaction_sets"
    __table_args__ = (CheckConstraint(check_in("status", SetStatus), name="status"),
                      CheckConstraint(check_in("kind", SetKind), name="kind"))

    id: Mapped[IdPk]
    file_id: Mapped[int] = mapped_column(ForeignKey("received_files.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("functional_groups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(35))  # SetKind: 835, 837P, 837I, 837D, eob
    control_number: Mapped[str] = mapped_column(String(35))  # ST02
    implementation_reference: Mapped[str | None] = mapped_column(String(35))  # ST03
    identity_key: Mapped[str] = mapped_column(String(128), unique=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    segment_position: Mapped[int] = mapped_column(Integer)
    segment_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(35))  # SetStatus
    imported_at: Mapped[Created]
    imported_by: Mapped[str] = mapped_column(String(128))


class Acknowledgement(Base):
    """A 999 (997 for 004010), or TA1, we produced for a received file (kept with it)."""

    __tablename__ = "acknowledgements"
    __table_args__ = (CheckConstraint("kind IN ('999', '997', 'TA1')", name="kind"),)

    id: Mapped[IdPk]
    file_id: Mapped[int] = mapped_column(ForeignKey("received_files.id"), index=True)
    group_control_number: Mapped[str | None] = mapped_column(String(35))
    kind: Mapped[str] = mapped_column(String(35))
    is_accepted: Mapped[bool] = mapped_column(Boolean)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[Created]
    created_by: Mapped[str] = mapped_column(String(128))
