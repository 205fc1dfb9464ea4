"""Patient payments as a claim or an account shows them: which payment, how it was paid,
under which reference, and how much of it this claim (or account) took.

``claim show`` and ``account show`` list them beside the journal, whose ``patient_payment``
entries alone would not say the method or the reference.  Reads only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import JournalLine, ReceivedPayment
from edi_posting.db.payments import PaymentFrom
from edi_posting.ledger.journal import account_ids
from edi_posting.money import format_cents

__all__ = ["patient_payments_of_account", "patient_payments_of_claim"]

_PAYMENT, _LINE = table_of(ReceivedPayment), table_of(JournalLine)


def _row(r: Any, cents: int) -> dict[str, Any]:
    return {"payment_id": r.id, "date": r.received_date.isoformat(), "method": r.method,
            "reference": r.reference, "amount": format_cents(cents),
            "payment_total": format_cents(r.amount_cents), "entry_id": r.journal_entry_id,
            "received_by": r.received_by}


def patient_payments_of_claim(conn: Connection, claim_id: int) -> list[dict[str, Any]]:
    """The patient payments that credited this claim, with the part each applied to it."""
    patient = account_ids(conn)[AccountCode.PATIENT_AR]
    applied = (select(_LINE.c.entry_id, (-func.sum(_LINE.c.amount_cents)).label("cents"))
               .where(_LINE.c.account_id == patient, _LINE.c.submitted_claim_id == claim_id)
               .group_by(_LINE.c.entry_id).subquery())
    rows = conn.execute(select(_PAYMENT, applied.c.cents)
                        .join(applied, applied.c.entry_id == _PAYMENT.c.journal_entry_id)
                        .where(_PAYMENT.c.paid_by == PaymentFrom.PATIENT)
                        .order_by(_PAYMENT.c.received_date, _PAYMENT.c.id)).all()
    return [_row(r, int(r.cents)) for r in rows]


def patient_payments_of_account(conn: Connection, account_id: int) -> list[dict[str, Any]]:
    """Every patient payment received on the account, whole."""
    rows = conn.execute(select(_PAYMENT).where(
        _PAYMENT.c.paid_by == PaymentFrom.PATIENT, _PAYMENT.c.patient_account_id == account_id)
        .order_by(_PAYMENT.c.received_date, _PAYMENT.c.id)).all()
    return [_row(r, int(r.amount_cents)) for r in rows]
