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

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.models import PatientAccount, Payer, ReceivedPayment
from edi_posting.money import format_cents

__all__ = ["awaiting_deposit"]

_PAYMENT, _PAYER, _ACCOUNT = table_of(ReceivedPayment), table_of(Payer), table_of(PatientAccount)


def awaiting_deposit(conn: Connection, since: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per received payment (received on or after ``since``), by date then id."""
    query = (select(_PAYMENT, _PAYER.c.name.label("payer_name"),
                    _ACCOUNT.c.account_number)
             .outerjoin(_PAYER, _PAYER.c.id == _PAYMENT.c.payer_id)
             .outerjoin(_ACCOUNT, _ACCOUNT.c.id == _PAYMENT.c.patient_account_id)
             .order_by(_PAYMENT.c.received_date, _PAYMENT.c.id))
    if since is not None:
        query = query.where(_PAYMENT.c.received_date >= since)
    return [{
        "payment_id": r.id, "paid_by": r.paid_by,
        "payer": r.payer_name or (r.remitter if r.account_number is None else None),
        "account": r.account_number, "amount": format_cents(r.amount_cents),
        "amount_cents": r.amount_cents, "reference": r.reference,
        "date": r.received_date.isoformat(), "method": r.method, "status": r.status,
        "journal_entry_id": r.journal_entry_id,
    } for r in conn.execute(query)]
