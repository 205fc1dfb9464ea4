"""Payments received without a remittance, as money waiting for its bank deposit.

Reconciliation ties deposits to what put money in cash clearing: remittances (by TRN02),
and these payments, which have no remittance to carry a trace (a check at the desk, a
patient's card).  Each row says who paid (a payer, or a patient account), the amount in
cents, the reference as received, the date, the method, and the journal entry that put it
in cash clearing, so a deposit line can be matched to it and its entry named.  A payer's
check later claimed by its 835 is listed too, marked ``claimed``: its cash is in clearing
once, through this entry, and the deposit is of this check.  Reads only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Deposit,
    DepositMatch,
    JournalEntry,
    PatientAccount,
    Payer,
    ReceivedPayment,
)
from edi_posting.db.workflow import ReceiptKind
from edi_posting.money import format_cents

__all__ = ["awaiting_deposit"]

_PAYMENT, _PAYER, _ACCOUNT = table_of(ReceivedPayment), table_of(Payer), table_of(PatientAccount)
_DEPOSIT, _MATCH, _ENTRY = table_of(Deposit), table_of(DepositMatch), table_of(JournalEntry)


def _deposits(conn: Connection) -> dict[int, tuple[str, int]]:
    """Payment id -> (the deposits that met it, as "id (date reference)"; cents met), by
    the matches whose entry stands."""
    reversal = _ENTRY.alias("reversal")
    stands = ~select(reversal.c.id).where(
        reversal.c.reverses_entry_id == _MATCH.c.journal_entry_id).exists()
    rows = conn.execute(
        select(_MATCH.c.receipt_id, _DEPOSIT.c.id, _DEPOSIT.c.deposit_date,
               _DEPOSIT.c.bank_reference, func.sum(_MATCH.c.amount_cents).label("cents"))
        .join(_DEPOSIT, _DEPOSIT.c.id == _MATCH.c.deposit_id)
        .where(_MATCH.c.receipt_kind == ReceiptKind.PAYMENT, stands)
        .group_by(_MATCH.c.receipt_id, _DEPOSIT.c.id, _DEPOSIT.c.deposit_date,
                  _DEPOSIT.c.bank_reference)
        .order_by(_MATCH.c.receipt_id, _DEPOSIT.c.id))
    found: dict[int, tuple[str, int]] = {}
    for r in rows:
        named = f"{r.id} ({r.deposit_date.isoformat()} {r.bank_reference or '-'})"
        text, cents = found.get(int(r.receipt_id), ("", 0))
        found[int(r.receipt_id)] = (f"{text}, {named}" if text else named, cents + int(r.cents))
    return found


def awaiting_deposit(conn: Connection, since: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per received payment (received on or after ``since``), by date then id."""
    query = (select(_PAYMENT, _PAYER.c.name.label("payer_name"),
                    _ACCOUNT.c.account_number)
             .outerjoin(_PAYER, _PAYER.c.id == _PAYMENT.c.payer_id)
             .outerjoin(_ACCOUNT, _ACCOUNT.c.id == _PAYMENT.c.patient_account_id)
             .order_by(_PAYMENT.c.received_date, _PAYMENT.c.id))
    if since is not None:
        query = query.where(_PAYMENT.c.received_date >= since)
    deposits = _deposits(conn)
    return [{
        "payment_id": r.id, "paid_by": r.paid_by,
        "payer": r.payer_name or (r.remitter if r.account_number is None else None),
        "account": r.account_number, "amount": format_cents(r.amount_cents),
        "amount_cents": r.amount_cents, "reference": r.reference,
        "date": r.received_date.isoformat(), "method": r.method, "status": r.status,
        "journal_entry_id": r.journal_entry_id,
        "deposit": deposits.get(r.id, ("", 0))[0],
        "deposited_cents": deposits.get(r.id, ("", 0))[1],
    } for r in conn.execute(query)]
