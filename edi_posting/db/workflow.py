"""Rows for the work around the ledger: review items and their events, bank deposits and
their matches to remittances, refunds, posting policies, settings and the audit chain."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, Created, FromFile, IdPk
from edi_posting.db.parties import Role
from edi_posting.records.states import AuditOutcome, ReviewKind, check_in

__all__ = [
    "CLOSED_STATES",
    "OPEN_STATES",
    "REVIEW_KINDS",
    "REVIEW_STATUSES",
    "AuditEvent",
    "Deposit",
    "DepositMatch",
    "DepositMatchMethod",
    "ItemAction",
    "PolicyAction",
    "PostingPolicy",
    "ReceiptKind",
    "Refund",
    "ReviewItem",
    "ReviewItemEvent",
    "ReviewStatus",
    "Setting",
]

# the CHECK lists the members in their order (migration 0009 wrote the same list)
REVIEW_KINDS = tuple(ReviewKind)


class ReviewStatus(enum.StrEnum):
    """``review_items.status`` (and its events' ``from_status``/``to_status``)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


# someone still has to act
OPEN_STATES = (ReviewStatus.OPEN, ReviewStatus.IN_PROGRESS, ReviewStatus.ESCALATED)
CLOSED_STATES = (ReviewStatus.RESOLVED, ReviewStatus.DISMISSED)
REVIEW_STATUSES = OPEN_STATES + CLOSED_STATES


class ReviewItem(Base):
    """Something the engine could not post safely, with its evidence.

    ``dedupe_key`` is UNIQUE so a re-import never opens the same item twice.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint(check_in("kind", REVIEW_KINDS), name="kind"),
        CheckConstraint(check_in("status", REVIEW_STATUSES), name="status"),
    )

    id: Mapped[IdPk]
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(35), index=True)  # ReviewKind
    status: Mapped[str] = mapped_column(String(35), index=True, default=ReviewStatus.OPEN)
    priority: Mapped[int] = mapped_column(Integer, default=3)  # 1 highest
    amount_cents: Mapped[Cents]
    problem_code: Mapped[str | None] = mapped_column(String(48))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"), index=True)
    patient_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient_accounts.id"), index=True
    )
    submitted_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_claims.id"), index=True
    )
    claim_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payments.id"), index=True
    )
    remittance_id: Mapped[int | None] = mapped_column(ForeignKey("remittances.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("received_files.id"), index=True)
    deposit_id: Mapped[int | None] = mapped_column(ForeignKey("deposits.id"), index=True)
    assignee: Mapped[str | None] = mapped_column(String(128), index=True)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[Created]
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)


class ItemAction(enum.StrEnum):
    """``review_item_events.action``: what happened to an item.  The queue's commands keep
    their CLI spelling (``write-off``); a money action's journal entry kind is the same word
    with ``_`` (:class:`edi_posting.db.ledger.EntryKind`)."""

    OPENED = "opened"  # the engine opened the item
    AMOUNT_CHANGED = "amount_changed"  # the money it owns moved (posting, a credit balance)
    SIDE_RECORDED = "side_recorded"  # a credit balance's side (payer or patient) noted
    AUTO_RESOLVED = "auto_resolved"  # the engine settled it (a correction arrived ...)
    ASSIGN = "assign"
    NOTE = "note"
    ESCALATE = "escalate"
    DISMISS = "dismiss"
    PACKET = "packet"  # its evidence packet was exported
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_REJECTED = "approval_rejected"
    APPLY = "apply"  # the money actions
    ACCEPT_MATCH = "accept-match"
    REMATCH = "rematch"
    LINK_CORRECTION = "link-correction"
    POST_AS_SENT = "post-as-sent"
    PLACE_PLB = "place-plb"
    TRANSFER = "transfer"
    WRITE_OFF = "write-off"
    REFUND = "refund"
    REAPPLY = "reapply"
    UNDO = "undo"
    FOLLOW_UP = "follow-up"  # the next look at the item is dated (migration 0017)
    RETURN = "return"  # money not ours sent back to the payer (issue 23)
    ACCEPT_SET = "accept-set"  # a rejected set posted from the archive by an admin
    # issue 25, bank deposits and reconciliation (migration 0022)
    MATCH_DEPOSIT = "match-deposit"  # a deposit and a remittance met by hand
    REQUEST_ERA = "request-era"  # the payer asked for the missing ERA (a note, a date)
    RECEIVE_DEPOSIT = "receive-deposit"  # a deposit taken in as a payment without remittance
    ACCEPT_VARIANCE = "accept-variance"  # a deposit's difference adjusted, with a reason
    SPLIT_DEPOSIT = "split-deposit"  # part of a deposit matched, the rest left lonely
    CHARGEBACK_WON = "chargeback-won"  # a returned item won back, re-posted
    CLAIM = "claim"  # a received check claimed by hand by its remittance (0021)


# what an item event says, as the audit trail digests it (its time is left out: the
# database stamps it after the fact); audit.py and audit_links*.py read this one list
ITEM_EVENT_FIELDS = ("id", "review_item_id", "actor", "action", "from_status", "to_status",
                     "note", "details", "journal_entry_id", "amount_cents")
# the one advisory lock id guarding the audit chain's head ("EDIP"; migration 0012's
# trigger takes the same one)
AUDIT_CHAIN_LOCK_KEY = 0x45444950


class ReviewItemEvent(Base):
    __tablename__ = "review_item_events"
    __table_args__ = (
        *(CheckConstraint(f"{column} IS NULL OR {check_in(column, ReviewStatus)}", name=column)
          for column in ("from_status", "to_status")),
        CheckConstraint(check_in("action", ItemAction), name="action"))

    id: Mapped[IdPk]
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    at: Mapped[Created]
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(35))  # ItemAction
    from_status: Mapped[str | None] = mapped_column(String(35))
    to_status: Mapped[str | None] = mapped_column(String(35))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    journal_entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    # the item's amount after this event (migration 0005; NULL on events recorded before)
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)


class Deposit(FromFile, Base):
    """One bank deposit line (CSV or BAI2)."""

    __tablename__ = "deposits"

    id: Mapped[IdPk]
    identity_key: Mapped[str] = mapped_column(String(160), unique=True)
    deposit_date: Mapped[dt.date] = mapped_column(Date, index=True)
    amount_cents: Mapped[Cents]
    trace_number: Mapped[str | None] = mapped_column(String(50), index=True)
    check_number: Mapped[str | None] = mapped_column(String(50), index=True)
    bank_account: Mapped[str | None] = mapped_column(String(35))
    description: Mapped[str | None] = mapped_column(Text)
    line_number: Mapped[int | None] = mapped_column(Integer)
    # migration 0022: the bank's own reference (BAI2 16 field 5, the CSV reference column),
    # the customer reference, the BAI2 type code, and whether the line returns an item
    bank_reference: Mapped[str | None] = mapped_column(String(50), index=True)
    customer_reference: Mapped[str | None] = mapped_column(String(50))
    type_code: Mapped[str | None] = mapped_column(String(10))
    is_return: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ReceiptKind(enum.StrEnum):
    """``deposit_matches.receipt_kind``: what kind of money awaiting deposit a deposit met
    (:func:`edi_posting.reconciliation.receipts.awaiting_receipts` lists them)."""

    REMITTANCE = "remittance"  # an 835 check or EFT (a keyed EOB becomes one too)
    DESK = "desk"  # an entry of its own that debited cash clearing (a payment keyed at the desk)
    # not a receipt: a lonely deposit taken in as unapplied cash (receipt_id: the
    # unmatched_payment item that now holds it), so no later run matches it again
    UNAPPLIED = "unapplied"
    # a payment received without remittance (``received_payments``: a payer's check at the
    # desk or in a lockbox file, a patient's check, card or cash): receipt_id is its row
    PAYMENT = "payment"


class DepositMatchMethod(enum.StrEnum):
    """``deposit_matches.method``: how a deposit met its receipt."""

    TRACE = "trace"  # TRN02 = the bank line's trace / check number, normalised
    AMOUNT_DATE = "amount_date"  # same payer and amount within the window
    BULK = "bulk"  # one deposit = several same-day receipts summing exactly
    SPLIT = "split"  # several deposits summing exactly to one receipt
    VARIANCE = "variance"  # a trace match's difference in amount, accepted from the queue
    MANUAL = "manual"  # matched from the queue


class DepositMatch(Base):
    """A deposit line met the money it banked: one row per (deposit, receipt), with the
    part of the deposit it covers and the ``deposit`` entry that cleared it.  A bulk
    deposit has several rows; a split receipt is met by several deposits (migration 0022
    dropped 0001's UNIQUE(remittance_id)); the entry's key keeps a rerun from matching the
    same pair twice."""

    __tablename__ = "deposit_matches"
    __table_args__ = (
        UniqueConstraint("journal_entry_id"),
        CheckConstraint(check_in("receipt_kind", ReceiptKind), name="receipt_kind"),
        CheckConstraint(check_in("method", DepositMatchMethod), name="method"))

    id: Mapped[IdPk]
    deposit_id: Mapped[int] = mapped_column(ForeignKey("deposits.id"), index=True)
    receipt_kind: Mapped[str] = mapped_column(String(35))  # ReceiptKind
    receipt_id: Mapped[int] = mapped_column(BigInteger, index=True)
    remittance_id: Mapped[int | None] = mapped_column(ForeignKey("remittances.id"), index=True)
    amount_cents: Mapped[Cents]  # the part of the deposit this receipt takes
    method: Mapped[str] = mapped_column(String(35))  # DepositMatchMethod
    # the entry that cleared it (one row per entry); a row whose entry was reversed (queue
    # undo, a returned item) no longer meets anything
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    matched_at: Mapped[Created]
    actor: Mapped[str] = mapped_column(String(128))


class Refund(Base):
    __tablename__ = "refunds"

    id: Mapped[IdPk]
    submitted_claim_id: Mapped[int] = mapped_column(ForeignKey("submitted_claims.id"), index=True)
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id"))
    journal_entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    payee: Mapped[str] = mapped_column(String(256))
    amount_cents: Mapped[Cents]
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[Created]


class PolicyAction(enum.StrEnum):
    """``posting_policies.action``: where a (group, CARC) amount posts; each names one
    ledger account (:data:`edi_posting.posting.policy.ACTIONS`)."""

    CONTRACTUAL = "contractual"  # contractual adjustments
    OTHER = "other"  # other adjustments (written off)
    PATIENT = "patient"  # patient receivable


class PostingPolicy(Base):
    """CARC handling as data: what a (group, reason) does, per payer or for all payers."""

    __tablename__ = "posting_policies"
    __table_args__ = (UniqueConstraint("payer_id", "group_code", "reason_code"),
                      CheckConstraint(check_in("action", PolicyAction), name="action"))

    id: Mapped[IdPk]
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    group_code: Mapped[str] = mapped_column(String(35))
    reason_code: Mapped[str] = mapped_column(String(35))  # '*' for any reason in the group
    action: Mapped[str] = mapped_column(String(35))  # PolicyAction
    never_auto_post: Mapped[bool] = mapped_column(Boolean, default=False)
    # a $0 claim payment carrying only CARCs so marked posts (capitation); else a denial
    zero_pay_contractual: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default=false())
    note: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[Created]
    updated_by: Mapped[str] = mapped_column(String(128))


class AuditEvent(Base):
    """Hash-chained: ``event_hash`` covers the canonical event and ``previous_hash``."""

    __tablename__ = "audit_events"
    __table_args__ = (CheckConstraint(check_in("outcome", AuditOutcome), name="outcome"),
                      CheckConstraint(f"role IS NULL OR {check_in('role', Role)}", name="role"))

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(128), index=True)
    role: Mapped[str | None] = mapped_column(String(35))  # Role; None: access control off
    action: Mapped[str] = mapped_column(String(48), index=True)
    object_type: Mapped[str | None] = mapped_column(String(35))
    object_id: Mapped[str | None] = mapped_column(String(80), index=True)
    outcome: Mapped[str] = mapped_column(String(35))  # AuditOutcome
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    previous_hash: Mapped[str] = mapped_column(String(64))
    event_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # (last: the column order of the tables, which migration 0012 added it to)
    # the login the database (PostgreSQL: session_user, set by a trigger) or the OS
    # (SQLite) authenticated; NULL for events written before migration 0012
    db_login: Mapped[str | None] = mapped_column(String(128))
