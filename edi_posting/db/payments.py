"""Rows of the payments that arrive without a remittance (issue 24, migration 0021).

One row per payment received at the desk, by mail, online or in a bank's lockbox file: a
payer's check that came before (or without) its 835, or a patient's payment.  The row is
what the journal entry that put the money in cash clearing does not say on its own: who
paid, how, under which reference, who received it, and where it stands.  ``identity_key``
is UNIQUE (payer or account, normalised reference, amount, date): the same payment
received twice posts nothing, whatever the path (a command retried, a CSV imported again).

``status`` is the one mutable column: a payer's check waits for its remittance
(``awaiting_remittance``) until an 835 of the same payer and trace claims it
(``claimed``); a patient's payment is ``applied`` to the account's balances at once.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, Created, IdPk
from edi_posting.records.states import check_in

__all__ = ["PaymentFrom", "PaymentMethod", "ReceivedPayment", "ReceivedStatus"]


class PaymentFrom(enum.StrEnum):
    """``received_payments.paid_by``: who sent the money."""

    PAYER = "payer"  # an insurance payer's check or EFT whose remittance is not here (yet)
    PATIENT = "patient"  # a patient (or guarantor) paying the patient balance


class PaymentMethod(enum.StrEnum):
    """``received_payments.method``: how the money came."""

    CHECK = "check"
    EFT = "eft"
    CARD = "card"
    CASH = "cash"
    ONLINE = "online"


class ReceivedStatus(enum.StrEnum):
    """``received_payments.status``: where a received payment stands."""

    AWAITING_REMITTANCE = "awaiting_remittance"  # in unapplied cash, with its review item
    CLAIMED = "claimed"  # an 835 of its payer and trace took it (all or part)
    APPLIED = "applied"  # a patient's payment applied to the account's balances


class ReceivedPayment(Base):
    __tablename__ = "received_payments"
    __table_args__ = (
        CheckConstraint(check_in("paid_by", PaymentFrom), name="paid_by"),
        CheckConstraint(check_in("method", PaymentMethod), name="method"),
        CheckConstraint(check_in("status", ReceivedStatus), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    id: Mapped[IdPk]
    identity_key: Mapped[str] = mapped_column(String(200), unique=True)
    paid_by: Mapped[str] = mapped_column(String(35))  # PaymentFrom
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"), index=True)
    patient_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient_accounts.id"), index=True)
    submitted_claim_id: Mapped[int | None] = mapped_column(ForeignKey("submitted_claims.id"))
    remitter: Mapped[str | None] = mapped_column(String(256))  # the name as given, if any
    amount_cents: Mapped[Cents]
    reference: Mapped[str] = mapped_column(String(80))  # check, card or EFT reference as given
    reference_normalized: Mapped[str] = mapped_column(String(80), index=True)
    received_date: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(35))  # PaymentMethod
    received_by: Mapped[str] = mapped_column(String(128))
    received_at: Mapped[Created]
    status: Mapped[str] = mapped_column(String(35))  # ReceivedStatus
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id"))
    claimed_by_remittance_id: Mapped[int | None] = mapped_column(ForeignKey("remittances.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("received_files.id"))
    file_row: Mapped[int | None] = mapped_column(Integer)  # the CSV row it came from
