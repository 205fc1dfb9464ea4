"""A payer's check (or EFT, or card payment) received before, or without, its remittance.

``payment receive`` and a lockbox row from a payer come here.  The money is real (it is in
the bank's hands), but no claim can take it until the remittance says which claims it
pays: so it goes to unapplied cash, on the payer (Dr cash clearing / Cr unapplied cash,
one ``payment_received`` entry), owned by one ``awaiting_remittance`` item, and its row
remembers the normalised reference an 835's TRN02 will be compared with
(:mod:`edi_posting.payments.claims`).  Receiving the same payment twice (same payer,
reference, amount and date) posts nothing: :class:`PaymentAlreadyReceivedError`.

Runs in the caller's transaction; never commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import Payer, PayerAlias, ReceivedPayment, Remittance
from edi_posting.db.payments import PaymentFrom, PaymentMethod, ReceivedStatus
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.money import format_cents
from edi_posting.payments.references import normalize_reference
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind

__all__ = ["PaymentAlreadyReceivedError", "PaymentError", "PaymentRecord", "Received",
           "find_payer_named", "identity_key", "receive_payer_payment", "received_before",
           "store_received"]

_PAYMENT, _PAYER, _ALIAS = table_of(ReceivedPayment), table_of(Payer), table_of(PayerAlias)
_REMIT = table_of(Remittance)


class PaymentError(ValueError):
    """A payment that cannot be taken as given (unknown payer or account, a claim not on
    the account...): nothing posted; the message says what to fix."""


class PaymentAlreadyReceivedError(PaymentError):
    """The same payment (payer or account, reference, amount, date) was received before,
    or (a payer's check) its remittance was posted already: ``payment_id`` is None then."""

    def __init__(self, message: str, payment_id: int | None) -> None:
        super().__init__(message)
        self.payment_id = payment_id


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """A payment as received: from the command's options or one row of a CSV."""

    amount_cents: int
    reference: str
    received_date: dt.date
    method: PaymentMethod
    remitter: str | None = None  # the payer's or patient's name as written, if any
    file_id: int | None = None
    file_row: int | None = None


@dataclass(frozen=True, slots=True)
class Received:
    """What receiving one payment did."""

    payment_id: int
    entry_id: int
    review_item_id: int | None
    applied_cents: int  # to claims' balances (a patient's payment); 0 for a payer's check
    credit_cents: int  # left as a patient credit balance
    message: str


def identity_key(paid_by: PaymentFrom, party_id: int, record: PaymentRecord) -> str:
    """payer or account, normalised reference, amount, date: UNIQUE in the table."""
    return (f"{paid_by}:{party_id}|{normalize_reference(record.reference)}|"
            f"{record.amount_cents}|{record.received_date.isoformat()}")


def received_before(conn: Connection, key: str, what: str) -> None:
    """Raise :class:`PaymentAlreadyReceivedError` when ``key`` was received already."""
    row = conn.execute(select(_PAYMENT.c.id, _PAYMENT.c.received_by, _PAYMENT.c.received_at)
                       .where(_PAYMENT.c.identity_key == key)).first()
    if row is not None:
        raise PaymentAlreadyReceivedError(
            f"{what} was received already (payment {row.id}, by {row.received_by} on "
            f"{row.received_at:%Y-%m-%d}): nothing posted", int(row.id))


def _remitted_before(conn: Connection, payer_id: int | None, reference: str, said: str) -> None:
    """A check whose 835 (same payer, same normalised TRN02) is posted already is in cash
    clearing through that 835: receiving it again would count its cash twice."""
    if payer_id is None:
        return
    wanted = normalize_reference(reference)
    for ident, trace in conn.execute(select(_REMIT.c.id, _REMIT.c.trace_number).where(
            _REMIT.c.payer_id == payer_id).order_by(_REMIT.c.id)):
        if normalize_reference(trace or "") == wanted:
            raise PaymentAlreadyReceivedError(
                f"{said} came with its remittance already (remittance {ident}, TRN02 {trace}): "
                "its cash is counted there; nothing posted", None)


def find_payer_named(conn: Connection, named: str) -> Any:
    """The payer whose identifier, any identifier an 835 used for it, or whole name
    (any case) is ``named``."""
    text = named.strip()
    aliased = select(_ALIAS.c.payer_id).where(_ALIAS.c.alias_value == text)
    rows = conn.execute(select(_PAYER.c.id, _PAYER.c.name, _PAYER.c.primary_identifier).where(
        or_(_PAYER.c.primary_identifier == text, _PAYER.c.id.in_(aliased),
            func.lower(_PAYER.c.name) == text.lower())).order_by(_PAYER.c.id)).all()
    if not rows:
        raise PaymentError(f"no payer {text!r} (give its identifier or its whole name, as "
                           "`remit list` shows it)")
    if len(rows) > 1:
        names = ", ".join(f"{r.name} ({r.primary_identifier})" for r in rows)
        raise PaymentError(f"payer {text!r} names several payers: {names}; give the identifier")
    return rows[0]


def store_received(conn: Connection, record: PaymentRecord, key: str, **values: Any) -> int:
    """The ``received_payments`` row of a payment just posted."""
    return new_id(conn.execute(insert(_PAYMENT).values(
        identity_key=key, amount_cents=record.amount_cents, reference=record.reference.strip(),
        reference_normalized=normalize_reference(record.reference),
        received_date=record.received_date, method=record.method, remitter=record.remitter,
        file_id=record.file_id, file_row=record.file_row, **values)))


def receive_payer_payment(conn: Connection, payer: Any | None, record: PaymentRecord,
                          actor: str) -> Received:
    """The check to unapplied cash on its payer, with its ``awaiting_remittance`` item.

    ``payer`` None: a lockbox row whose sender is no payer or account we know; it waits
    the same way, on no payer, for a person to apply or return it."""
    payer_id = payer.id if payer is not None else None
    key = identity_key(PaymentFrom.PAYER, payer_id or 0, record)
    sender = payer.name if payer is not None else (record.remitter or "an unknown sender")
    said = (f"{record.method} {record.reference.strip()} of {sender} for "
            f"{format_cents(record.amount_cents)} on {record.received_date.isoformat()}")
    received_before(conn, key, said)
    _remitted_before(conn, payer_id, record.reference, said)
    cents = record.amount_cents
    [entry_id] = write_entries(conn, [EntryDraft(
        f"payment:{key}", EntryKind.PAYMENT_RECEIVED, record.received_date, (
            Posting(AccountCode.CASH_CLEARING, cents, payer_id=payer_id),
            Posting(AccountCode.UNAPPLIED_CASH, -cents, payer_id=payer_id)),
        memo=f"{said}: received without its remittance", source_file_id=record.file_id)],
        actor)
    [item_id] = open_review_items(conn, [ReviewDraft(
        f"{ReviewKind.AWAITING_REMITTANCE}|{key}", ReviewKind.AWAITING_REMITTANCE,
        f"{said} waits in unapplied cash for its remittance (835 TRN02 "
        f"{record.reference.strip()})", amount_cents=cents, priority=3, payer_id=payer_id,
        problem_code=ProblemCode.AWAITING_REMITTANCE,
        file_id=record.file_id, evidence={"reference": record.reference.strip(),
                                          "method": str(record.method),
                                          "received_date": record.received_date.isoformat()})],
        actor)
    payment_id = store_received(conn, record, key, paid_by=PaymentFrom.PAYER,
                                payer_id=payer_id, received_by=actor,
                                status=ReceivedStatus.AWAITING_REMITTANCE,
                                journal_entry_id=entry_id, review_item_id=item_id)
    return Received(payment_id, entry_id, item_id, 0, 0,
                    f"payment {payment_id}: {said} received into unapplied cash; review item "
                    f"{item_id} holds it until its remittance arrives")
