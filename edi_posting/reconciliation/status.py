"""``reconcile status``: each day's deposits against its receipts, and cash clearing.

Cash clearing holds money received (a remittance's cash) and not yet deposited, so its
balance must equal what the receipts still await: :func:`cash_clearing_difference` is the
ledger check of that (``edi_posting.check_ledger``), and each status row shows the balance
at the day's end beside the day's unmatched money on either side.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Deposit, DepositMatch, JournalEntry, JournalLine, ReviewItem
from edi_posting.db.workflow import ReceiptKind
from edi_posting.ledger.journal import account_ids
from edi_posting.money import format_cents
from edi_posting.reconciliation.matches import banked_cents
from edi_posting.reconciliation.receipts import (
    RECEIVED_KINDS,
    Receipt,
    awaiting_receipts,
    standing,
)
from edi_posting.records.states import ReviewKind

__all__ = ["STATUS_COLUMNS", "cash_clearing_cents", "cash_clearing_difference", "day_figures",
           "day_status"]

_D, _M, _I = table_of(Deposit), table_of(DepositMatch), table_of(ReviewItem)
_E, _L = table_of(JournalEntry), table_of(JournalLine)
STATUS_COLUMNS = ["date", "deposits", "deposited", "remittances_met", "variances",
                  "unmatched_deposits", "unmatched_deposit_amount", "unmatched_remittances",
                  "unmatched_remittance_amount", "cash_clearing"]


def cash_clearing_cents(conn: Connection, through: dt.date | None = None) -> int:
    """The cash-clearing balance (at the end of ``through``, else now)."""
    query = (select(func.coalesce(func.sum(_L.c.amount_cents), 0))
             .join(_E, _E.c.id == _L.c.entry_id)
             .where(_L.c.account_id == account_ids(conn)[AccountCode.CASH_CLEARING]))
    if through is not None:
        query = query.where(_E.c.effective_date <= through)
    return int(conn.execute(query).scalar_one())


def cash_clearing_difference(conn: Connection) -> str | None:
    """None when cash clearing equals what the receipts still await; else what differs."""
    ledger = cash_clearing_cents(conn)
    awaiting = sum(r.awaiting_cents for r in awaiting_receipts(
        conn, only_open=False, kinds=(*RECEIVED_KINDS, ReceiptKind.DESK)))
    if ledger == awaiting:
        return None
    return (f"cash clearing holds {format_cents(ledger)}; money received and not yet "
            f"deposited comes to {format_cents(awaiting)}")


def _deposit_days(conn: Connection, date_from: dt.date | None,
                  date_to: dt.date | None) -> list[Any]:
    query = select(_D.c.id, _D.c.deposit_date, _D.c.amount_cents).where(
        _D.c.amount_cents > 0, _D.c.is_return.is_(False))
    if date_from is not None:
        query = query.where(_D.c.deposit_date >= date_from)
    if date_to is not None:
        query = query.where(_D.c.deposit_date <= date_to)
    return list(conn.execute(query))


def _blank(day: dt.date) -> dict[str, Any]:
    return {"date": day, "deposits": 0, "deposited": 0, "remittances_met": set(),
            "variances": 0, "unmatched_deposits": 0, "unmatched_deposit_amount": 0,
            "unmatched_remittances": 0, "unmatched_remittance_amount": 0}


def _in(day: dt.date, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)


def day_status(conn: Connection, *, date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per day with deposits or receipts in the range (see STATUS_COLUMNS), the
    amounts as text."""
    return [_shown(row) for row in day_figures(conn, date_from=date_from, date_to=date_to)]


def day_figures(conn: Connection, *, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> list[dict[str, Any]]:
    """:func:`day_status`'s rows with dates as dates and amounts in cents (the
    ``reconciliation`` report's figures)."""
    days: dict[dt.date, dict[str, Any]] = {}
    deposits = _deposit_days(conn, date_from, date_to)
    taken = banked_cents(conn, [d.id for d in deposits])
    met: dict[int, set[tuple[str, int]]] = {}  # a remittance or a received payment
    for deposit_id, kind, receipt_id in conn.execute(
            select(_M.c.deposit_id, _M.c.receipt_kind, _M.c.receipt_id).where(standing())):
        met.setdefault(deposit_id, set()).add((kind, receipt_id))
    variance = set(conn.execute(select(_I.c.deposit_id).where(
        _I.c.kind == ReviewKind.DEPOSIT_VARIANCE)).scalars())
    for d in deposits:
        row = days.setdefault(d.deposit_date, _blank(d.deposit_date))
        row["deposits"] += 1
        row["deposited"] += d.amount_cents
        row["remittances_met"].update(met.get(d.id, ()))
        row["variances"] += d.id in variance
        left = d.amount_cents - taken.get(d.id, 0)
        row["unmatched_deposits"] += left > 0
        row["unmatched_deposit_amount"] += max(left, 0)
    for receipt in awaiting_receipts(conn, kinds=RECEIVED_KINDS):
        if _in(receipt.received, date_from, date_to):
            _count_receipt(days.setdefault(receipt.received, _blank(receipt.received)), receipt)
    return [{**days[day], "remittances_met": len(days[day]["remittances_met"]),
             "cash_clearing": cash_clearing_cents(conn, day)} for day in sorted(days)]


def _count_receipt(row: dict[str, Any], receipt: Receipt) -> None:
    row["unmatched_remittances"] += 1
    row["unmatched_remittance_amount"] += receipt.awaiting_cents


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "date": row["date"].isoformat(), "deposited": format_cents(row["deposited"]),
            "unmatched_deposit_amount": format_cents(row["unmatched_deposit_amount"]),
            "unmatched_remittance_amount": format_cents(row["unmatched_remittance_amount"]),
            "cash_clearing": format_cents(row["cash_clearing"])}
