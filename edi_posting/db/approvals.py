"""Actions waiting for a second person: a write-off above the write-off limit (cumulative
per claim) or a refund above the refund limit is stored here and posts nothing until a
different user holding ``approve`` decides it (migration 0011)."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, Created, IdPk
from edi_posting.records.states import check_in

__all__ = ["Approval", "ApprovalAction", "ApprovalStatus"]


class ApprovalAction(enum.StrEnum):
    WRITE_OFF = "write-off"
    REFUND = "refund"
    RETURN = "return"  # queue return: the refund limit applies


class ApprovalStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Approval(Base):
    """One action a person asked for and another must decide; ``params`` are what the
    action needs to post once approved (side, payee...), ``journal_entry_id`` what it posted."""

    __tablename__ = "approvals"
    __table_args__ = (
        CheckConstraint(check_in("action", ApprovalAction), name="action"),
        CheckConstraint(check_in("status", ApprovalStatus), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("decided_by IS NULL OR decided_by <> requested_by",
                        name="second_person"),
    )

    id: Mapped[IdPk]
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    action: Mapped[str] = mapped_column(String(35))
    amount_cents: Mapped[Cents]
    reason: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(35), index=True, default=ApprovalStatus.PENDING)
    requested_by: Mapped[str] = mapped_column(String(128))
    requested_at: Mapped[Created]
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
