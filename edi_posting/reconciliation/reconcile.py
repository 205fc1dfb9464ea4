"""``reconcile``: the deposits of a day (or a range) met with the money awaiting them.

One run, one transaction: match (``pairing``), post each match (``matches``), then open
what a person must look at: a ``deposit_variance`` for a trace match whose deposit is
short of its remittance, a ``lonely_deposit`` for money in the bank that met nothing,
and a ``silent_era`` for a remittance whose deposit has not come within the window
(counted back from the range's last day, or today).  Items a match settles (a lonely
deposit or a silent ERA that met its other half at last) close on their own.  Running it
again posts nothing new: a deposit already met is not offered again, and items are keyed
by what they are about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.models import ReviewItem
from edi_posting.db.workflow import OPEN_STATES, ItemAction, ReceiptKind
from edi_posting.money import format_cents
from edi_posting.queue.items import ReviewDraft, close_review_items, open_review_items
from edi_posting.reconciliation.calendar import add_business_days, window_days
from edi_posting.reconciliation.matches import (
    MatchDraft,
    lock_deposits,
    open_deposits,
    record_matches,
)
from edi_posting.reconciliation.pairing import OpenDeposit, Pairing, pair
from edi_posting.reconciliation.receipts import (
    RECEIVED_KINDS,
    Receipt,
    ReceiptKey,
    awaiting_receipts,
)
from edi_posting.reconciliation.returns import process_returns
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind

__all__ = ["ReconcileResult", "reconcile", "settle_items"]

_ITEM = table_of(ReviewItem)


@dataclass(frozen=True, slots=True)
class ReconcileResult:
    """What one run did: the matches posted and the items opened and closed."""

    window_days: int
    as_of: dt.date
    matches: tuple[dict[str, Any], ...] = ()
    opened: dict[str, int] = field(default_factory=dict)  # kind -> items opened
    closed: int = 0
    returned: int = 0  # returned_item items opened (those tied to a deposit posted)


def _remittance_of(receipt: Receipt) -> int | None:
    """The remittance an item about ``receipt`` names (a received payment names none)."""
    return receipt.id if receipt.kind == ReceiptKind.REMITTANCE else None


def _variance(deposit: OpenDeposit, receipt: Receipt, short: int) -> ReviewDraft:
    return ReviewDraft(
        f"deposit_variance:{deposit.id}:{receipt.kind}:{receipt.id}", ReviewKind.DEPOSIT_VARIANCE,
        f"deposit {deposit.id} of {deposit.date} matches {receipt.kind} {receipt.id} (trace "
        f"{receipt.trace}) by trace but is {format_cents(short)} short of its "
        f"{format_cents(receipt.amount_cents)}", short, 2, ProblemCode.DEPOSIT_VARIANCE,
        {"deposit_id": deposit.id, "receipt": receipt.id, "receipt_kind": str(receipt.kind),
         "short": format_cents(short)},
        payer_id=receipt.payer_id, remittance_id=_remittance_of(receipt), deposit_id=deposit.id)


def _lonely(deposit: OpenDeposit, left: int) -> ReviewDraft:
    part = "" if left == deposit.remaining_cents else f" ({format_cents(left)} of it left)"
    return ReviewDraft(
        f"lonely_deposit:{deposit.id}", ReviewKind.LONELY_DEPOSIT,
        f"deposit {deposit.id} of {deposit.date}, {format_cents(deposit.remaining_cents)} "
        f"'{deposit.text}'{part}: no remittance meets it", left, 2,
        ProblemCode.LONELY_DEPOSIT, {"deposit_id": deposit.id, "trace": deposit.trace},
        deposit_id=deposit.id)


def _silent(receipt: Receipt, due: dt.date, window: int) -> ReviewDraft:
    return ReviewDraft(
        f"silent_era:{receipt.kind}:{receipt.id}", ReviewKind.SILENT_ERA,
        f"remittance {receipt.id} ({receipt.payer or 'payer unknown'}, trace {receipt.trace}) "
        f"paid {format_cents(receipt.awaiting_cents)} on {receipt.received}: no deposit by "
        f"{due} ({window} business days)", receipt.awaiting_cents, 3, ProblemCode.SILENT_ERA,
        {"trace": receipt.trace, "received": receipt.received.isoformat()},
        payer_id=receipt.payer_id, remittance_id=receipt.id)


def settle_items(conn: Connection, *, deposit_ids: Sequence[int], receipt_ids: Sequence[int],
                 actor: str, why: str) -> int:
    """Close the open lonely deposits and silent ERAs a match has settled."""
    ids: list[int] = []
    for column, values, kind in ((_ITEM.c.deposit_id, deposit_ids, ReviewKind.LONELY_DEPOSIT),
                                 (_ITEM.c.remittance_id, receipt_ids, ReviewKind.SILENT_ERA)):
        if values:
            ids += conn.execute(select(_ITEM.c.id).where(
                _ITEM.c.kind == kind, _ITEM.c.status.in_(OPEN_STATES),
                column.in_(list(values)))).scalars().all()
    return close_review_items(conn, ids, actor, why, ItemAction.AUTO_RESOLVED)


def _post(conn: Connection, pairing: Pairing, deposits: dict[int, OpenDeposit],
          receipts: dict[ReceiptKey, Receipt], actor: str) -> list[dict[str, Any]]:
    drafts = [MatchDraft(p.deposit_id, receipts[p.receipt], p.amount_cents, p.method,
                         deposits[p.deposit_id].date, receipt_kind=receipts[p.receipt].kind)
              for p in pairing.pairs]
    entry_ids = record_matches(conn, drafts, actor)
    return [{"deposit_id": d.deposit_id, "date": d.day.isoformat(),
             "remittance_id": _remittance_of(d.receipt),
             "payment_id": d.receipt.id if d.receipt.kind == ReceiptKind.PAYMENT else None,
             "trace": d.receipt.trace,
             "amount": format_cents(d.amount_cents), "method": str(d.method),
             "entry_id": entry} for d, entry in zip(drafts, entry_ids, strict=True)]


def reconcile(conn: Connection, *, actor: str, date_from: dt.date | None = None,
              date_to: dt.date | None = None, window: int | None = None,
              today: dt.date | None = None) -> ReconcileResult:
    """Match, post, and queue what is left (see the module docstring); the caller commits."""
    lock_deposits(conn)
    days, as_of = window_days(conn, window), date_to or today or dt.date.today()
    returned = process_returns(conn, actor=actor, date_from=date_from, date_to=date_to)
    deposits = {d.id: d for d in open_deposits(conn, date_from=date_from, date_to=date_to)}
    receipts = {r.key: r for r in awaiting_receipts(conn, kinds=RECEIVED_KINDS)}
    pairing = pair(list(deposits.values()), list(receipts.values()), days)
    matches = _post(conn, pairing, deposits, receipts, actor)
    closed = settle_items(
        conn, deposit_ids=[d for d, left in pairing.deposit_left.items() if left == 0],
        receipt_ids=[r for (kind, r), left in pairing.receipt_left.items()
                     if left == 0 and kind == ReceiptKind.REMITTANCE],
        actor=actor, why="met by reconcile")
    due_before = _received_by(as_of, days)
    drafts = [_variance(deposits[d], receipts[r], short) for d, r, short in pairing.variances]
    drafts += [_lonely(d, pairing.deposit_left[d.id]) for d in deposits.values()
               if pairing.deposit_left[d.id] > 0]
    variance_receipts = {r for _, r, _ in pairing.variances}
    # a received payment is no ERA: one not yet deposited stays in ``reconcile status``
    drafts += [_silent(r, add_business_days(r.received, days), days) for r in receipts.values()
               if pairing.receipt_left[r.key] == r.awaiting_cents and r.received <= due_before
               and r.key not in variance_receipts and r.kind == ReceiptKind.REMITTANCE]
    opened_ids = set(open_review_items(conn, drafts, actor))
    opened: dict[str, int] = {}
    kinds: list[str] = list(conn.execute(select(_ITEM.c.kind).where(
        _ITEM.c.id.in_(list(opened_ids)))).scalars()) if opened_ids else []
    for kind in kinds:
        opened[kind] = opened.get(kind, 0) + 1
    return ReconcileResult(days, as_of, tuple(matches), opened, closed, returned)


def _received_by(as_of: dt.date, days: int) -> dt.date:
    """The last payment day whose window has passed by ``as_of``: its deposit is late."""
    day = as_of
    while add_business_days(day, days) >= as_of:
        day -= dt.timedelta(days=1)
    return day
