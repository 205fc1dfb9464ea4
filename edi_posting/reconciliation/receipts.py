"""Money awaiting deposit: every receipt that debited cash clearing, as simple records.

This is the one place that says what the bank should be depositing.  Today a receipt is
an 835 remittance (a check or EFT; a keyed paper EOB is stored as one); payments received
without remittance (patient payments, lockbox, payer checks before their EOB) are to be
added here as another :class:`ReceiptKind`, each giving the same :class:`Receipt`.

A remittance's amount is what its entries moved through cash clearing (BPR02, less any
unapplied cash of its claim payments returned to the payer from cash); what is awaiting
is that amount less what deposits met (``deposit_matches``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, func, or_, select

from edi_posting.bank.traces import normalize_trace
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.lists import among
from edi_posting.db.models import (
    ClaimPayment,
    DepositMatch,
    JournalEntry,
    JournalLine,
    Payer,
    ReceivedFile,
    Remittance,
)
from edi_posting.db.workflow import ReceiptKind
from edi_posting.ledger.journal import account_ids

__all__ = ["Receipt", "awaiting_receipts", "cleared_cents", "standing"]

_R, _E, _L = table_of(Remittance), table_of(JournalEntry), table_of(JournalLine)
_CP, _P, _M = table_of(ClaimPayment), table_of(Payer), table_of(DepositMatch)
_F = table_of(ReceivedFile)


@dataclass(frozen=True, slots=True)
class Receipt:
    """Money that debited cash clearing and should reach the bank."""

    kind: ReceiptKind
    id: int
    payer_id: int | None
    payer: str
    amount_cents: int  # what it put in cash clearing
    trace: str | None  # as sent (TRN02, a check number, a lockbox reference)
    received: dt.date  # the payment date (BPR16), else the day the file came
    entry_id: int | None  # the first journal entry that debited cash clearing for it
    cleared_cents: int = 0  # what deposits (and accepted variances) met so far
    method: str | None = None  # BPR04: ACH, CHK, ...

    @property
    def awaiting_cents(self) -> int:
        return self.amount_cents - self.cleared_cents

    @property
    def trace_key(self) -> str | None:
        return normalize_trace(self.trace)


def _cash_by_remittance(conn: Connection) -> dict[int, tuple[int, int]]:
    """Remittance id -> (cash clearing moved, first entry id): its own entries, and entries
    of its claim payments written later from the queue (a return from cash)."""
    cash = account_ids(conn)[AccountCode.CASH_CLEARING]
    direct = conn.execute(
        select(_E.c.remittance_id, func.sum(_L.c.amount_cents), func.min(_E.c.id))
        .join(_L, _L.c.entry_id == _E.c.id)
        .where(_L.c.account_id == cash, _E.c.remittance_id.is_not(None))
        .group_by(_E.c.remittance_id)).all()
    later = conn.execute(
        select(_CP.c.remittance_id, func.sum(_L.c.amount_cents))
        .join(_E, _E.c.claim_payment_id == _CP.c.id).join(_L, _L.c.entry_id == _E.c.id)
        .where(_L.c.account_id == cash, _E.c.remittance_id.is_(None))
        .group_by(_CP.c.remittance_id)).all()
    found = {int(r): (int(c), int(e)) for r, c, e in direct}
    for remittance_id, cents in later:
        moved, entry = found.get(int(remittance_id), (0, 0))
        found[int(remittance_id)] = (moved + int(cents), entry)
    return found


def standing() -> ColumnElement[bool]:
    """A match row counts while its entry stands: one ``queue undo`` (or a returned item)
    reversed no longer meets anything, so the deposit and the receipt are open again."""
    reversal = _E.alias("reversal")
    return or_(_M.c.journal_entry_id.is_(None),
               ~select(reversal.c.id).where(
                   reversal.c.reverses_entry_id == _M.c.journal_entry_id).exists())


def cleared_cents(conn: Connection, kind: ReceiptKind,
                  ids: Sequence[int] | None = None) -> dict[int, int]:
    """Receipt id -> what deposit matches (and accepted variances) took of it."""
    query = (select(_M.c.receipt_id, func.sum(_M.c.amount_cents))
             .where(_M.c.receipt_kind == kind, standing()).group_by(_M.c.receipt_id))
    if ids is not None:
        query = query.where(among(_M.c.receipt_id, list(ids)))
    return {int(r): int(c) for r, c in conn.execute(query)}


def awaiting_receipts(conn: Connection, *, received_to: dt.date | None = None,
                      ids: Sequence[int] | None = None,
                      only_open: bool = True) -> list[Receipt]:
    """The receipts (received on or before ``received_to``) with money still awaiting its
    deposit (``only_open=False``: all of them, the cash-clearing check's view)."""
    cash = _cash_by_remittance(conn)
    cleared = cleared_cents(conn, ReceiptKind.REMITTANCE)
    query = (select(_R.c.id, _R.c.payer_id, _R.c.payer_name, _P.c.name, _R.c.trace_number,
                    _R.c.payment_date, _R.c.payment_method, _F.c.received_at)
             .join(_P, _P.c.id == _R.c.payer_id, isouter=True)
             .join(_F, _F.c.id == _R.c.source_file_id, isouter=True).order_by(_R.c.id))
    if ids is not None:
        query = query.where(among(_R.c.id, list(ids)))
    receipts = []
    for row in conn.execute(query):
        moved, entry = cash.get(row.id, (0, 0))
        received = row.payment_date or (row.received_at.date() if row.received_at
                                        else dt.date.today())
        receipt = Receipt(ReceiptKind.REMITTANCE, row.id, row.payer_id,
                          row.name or row.payer_name or "", moved, row.trace_number,
                          received, entry or None, cleared.get(row.id, 0), row.payment_method)
        if received_to is not None and receipt.received > received_to:
            continue
        if only_open and receipt.awaiting_cents <= 0:
            continue
        receipts.append(receipt)
    return receipts
