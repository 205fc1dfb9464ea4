"""The reconciliation screen's one read: a range's deposits beside the money awaiting them.

Why one read and not the lists the CLI prints: a person reconciling a day looks at both
sides at once (the pairs matched and how, what is left on either side, the variances and
the returned items, with their totals) and goes from each thing left over to the review
item that holds it.  Everything here is read from the same rows and rules as ``deposits
list`` and ``reconcile status`` (:mod:`~edi_posting.reconciliation.receipts`,
:mod:`~edi_posting.reconciliation.matches`), so the screen and the CLI never disagree.
Reads only; amounts as text (``format_cents``) beside their cents for the totals.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.lists import among
from edi_posting.db.models import Deposit, DepositMatch, ReceivedPayment, ReviewItem
from edi_posting.db.workflow import OPEN_STATES, DepositMatchMethod, ReceiptKind
from edi_posting.money import format_cents
from edi_posting.reconciliation.matches import banked_cents
from edi_posting.reconciliation.receipts import (
    RECEIVED_KINDS,
    Receipt,
    ReceiptKey,
    awaiting_receipts,
    standing,
)
from edi_posting.reconciliation.status import day_status
from edi_posting.records.states import ReviewKind

__all__ = ["reconciliation_day"]

_D, _M, _I = table_of(Deposit), table_of(DepositMatch), table_of(ReviewItem)
_RP = table_of(ReceivedPayment)
_DEPOSIT_KINDS = (ReviewKind.LONELY_DEPOSIT, ReviewKind.DEPOSIT_VARIANCE,
                  ReviewKind.RETURNED_ITEM)


def _in(day: dt.date, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


def _deposits(conn: Connection, date_from: dt.date | None,
              date_to: dt.date | None) -> list[Any]:
    query = select(_D).order_by(_D.c.deposit_date, _D.c.id)
    if date_from is not None:
        query = query.where(_D.c.deposit_date >= date_from)
    if date_to is not None:
        query = query.where(_D.c.deposit_date <= date_to)
    return list(conn.execute(query))


def _items(conn: Connection, kinds: tuple[ReviewKind, ...], column: Any,
           keys: list[int]) -> dict[tuple[str, int], dict[str, Any]]:
    """(kind, key) -> the newest review item of that kind about it (open ones first)."""
    if not keys:
        return {}
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for row in conn.execute(select(_I.c.id, _I.c.kind, _I.c.status, _I.c.amount_cents,
                                   column.label("key"))
                            .where(_I.c.kind.in_(kinds), among(column, keys))
                            .order_by(_I.c.id)):
        seen = found.get((row.kind, row.key))
        if seen is None or seen["status"] not in OPEN_STATES or row.status in OPEN_STATES:
            found[(row.kind, row.key)] = {"id": row.id, "kind": row.kind,
                                          "status": row.status,
                                          "amount": format_cents(row.amount_cents)}
    return found


def _receipt_row(receipt: Receipt | None, kind: str, receipt_id: int) -> dict[str, Any]:
    if receipt is None:  # a lonely deposit received as unapplied cash: its item holds it
        return {"receipt_kind": kind, "receipt_id": receipt_id, "payer": "", "trace": None,
                "received": None}
    return {"receipt_kind": kind, "receipt_id": receipt_id, "payer": receipt.payer,
            "trace": receipt.trace, "received": receipt.received.isoformat()}


def _matched(conn: Connection, deposits: dict[int, Any],
             receipts: dict[ReceiptKey, Receipt]) -> list[dict[str, Any]]:
    """Each standing match of the range's deposits: the bank line, what it met, how."""
    if not deposits:
        return []
    rows = conn.execute(select(_M).where(among(_M.c.deposit_id, list(deposits)), standing())
                        .order_by(_M.c.deposit_id, _M.c.id))
    return [{"deposit_id": m.deposit_id, "date": deposits[m.deposit_id].deposit_date.isoformat(),
             "reference": deposits[m.deposit_id].bank_reference,
             "deposit_amount": format_cents(deposits[m.deposit_id].amount_cents),
             **_receipt_row(receipts.get((m.receipt_kind, m.receipt_id)), m.receipt_kind,
                            m.receipt_id),
             "amount": format_cents(m.amount_cents), "amount_cents": m.amount_cents,
             "method": m.method, "entry_id": m.journal_entry_id} for m in rows]


def _line(d: Any, item: dict[str, Any] | None, **more: Any) -> dict[str, Any]:
    return {"deposit_id": d.id, "date": d.deposit_date.isoformat(),
            "amount": format_cents(d.amount_cents), "amount_cents": d.amount_cents,
            "reference": d.bank_reference, "trace": d.trace_number,
            "description": d.description, "item": item, **more}


def _awaiting(conn: Connection, receipts: list[Receipt]) -> list[dict[str, Any]]:
    """The receipts still awaiting, each with the item that speaks for it: a silent ERA
    (a remittance), or a payer's check's own ``awaiting_remittance`` item."""
    silent = _items(conn, (ReviewKind.SILENT_ERA,), _I.c.remittance_id,
                    [r.id for r in receipts if r.kind == ReceiptKind.REMITTANCE])
    payments = [r.id for r in receipts if r.kind == ReceiptKind.PAYMENT]
    held = dict(conn.execute(select(_RP.c.id, _RP.c.review_item_id).where(
        among(_RP.c.id, payments)))) if payments else {}
    own = {i: row for (_, i), row in _items(conn, (ReviewKind.AWAITING_REMITTANCE,),
                                             _I.c.id, [v for v in held.values() if v]).items()}
    rows = []
    for r in receipts:
        item = (silent.get((ReviewKind.SILENT_ERA, r.id)) if r.kind == ReceiptKind.REMITTANCE
                else own.get(held.get(r.id) or 0))
        rows.append({"receipt_kind": str(r.kind), "receipt_id": r.id, "payer": r.payer,
                     "trace": r.trace, "received": r.received.isoformat(),
                     "amount": format_cents(r.amount_cents),
                     "awaiting": format_cents(r.awaiting_cents),
                     "awaiting_cents": r.awaiting_cents, "item": item,
                     "state": "silent" if item and item["kind"] == ReviewKind.SILENT_ERA
                     else "awaiting"})
    return rows


def reconciliation_day(conn: Connection, *, date_from: dt.date | None = None,
                       date_to: dt.date | None = None) -> dict[str, Any]:
    """The range's (all, by default) matched pairs, unmatched deposits, receipts awaiting
    deposit (received in the range), variances, returned items, totals and the day rows
    of ``reconcile status``."""
    lines = _deposits(conn, date_from, date_to)
    credits = {d.id: d for d in lines if not d.is_return and d.amount_cents > 0}
    receipts = {r.key: r for r in awaiting_receipts(conn, only_open=False,
                                                    kinds=RECEIVED_KINDS)}
    taken = banked_cents(conn, list(credits))
    items = _items(conn, _DEPOSIT_KINDS, _I.c.deposit_id, [d.id for d in lines])
    unmatched = [_line(d, items.get((ReviewKind.LONELY_DEPOSIT, d.id)),
                       left=format_cents(d.amount_cents - taken.get(d.id, 0)),
                       left_cents=d.amount_cents - taken.get(d.id, 0))
                 for d in credits.values() if d.amount_cents - taken.get(d.id, 0) > 0]
    variances = [_line(d, items[(ReviewKind.DEPOSIT_VARIANCE, d.id)]) for d in lines
                 if (ReviewKind.DEPOSIT_VARIANCE, d.id) in items]
    returned = [_line(d, items.get((ReviewKind.RETURNED_ITEM, d.id))) for d in lines
                if d.is_return]
    awaiting = _awaiting(conn, [r for r in receipts.values() if r.awaiting_cents > 0
                                and _in(r.received, date_from, date_to)])
    matched = _matched(conn, credits, receipts)
    totals = {"deposited": sum(d.amount_cents for d in credits.values()),
              "matched": sum(m["amount_cents"] for m in matched  # bank money only
                             if m["method"] != DepositMatchMethod.VARIANCE),
              "unmatched_deposits": sum(u["left_cents"] for u in unmatched),
              "awaiting": sum(a["awaiting_cents"] for a in awaiting),
              "returned": sum(abs(d.amount_cents) for d in lines if d.is_return)}
    return {"from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "matched": matched, "unmatched_deposits": unmatched, "awaiting": awaiting,
            "variances": variances, "returned": returned,
            "totals": {k: format_cents(v) for k, v in totals.items()},
            "status": day_status(conn, date_from=date_from, date_to=date_to)}
