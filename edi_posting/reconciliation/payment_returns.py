"""A returned item whose deposit met a payment received without remittance.

The bank took the money back (a patient's check bounced, a card charged back, a payer's
check stopped), so what the payment paid is owed again.  As new entries linked to the
``returned_item`` review item, never by editing anything (the deposit's own reversal is
:mod:`edi_posting.reconciliation.returns`'s):

* a **patient's payment**: its ``patient_payment`` entry reversed exactly (Dr patient
  receivable on each claim and account it credited / Cr cash clearing), so the patient
  balances it paid are open again and any credit balance it left goes; the claims' credit
  items follow (:func:`edi_posting.queue.credits.refresh_credit_balances`);
* a **payer's check still in unapplied cash**: its ``payment_received`` entry reversed (Dr
  unapplied cash / Cr cash clearing); the ``awaiting_remittance`` item holding it closes
  with the note, since there is no money left to wait for its 835;
* a **payer's check an 835 claimed** (or partly applied by hand) posts nothing: which
  claims' cash to take back is a person's call, and the item says so.

Each reversal names the entry it reverses, so the cash-clearing movement stays the
payment's (:mod:`edi_posting.reconciliation.receipts`), and ``chargeback-won`` negates it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import JournalLine, ReceivedPayment, ReviewItem
from edi_posting.db.payments import PaymentFrom, ReceivedStatus
from edi_posting.db.workflow import OPEN_STATES, ItemAction, ReviewStatus
from edi_posting.ledger.journal import EntryDraft, account_ids, reversal_drafts
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.queue.items import record_item_change

__all__ = ["follow_payments", "held_again", "reopened_payments", "returnable"]

_RP, _I, _L = table_of(ReceivedPayment), table_of(ReviewItem), table_of(JournalLine)


def _payments(conn: Connection, ids: Sequence[int]) -> list[Any]:
    if not ids:
        return []
    return list(conn.execute(select(_RP).where(among(_RP.c.id, list(ids))).order_by(_RP.c.id)))


def _held(conn: Connection, payment: Any) -> int:
    """What a payer's check's open item still holds in unapplied cash (0: none open)."""
    if payment.review_item_id is None:
        return 0
    row = conn.execute(select(_I.c.amount_cents).where(
        _I.c.id == payment.review_item_id, _I.c.status.in_(OPEN_STATES))).first()
    return int(row.amount_cents) if row is not None else 0


def returnable(conn: Connection, ids: Sequence[int]) -> str | None:
    """None when every payment can be reversed as a whole; else why not (a payer's check
    claimed by an 835, or moved out of unapplied cash in part by hand)."""
    for payment in _payments(conn, ids):
        if payment.paid_by != PaymentFrom.PAYER:
            continue
        if payment.status == ReceivedStatus.CLAIMED:
            return (f"payment {payment.id} was claimed by remittance "
                    f"{payment.claimed_by_remittance_id}, whose cash is on its claims")
        if _held(conn, payment) != payment.amount_cents:
            return (f"payment {payment.id} no longer waits whole in unapplied cash "
                    "(applied or returned in part)")
    return None


def reopened_payments(conn: Connection, ids: Sequence[int], key: str, day: dt.date,
                      item_id: int) -> list[EntryDraft]:
    """The entries that owe again what each returned payment paid (module docstring)."""
    template = EntryDraft("", EntryKind.DEPOSIT_RETURN, day, (), review_item_id=item_id)
    drafts: list[EntryDraft] = []
    for payment in _payments(conn, ids):
        drafts += reversal_drafts(conn, [payment.journal_entry_id],
                                  kind=EntryKind.DEPOSIT_RETURN, key_suffix=key,
                                  effective_date=day, template=template)
    return drafts


def follow_payments(conn: Connection, ids: Sequence[int], item_id: int, actor: str) -> None:
    """The queue follows: a check's awaiting item closes, a patient's claims' credits are
    brought in line with their balances."""
    patient = account_ids(conn)[AccountCode.PATIENT_AR]
    for payment in _payments(conn, ids):
        if payment.paid_by == PaymentFrom.PATIENT:
            claims = conn.execute(select(_L.c.submitted_claim_id).where(
                _L.c.entry_id == payment.journal_entry_id, _L.c.account_id == patient,
                _L.c.submitted_claim_id.is_not(None))).scalars().all()
            refresh_credit_balances(conn, sorted(set(claims)), actor=actor,
                                    cause=f"returned item (review item {item_id})")
        elif payment.status != ReceivedStatus.CLAIMED and payment.review_item_id is not None:
            item = conn.execute(select(_I).where(_I.c.id == payment.review_item_id)).one()
            if item.status in OPEN_STATES:
                record_item_change(
                    conn, item, actor=actor, action=ItemAction.AUTO_RESOLVED,
                    to_status=ReviewStatus.RESOLVED, values={"amount_cents": 0},
                    note=f"the bank returned this check (review item {item_id}): nothing "
                         "waits in unapplied cash for its remittance")


def held_again(conn: Connection, ids: Sequence[int], item_id: int, actor: str) -> None:
    """A chargeback won re-posts a payer's check to unapplied cash: the check's item, closed
    by the return, holds it again until its 835 (``chargeback-won``)."""
    for payment in _payments(conn, ids):
        if payment.paid_by != PaymentFrom.PAYER or payment.status == ReceivedStatus.CLAIMED:
            continue
        item = conn.execute(select(_I).where(_I.c.id == payment.review_item_id)).first()
        if item is not None and item.status not in OPEN_STATES:
            record_item_change(
                conn, item, actor=actor, action=ItemAction.AMOUNT_CHANGED,
                to_status=ReviewStatus.OPEN, values={"amount_cents": payment.amount_cents},
                note=f"chargeback won (review item {item_id}): the check waits in unapplied "
                     "cash for its remittance again")
