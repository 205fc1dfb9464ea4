"""A remittance claims the check received before it: its cash is counted once.

A payer's check received without its 835 (``payment receive``, a lockbox row) put its
amount in cash clearing and in unapplied cash.  When the 835 of the same payer and trace
(TRN02, normalised as :mod:`edi_posting.payments.references` does) is posted, its own
entries move BPR02 through cash clearing again, as every 835's do.  The claim undoes the
second count: one ``payment_claimed`` entry, Dr unapplied cash / Cr cash clearing on the
payer, of what the check still holds up to BPR02.  Afterwards cash clearing and unapplied
cash are what the 835 alone would have left; the check's item closes, or keeps the
difference (the check was larger than the 835) as its amount, owned once.

The claim entry carries no ``remittance_id`` on purpose: "a remittance's entries move
exactly BPR02 through cash clearing" stays true of every remittance (``ledger check``),
and the check's row names the remittance that claimed it.

This is the 835 import's hot path: one query per transaction set, never one per claim.
Runs in the caller's transaction; never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import ReceivedPayment, ReviewItem
from edi_posting.db.payments import PaymentFrom, ReceivedStatus
from edi_posting.db.workflow import OPEN_STATES, ItemAction, ReviewStatus
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.money import format_cents
from edi_posting.payments.references import normalize_reference
from edi_posting.queue.items import record_item_change

__all__ = ["RemittanceCash", "claim_received_payments"]

_PAYMENT, _ITEM = table_of(ReceivedPayment), table_of(ReviewItem)


@dataclass(frozen=True, slots=True)
class RemittanceCash:
    """What a posted remittance brought through cash clearing, and whose it is."""

    payer_id: int | None
    trace_number: str | None  # TRN02 as sent
    cash_cents: int  # BPR02, signed
    remittance_id: int
    entry_key: str  # the set's entry key prefix (``835:<transaction set id>``)
    effective: dt.date
    file_id: int | None
    described: str  # "835 transaction set 0001 (TRN02 12345)"


def _waiting(conn: Connection, cash: RemittanceCash) -> list[Any]:
    """The payer's checks of this trace still holding money, oldest first: one query."""
    query = (select(_PAYMENT.c.id.label("payment_id"), _PAYMENT.c.reference,
                    _ITEM.c.id.label("item_id"), _ITEM.c.amount_cents)
             .join(_ITEM, _ITEM.c.id == _PAYMENT.c.review_item_id)
             .where(_PAYMENT.c.paid_by == PaymentFrom.PAYER,
                    _PAYMENT.c.payer_id == cash.payer_id,
                    _PAYMENT.c.reference_normalized == normalize_reference(cash.trace_number or ""),
                    _PAYMENT.c.status == ReceivedStatus.AWAITING_REMITTANCE,
                    _ITEM.c.status.in_(OPEN_STATES), _ITEM.c.amount_cents > 0)
             .order_by(_PAYMENT.c.id))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=_ITEM)
    return list(conn.execute(query).all())


def claim_received_payments(conn: Connection, cash: RemittanceCash, actor: str
                            ) -> list[EntryDraft]:
    """Claim the payer's received checks of this trace, up to BPR02; the entries written."""
    if cash.payer_id is None or not (cash.trace_number or "").strip() or cash.cash_cents <= 0:
        return []
    left, drafts = cash.cash_cents, []
    for row in _waiting(conn, cash):
        if left <= 0:
            break
        take = min(int(row.amount_cents), left)
        left -= take
        draft = EntryDraft(
            f"{cash.entry_key}|claim:{row.payment_id}", EntryKind.PAYMENT_CLAIMED, cash.effective, (
                Posting(AccountCode.UNAPPLIED_CASH, take, payer_id=cash.payer_id),
                Posting(AccountCode.CASH_CLEARING, -take, payer_id=cash.payer_id)),
            memo=f"{cash.described} claims {format_cents(take)} of check {row.reference} "
                 f"(payment {row.payment_id}, remittance {cash.remittance_id}): its cash was "
                 "counted when the check was received", source_file_id=cash.file_id,
            review_item_id=row.item_id)
        [entry_id] = write_entries(conn, [draft], actor)
        drafts.append(draft)
        _follow_item(conn, row, take, entry_id, actor, cash)
        conn.execute(update(_PAYMENT).where(_PAYMENT.c.id == row.payment_id).values(
            status=ReceivedStatus.CLAIMED, claimed_by_remittance_id=cash.remittance_id))
    return drafts


def _follow_item(conn: Connection, row: Any, take: int, entry_id: int, actor: str,
                 cash: RemittanceCash) -> None:
    """The check's item holds what the remittance did not take; closed when nothing."""
    item = conn.execute(select(_ITEM).where(_ITEM.c.id == row.item_id)).one()
    rest = int(item.amount_cents) - take
    note = (f"{cash.described} (remittance {cash.remittance_id}) claimed "
            f"{format_cents(take)} of this check")
    if rest == 0:
        record_item_change(conn, item, actor=actor, action=ItemAction.AUTO_RESOLVED,
                           to_status=ReviewStatus.RESOLVED, note=note,
                           values={"amount_cents": 0, "remittance_id": cash.remittance_id},
                           entry_id=entry_id)
        return
    record_item_change(conn, item, actor=actor, action=ItemAction.AMOUNT_CHANGED,
                       note=f"{note}; {format_cents(rest)} of it waits still",
                       values={"amount_cents": rest}, entry_id=entry_id)
