"""A deposit meeting a receipt, written: the ``deposit`` entry and the match row.

Each match posts one balanced entry, Dr bank / Cr cash clearing for the part of the
deposit the receipt takes (on the receipt's payer), keyed
``deposit:<deposit>:<receipt kind>:<receipt>:<method>`` so a retried run cannot post it
twice, and one ``deposit_matches`` row naming the entry: the lineage bank line -> receipt
(the 835) -> its entries.  The entry names no ``remittance_id`` on purpose: the ledger's
check that a remittance's own entries move exactly its BPR02 through cash clearing must not
count the deposit that cleared it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select, text

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import Deposit, DepositMatch, JournalEntry
from edi_posting.db.workflow import DepositMatchMethod, ReceiptKind
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.money import format_cents
from edi_posting.reconciliation.pairing import OpenDeposit
from edi_posting.reconciliation.receipts import Receipt, standing

__all__ = [
    "MatchDraft",
    "banked_cents",
    "deposits_of_remittances",
    "lock_deposits",
    "open_deposits",
    "record_matches",
    "remittance_deposits",
    "returned_deposits",
]

_DEPOSIT, _MATCH, _ENTRY = table_of(Deposit), table_of(DepositMatch), table_of(JournalEntry)
# one writer matches deposits at a time ("EDIR"): two runs (or a run and a queue action)
# reading the same open deposits would otherwise each match them (SQLite's BEGIN IMMEDIATE
# already serialises writers)
RECONCILE_LOCK_KEY = 0x45444952


def lock_deposits(conn: Connection) -> None:
    """Take the reconciliation lock for this transaction (PostgreSQL), before reading
    which deposits and receipts are still open."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECONCILE_LOCK_KEY})


@dataclass(frozen=True, slots=True)
class MatchDraft:
    """One (deposit, receipt) meeting to write, with its entry's kind and lines."""

    deposit_id: int
    receipt: Receipt
    amount_cents: int
    method: DepositMatchMethod
    day: dt.date
    kind: EntryKind = EntryKind.DEPOSIT
    review_item_id: int | None = None
    receipt_kind: ReceiptKind = ReceiptKind.REMITTANCE
    debit: AccountCode = AccountCode.BANK  # the bank, or an adjustment for a variance
    credit: AccountCode = AccountCode.CASH_CLEARING  # unapplied cash for a deposit received

    @property
    def key(self) -> str:
        return f"deposit:{self.deposit_id}:{self.receipt_kind}:{self.receipt.id}:{self.method}"

    def entry(self, again: int = 0) -> EntryDraft:
        """Its entry; ``again``: how many matches of the pair were reversed before."""
        payer = self.receipt.payer_id
        return EntryDraft(
            self.key + (f":{again}" if again else ""),
            self.kind, self.day,
            (Posting(self.debit, self.amount_cents, payer_id=payer),
             Posting(self.credit, -self.amount_cents, payer_id=payer)),
            memo=f"deposit {self.deposit_id} meets {self.receipt_kind} {self.receipt.id} "
                 f"(trace {self.receipt.trace or '-'}): {format_cents(self.amount_cents)} "
                 f"by {self.method}", review_item_id=self.review_item_id)


def banked_cents(conn: Connection, deposit_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Deposit id -> what of it receipts have taken (an accepted variance takes none:
    it clears a receipt the bank paid short)."""
    query = (select(_MATCH.c.deposit_id, func.sum(_MATCH.c.amount_cents))
             .where(_MATCH.c.method != DepositMatchMethod.VARIANCE, standing())
             .group_by(_MATCH.c.deposit_id))
    if deposit_ids is not None:
        query = query.where(among(_MATCH.c.deposit_id, list(deposit_ids)))
    return {int(d): int(c) for d, c in conn.execute(query)}


def returned_deposits(conn: Connection) -> set[int]:
    """Deposits the bank took back (a returned item reversed their match): spoken for, even
    though their match no longer stands."""
    reversal = _ENTRY.alias("reversal")
    return set(conn.execute(select(_MATCH.c.deposit_id).join(
        reversal, reversal.c.reverses_entry_id == _MATCH.c.journal_entry_id).where(
        reversal.c.kind == EntryKind.DEPOSIT_RETURN)).scalars())


def open_deposits(conn: Connection, *, date_from: dt.date | None = None,
                  date_to: dt.date | None = None, whole_only: bool = True) -> list[OpenDeposit]:
    """Deposits (credits, not returns) with money no receipt took yet (``whole_only``: none
    of it taken, what reconcile matches; else any part left, what the queue may match)."""
    query = select(_DEPOSIT).where(_DEPOSIT.c.amount_cents > 0, _DEPOSIT.c.is_return.is_(False))
    if date_from is not None:
        query = query.where(_DEPOSIT.c.deposit_date >= date_from)
    if date_to is not None:
        query = query.where(_DEPOSIT.c.deposit_date <= date_to)
    rows = conn.execute(query.order_by(_DEPOSIT.c.deposit_date, _DEPOSIT.c.id)).all()
    taken = banked_cents(conn, [r.id for r in rows])
    returned = returned_deposits(conn)
    found = []
    for row in rows:
        used = taken.get(row.id, 0)
        if row.id in returned:
            continue
        if row.amount_cents - used > 0 and (used == 0 or not whole_only):
            found.append(OpenDeposit(row.id, row.deposit_date, row.amount_cents - used,
                                     row.trace_number, row.description or ""))
    return found


def record_matches(conn: Connection, drafts: Sequence[MatchDraft], actor: str) -> list[int]:
    """Post each match's entry and write its row; the entry ids in order."""
    if not drafts:
        return []
    entry_ids = write_entries(conn, [d.entry(_reversed_before(conn, d)) for d in drafts],
                              actor)
    conn.execute(insert(_MATCH), [
        {"deposit_id": d.deposit_id, "receipt_kind": d.receipt_kind, "receipt_id": d.receipt.id,
         "remittance_id": d.receipt.id if d.receipt_kind == ReceiptKind.REMITTANCE else None,
         "amount_cents": d.amount_cents, "method": d.method, "journal_entry_id": entry_id,
         "actor": actor} for d, entry_id in zip(drafts, entry_ids, strict=True)])
    return entry_ids


def _reversed_before(conn: Connection, draft: MatchDraft) -> int:
    """Matches of the same pair by the same method whose entries were reversed since (a
    pair matched, undone and matched again keys its entry anew)."""
    return int(conn.execute(select(func.count()).select_from(_MATCH).where(
        _MATCH.c.deposit_id == draft.deposit_id, _MATCH.c.receipt_kind == draft.receipt_kind,
        _MATCH.c.receipt_id == draft.receipt.id, _MATCH.c.method == draft.method,
        ~standing())).scalar_one())


def remittance_deposits(conn: Connection, remittance_id: int) -> list[dict[str, Any]]:
    """The bank lines that met a remittance (the lineage's first link, for ``remit
    show``): each with the part it took, how it matched and the entry that cleared it."""
    return deposits_of_remittances(conn, [remittance_id]).get(remittance_id, [])


def deposits_of_remittances(conn: Connection, remittance_ids: Iterable[int]
                            ) -> dict[int, list[dict[str, Any]]]:
    """:func:`remittance_deposits` of many remittances in one query (``report era``)."""
    ids = list(remittance_ids)
    found: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return found
    rows = conn.execute(
        select(_MATCH.c.receipt_id, _MATCH.c.deposit_id, _DEPOSIT.c.deposit_date,
               _DEPOSIT.c.bank_reference, _DEPOSIT.c.amount_cents.label("deposit_cents"),
               _MATCH.c.amount_cents, _MATCH.c.method, _MATCH.c.journal_entry_id)
        .join(_DEPOSIT, _DEPOSIT.c.id == _MATCH.c.deposit_id)
        .where(_MATCH.c.receipt_kind == ReceiptKind.REMITTANCE, standing(),
               among(_MATCH.c.receipt_id, ids)).order_by(_MATCH.c.id))
    for r in rows:
        found.setdefault(r.receipt_id, []).append({
            "deposit_id": r.deposit_id, "date": r.deposit_date.isoformat(),
            "reference": r.bank_reference, "deposit": format_cents(r.deposit_cents),
            "met": format_cents(r.amount_cents), "method": r.method,
            "entry_id": r.journal_entry_id})
    return found