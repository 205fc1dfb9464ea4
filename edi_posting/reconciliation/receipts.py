"""Money awaiting deposit: every receipt that debited cash clearing, as simple records.

This is the one place that says what the bank should be depositing.  A receipt is an 835
remittance (a check or EFT; a keyed paper EOB is stored as one) or a payment received
without remittance (``received_payments``: a payer's check at the desk or in a lockbox
file, a patient's check, card or cash payment), both of which reconcile matches, or a desk
entry (any other entry of its own that debited cash clearing), which the cash-clearing
check counts.  Each gives the same :class:`Receipt`.

Every movement of cash clearing belongs to one receipt or to the deposit side: a
remittance's own entries, those of its claim payments (unapplied cash returned to the payer
from cash) and the corrections reversing either; a received payment's own entry and the
corrections reversing it (a returned item's); the ``payment_claimed`` entry by which an
835 takes a check received before it, which belongs to that remittance (the check's cash
was counted when it was received, so the remittance awaits nothing more and the check
awaits its deposit once); a desk entry and its corrections; the deposit entries of the
matches and their reversals.  What is awaiting is a receipt's amount less what deposits
met (``deposit_matches``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, or_, select

from edi_posting.bank.traces import normalize_trace
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import (
    ClaimPayment,
    DepositMatch,
    JournalEntry,
    JournalLine,
    PatientAccount,
    Payer,
    ReceivedFile,
    ReceivedPayment,
    Remittance,
)
from edi_posting.db.workflow import ReceiptKind
from edi_posting.ledger.journal import account_ids

__all__ = ["RECEIVED_KINDS", "Receipt", "ReceiptKey", "awaiting_receipts", "cleared_cents", "standing"]

ReceiptKey = tuple[str, int]  # (ReceiptKind, id): ids are unique within a kind only

_R, _E, _L = table_of(Remittance), table_of(JournalEntry), table_of(JournalLine)
_CP, _P, _M = table_of(ClaimPayment), table_of(Payer), table_of(DepositMatch)
_F, _RP, _A = table_of(ReceivedFile), table_of(ReceivedPayment), table_of(PatientAccount)
# what the bank deposits and reconcile matches: 835s and payments received without one
RECEIVED_KINDS = (ReceiptKind.REMITTANCE, ReceiptKind.PAYMENT)


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

    @property
    def key(self) -> ReceiptKey:
        return (str(self.kind), self.id)


def _moved(conn: Connection) -> list[Any]:
    """Every entry's cash-clearing movement (in entry order) with what it belongs to: its
    remittance, its claim payment's (a queue return from cash), or, for a correction (undo,
    reversal) naming neither, the remittance or claim payment of the entry it reverses."""
    cash = account_ids(conn)[AccountCode.CASH_CLEARING]
    original = _E.alias("original")
    cp, cp_of_original = _CP.alias("cp"), _CP.alias("cp_of_original")
    owner = func.coalesce(_E.c.remittance_id, cp.c.remittance_id, original.c.remittance_id,
                          cp_of_original.c.remittance_id)
    return list(conn.execute(
        select(_E.c.id, _E.c.kind, _E.c.effective_date, _E.c.reverses_entry_id,
               _E.c.review_item_id, owner.label("remittance_id"),
               func.sum(_L.c.amount_cents).label("cents"),
               func.min(_L.c.payer_id).label("payer_id"))
        .join(_L, _L.c.entry_id == _E.c.id)
        .join(cp, cp.c.id == _E.c.claim_payment_id, isouter=True)
        .join(original, original.c.id == _E.c.reverses_entry_id, isouter=True)
        .join(cp_of_original, cp_of_original.c.id == original.c.claim_payment_id, isouter=True)
        .where(_L.c.account_id == cash)
        .group_by(_E.c.id, _E.c.kind, _E.c.effective_date, _E.c.reverses_entry_id,
                  _E.c.review_item_id, owner)
        .order_by(_E.c.id)))


def _payment_links(conn: Connection) -> tuple[dict[int, int], dict[int, int]]:
    """Journal entry -> the received payment it put in cash clearing; and the review item
    of a payer's check -> the remittance that claimed it (its ``payment_claimed`` entries
    name that item)."""
    own: dict[int, int] = {}
    claimed: dict[int, int] = {}
    for row in conn.execute(select(_RP.c.id, _RP.c.journal_entry_id, _RP.c.review_item_id,
                                   _RP.c.claimed_by_remittance_id)):
        own[int(row.journal_entry_id)] = int(row.id)
        if row.review_item_id is not None and row.claimed_by_remittance_id is not None:
            claimed[int(row.review_item_id)] = int(row.claimed_by_remittance_id)
    return own, claimed


def _owner(row: Any, own: dict[int, int], claimed: dict[int, int],
           owners: dict[int, ReceiptKey]) -> ReceiptKey | None:
    """The receipt one cash-clearing movement belongs to (None: a desk entry of its own)."""
    if row.id in own:
        return (ReceiptKind.PAYMENT, own[row.id])
    if row.kind == EntryKind.PAYMENT_CLAIMED and row.review_item_id in claimed:
        return (ReceiptKind.REMITTANCE, claimed[row.review_item_id])
    if row.remittance_id is not None:  # a later 835's reversal is that remittance's own
        return (ReceiptKind.REMITTANCE, int(row.remittance_id))
    return owners.get(row.reverses_entry_id)


def _attributed(conn: Connection) -> tuple[dict[ReceiptKey, tuple[int, int]], list[Any]]:
    """(kind, id) of a remittance or received payment -> (cash clearing moved, first
    entry); and the desk entries: cash clearing moved by an entry of its own, with the
    corrections reversing one counted in it.  A correction naming no remittance belongs
    where the entry it reverses does, however many corrections deep.  The deposit side (entries of a deposit
    match and their reversals) is what clears receipts, never a receipt itself."""
    matched = set(conn.execute(select(_M.c.journal_entry_id)).scalars())
    own, claimed = _payment_links(conn)
    owners: dict[int, ReceiptKey] = {}
    moved: dict[ReceiptKey, tuple[int, int]] = {}
    desk: dict[int, list[Any]] = {}
    for row in _moved(conn):
        if row.id in matched or row.reverses_entry_id in matched:
            continue
        found = _owner(row, own, claimed, owners)
        if found is None:
            desk.setdefault(row.reverses_entry_id or row.id, []).append(row)
            continue
        owners[row.id] = found
        cents, first = moved.get(found, (0, row.id))
        moved[found] = (cents + int(row.cents), min(first, row.id))
    return moved, [_desk_receipt(rows) for rows in desk.values()]


def _desk_receipt(rows: list[Any]) -> Receipt:
    first = min(rows, key=lambda r: r.id)
    return Receipt(ReceiptKind.DESK, first.id, first.payer_id, "", sum(int(r.cents) for r in rows),
                   None, first.effective_date, first.id)


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
                      ids: Sequence[int] | None = None, only_open: bool = True,
                      kinds: Sequence[ReceiptKind] = (ReceiptKind.REMITTANCE,)
                      ) -> list[Receipt]:
    """The receipts of ``kinds`` (received on or before ``received_to``; ``ids``: of the
    first kind asked) with money still awaiting its deposit (``only_open=False``: all of
    them, the cash-clearing check's view).  :data:`RECEIVED_KINDS` are what reconcile
    matches; the cash-clearing check adds the desk's."""
    cash, desk = _attributed(conn)
    receipts: list[Receipt] = []
    if ReceiptKind.REMITTANCE in kinds:
        receipts += _remittances(conn, cash, ids if kinds[0] == ReceiptKind.REMITTANCE
                                 else None)
    if ReceiptKind.PAYMENT in kinds and (ids is None or kinds[0] == ReceiptKind.PAYMENT):
        receipts += _payments(conn, cash, ids)
    if ReceiptKind.DESK in kinds and ids is None:
        cleared = cleared_cents(conn, ReceiptKind.DESK)
        receipts += [replace(r, cleared_cents=cleared.get(r.id, 0)) for r in desk]
    return [r for r in receipts if (received_to is None or r.received <= received_to)
            and (not only_open or r.awaiting_cents > 0)]


def _remittances(conn: Connection, cash: dict[ReceiptKey, tuple[int, int]],
                 ids: Sequence[int] | None) -> list[Receipt]:
    cleared = cleared_cents(conn, ReceiptKind.REMITTANCE)
    query = (select(_R.c.id, _R.c.payer_id, _R.c.payer_name, _P.c.name, _R.c.trace_number,
                    _R.c.payment_date, _R.c.payment_method, _F.c.received_at)
             .join(_P, _P.c.id == _R.c.payer_id, isouter=True)
             .join(_F, _F.c.id == _R.c.source_file_id, isouter=True).order_by(_R.c.id))
    if ids is not None:
        query = query.where(among(_R.c.id, list(ids)))
    receipts = []
    for row in conn.execute(query):
        moved, entry = cash.get((ReceiptKind.REMITTANCE, row.id), (0, 0))
        received = row.payment_date or (row.received_at.date() if row.received_at
                                        else dt.date.today())
        receipts.append(Receipt(ReceiptKind.REMITTANCE, row.id, row.payer_id,
                                row.name or row.payer_name or "", moved, row.trace_number,
                                received, entry or None, cleared.get(row.id, 0),
                                row.payment_method))
    return receipts


def _payments(conn: Connection, cash: dict[ReceiptKey, tuple[int, int]],
              ids: Sequence[int] | None) -> list[Receipt]:
    """Received payments: who paid (the payer, else the name as given, else the account),
    the reference as their trace, the day received, the method, their own entry."""
    cleared = cleared_cents(conn, ReceiptKind.PAYMENT)
    query = (select(_RP.c.id, _RP.c.payer_id, _P.c.name, _RP.c.remitter, _A.c.account_number,
                    _RP.c.reference, _RP.c.received_date, _RP.c.method, _RP.c.journal_entry_id)
             .join(_P, _P.c.id == _RP.c.payer_id, isouter=True)
             .join(_A, _A.c.id == _RP.c.patient_account_id, isouter=True)
             .order_by(_RP.c.id))
    if ids is not None:
        query = query.where(among(_RP.c.id, list(ids)))
    return [Receipt(ReceiptKind.PAYMENT, row.id, row.payer_id,
                    row.name or row.remitter or row.account_number or "",
                    cash.get((ReceiptKind.PAYMENT, row.id), (0, 0))[0], row.reference,
                    row.received_date, row.journal_entry_id, cleared.get(row.id, 0),
                    str(row.method)) for row in conn.execute(query)]
