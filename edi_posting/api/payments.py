"""Payments without a remittance through the public API: a payer's check received before
its 835 (``receive_payment``), a patient's payment (``post_patient_payment``), and the
money they put in cash clearing that waits for its bank deposit
(``payments_awaiting_deposit``, for reconciliation).

Posting money is what an importer does, so each write authorises ``import`` (the
permission posting a file needs), works in one write transaction with its audit event
(``payment.receive`` / ``payment.post``: the payment and entry ids, the amount; no patient
name), and returns :class:`~edi_posting.payments.received.Received`.  A payment that cannot
be taken as given raises :class:`~edi_posting.payments.received.PaymentError` and posts
nothing; the same payment received twice raises ``PaymentAlreadyReceivedError``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission, Principal
from edi_posting.api.queue_money import _resolve as resolve_action
from edi_posting.api.session import Session
from edi_posting.audit.events import record_event
from edi_posting.db.payments import PaymentMethod
from edi_posting.db.races import retry_races
from edi_posting.money import format_cents
from edi_posting.payments.deposits import awaiting_deposit
from edi_posting.payments.patients import account_named
from edi_posting.payments.patients import post_patient_payment as post_to_account
from edi_posting.payments.received import (
    PaymentError,
    PaymentRecord,
    Received,
    find_payer_named,
    receive_payer_payment,
)
from edi_posting.records.states import AuditOutcome
from edi_posting.review.money import ActionResult
from edi_posting.review.received_claims import claim_by_hand

__all__ = ["claim_payment", "payments_awaiting_deposit", "post_patient_payment",
           "receive_payment"]

PAYER_METHODS = (PaymentMethod.CHECK, PaymentMethod.EFT, PaymentMethod.CARD)
PATIENT_METHODS = (PaymentMethod.CASH, PaymentMethod.CHECK, PaymentMethod.CARD,
                   PaymentMethod.ONLINE)


def _record(amount_cents: int, reference: str, received_date: dt.date | None, method: str,
            allowed: tuple[PaymentMethod, ...]) -> PaymentRecord:
    if amount_cents <= 0:
        raise PaymentError(f"the amount must be more than 0.00, not {format_cents(amount_cents)}")
    if not reference.strip() or len(reference.strip()) > 80:
        raise PaymentError("a payment needs its reference (check, card or trace number), "
                           "at most 80 characters")
    if method not in allowed:
        raise PaymentError(f"method {method!r}: one of {', '.join(allowed)}")
    return PaymentRecord(amount_cents, reference, received_date or dt.date.today(),
                         PaymentMethod(method))


def _audit(conn: Connection, who: Principal, action: str, received: Received) -> None:
    record_event(conn, actor=who.name, role=who.role, action=action, object_type="payment",
                 object_id=str(received.payment_id), outcome=AuditOutcome.OK,
                 summary={"entry": received.entry_id, "review_item": received.review_item_id,
                          "applied": format_cents(received.applied_cents),
                          "credit": format_cents(received.credit_cents)})


def receive_payment(session: Session, *, payer: str, amount_cents: int, reference: str,
                    received_date: dt.date | None = None, method: str = "check") -> Received:
    """A payer's check (EFT, card) with no remittance yet: to unapplied cash on the payer,
    with an ``awaiting_remittance`` item, until an 835 of that payer and trace claims it."""
    record = _record(amount_cents, reference, received_date, method, PAYER_METHODS)
    who = session.authorize(Permission.IMPORT, "payment.receive", reference.strip())

    def attempt() -> Received:  # run again after losing a race: then "received already"
        with session.writing() as conn:
            received = receive_payer_payment(conn, find_payer_named(conn, payer), record,
                                             who.name)
            _audit(conn, who, "payment.receive", received)
        return received
    return retry_races(attempt)


def post_patient_payment(session: Session, *, account: str, amount_cents: int, method: str,
                         reference: str, received_date: dt.date | None = None,
                         claim: str | None = None) -> Received:
    """A patient's payment to the named claim, else oldest patient balance first; what is
    more than the patient owes becomes a patient credit balance (README's rule)."""
    record = _record(amount_cents, reference, received_date, method, PATIENT_METHODS)
    who = session.authorize(Permission.IMPORT, "payment.post", account.strip())

    def attempt() -> Received:  # run again after losing a race: then "received already"
        with session.writing() as conn:
            received = post_to_account(conn, account_named(conn, account), claim, record,
                                       who.name)
            _audit(conn, who, "payment.post", received)
        return received
    return retry_races(attempt)


def payments_awaiting_deposit(session: Session, *, since: dt.date | None = None
                              ) -> list[dict[str, Any]]:
    """Payments received without a remittance whose cash waits in cash clearing for the
    bank deposit: payer or patient, amount, reference, date, method, the entry that put
    it there (reconciliation matches these against deposit lines).  A PHI read."""
    who = session.authorize(Permission.READ_PHI, "payment.awaiting_deposit")
    with session.reading() as conn:
        rows = awaiting_deposit(conn, since)
    session.audit("payment.awaiting_deposit", role=who.role, object_type="payment",
                  summary={"rows": len(rows)})
    return session.shown(rows)


def claim_payment(session: Session, item_id: int, remittance_id: int, *, reason: str,
                  dry_run: bool = False) -> ActionResult:
    """A received check (its ``awaiting_remittance`` item) claimed by hand by the remittance
    it belongs to, when that 835 came under another trace number: a queue action
    (``resolve``), audited as ``queue.claim``; ``dry_run`` says what it would post."""
    return resolve_action(session, "claim", item_id, lambda conn, who: claim_by_hand(
        conn, item_id, remittance_id, reason, principal=who), dry_run)
