"""Has the payer already adjudicated the claim a queued payment is being applied to?

A payer that pays the same claim twice (once under its PCN, once under one that matches
nothing) sends the same adjudication twice: the same contractual and patient-responsibility
adjustments.  The first posted them; applying the second must post only its cash, or the
patient's share doubles and the claim shows a credit of the whole charge.  This module
finds the earlier payments of that payer on the claim still standing (posted at import or
applied by a specialist, not reversed) and the billed lines they adjudicated, so ``apply``
can strip those lines' adjustments and say so before posting (x12-posting-rules.md: never
post the same adjustment twice).

Read-only; runs in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    Remittance,
    ServiceLinePayment,
)
from edi_posting.money import format_cents
from edi_posting.records.states import PostingState

__all__ = ["STANDING_STATES", "Adjudication", "EarlierPayment", "earlier_adjudication"]

_CP, _REM = table_of(ClaimPayment), table_of(Remittance)
_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)
_SVC = table_of(ServiceLinePayment)
STANDING_STATES = (PostingState.POSTED, PostingState.APPLIED)  # a reversed payment adjudicates nothing any more


@dataclass(frozen=True, slots=True)
class EarlierPayment:
    claim_payment_id: int
    trace_number: str
    payment_date: dt.date | None
    paid_cents: int

    def describe(self) -> str:
        when = f" of {self.payment_date.isoformat()}" if self.payment_date else ""
        return (f"claim payment {self.claim_payment_id} (835 {self.trace_number}{when}, "
                f"{format_cents(self.paid_cents)} paid)")


@dataclass(frozen=True, slots=True)
class Adjudication:
    """The payer's standing adjudication of one claim: the payments and the billed lines."""

    payments: tuple[EarlierPayment, ...]
    line_ids: frozenset[int]
    whole_claim: bool  # an earlier payment had no service lines: it decided every line

    def covers(self, line_id: int | None) -> bool:
        return self.whole_claim or (line_id is not None and line_id in self.line_ids)


def earlier_adjudication(conn: Connection, claim_id: int, payer_id: int | None,
                         claim_payment_id: int) -> Adjudication | None:
    """The payer's earlier standing payments of the claim (None when there is none)."""
    if payer_id is None:
        return None
    rows = conn.execute(
        select(_CP.c.id, _CP.c.paid_cents, _REM.c.trace_number, _REM.c.payment_date)
        .join(_REM, _REM.c.id == _CP.c.remittance_id)
        .where(_CP.c.submitted_claim_id == claim_id, _CP.c.id != claim_payment_id,
               _CP.c.posting_state.in_(STANDING_STATES), _CP.c.status_code != "22",
               _REM.c.payer_id == payer_id)
        .order_by(_CP.c.id)).all()
    if not rows:
        return None
    payments = tuple(EarlierPayment(r.id, r.trace_number, r.payment_date, r.paid_cents)
                     for r in rows)
    line_ids = frozenset(conn.execute(
        select(_LINE.c.submitted_line_id).distinct()
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(_ENTRY.c.claim_payment_id.in_([p.claim_payment_id for p in payments]),
               _ENTRY.c.reverses_entry_id.is_(None),
               _LINE.c.submitted_claim_id == claim_id,
               _LINE.c.submitted_line_id.is_not(None))).scalars())
    lineless = conn.execute(select(_CP.c.id).where(
        _CP.c.id.in_([p.claim_payment_id for p in payments]),
        ~select(_SVC.c.id).where(_SVC.c.claim_payment_id == _CP.c.id).exists())).first()
    return Adjudication(payments, line_ids, whole_claim=lineless is not None)
