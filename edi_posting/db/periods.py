"""Accounting periods finance has closed (migration 0023).

A period is a calendar month (``2026-11``).  Once closed, nothing posts into it: the ledger
write path (:mod:`edi_posting.ledger.periods`) dates an entry whose effective date falls
in a closed period on the first open day instead, and the entry's memo keeps the original
date and names the closed period.  A period is one row, closed and possibly reopened by an
admin with a reason; every change is also an audit event (``period.close``,
``period.reopen``), so the row holds the latest state and the audit trail the history.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Created, IdPk
from edi_posting.records.states import check_in

__all__ = ["AccountingPeriod", "PeriodStatus"]


class PeriodStatus(enum.StrEnum):
    CLOSED = "closed"  # nothing posts into it
    REOPENED = "reopened"  # an admin opened it again (with a reason); entries post as dated


class AccountingPeriod(Base):
    """One calendar month finance closed; ``period`` is ``YYYY-MM``."""

    __tablename__ = "periods"
    __table_args__ = (CheckConstraint(check_in("status", PeriodStatus), name="status"),)

    id: Mapped[IdPk]
    period: Mapped[str] = mapped_column(String(7), unique=True)
    status: Mapped[str] = mapped_column(String(35))
    closed_by: Mapped[str] = mapped_column(String(128))
    closed_at: Mapped[Created]
    close_reason: Mapped[str | None] = mapped_column(Text)
    reopened_by: Mapped[str | None] = mapped_column(String(128))
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
