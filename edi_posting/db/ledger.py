"""Rows of the append-only double-entry ledger.

A journal entry is a set of signed lines that sum to zero (debits positive, credits
negative, integer cents).  Entries are never updated or deleted: a correction is a new
entry whose ``reverses_entry_id`` names the one it negates, and that column is UNIQUE so
the database itself refuses to reverse an entry twice.  ``entry_key`` is the last level of
idempotency (claim payment key, line ordinal, posting kind).

Lines carry dimensions (payer, patient account, claim, line) instead of one account per
claim, so the chart of accounts stays small and a claim's balance is one indexed sum.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from edi_posting.db.base import Base, Cents, Created, FromFile, IdPk
from edi_posting.records.states import check_in

__all__ = ["ACCOUNT_CODES", "ENTRY_COLUMNS", "LINE_COLUMNS", "AccountCode", "EntryKind",
           "JournalEntry", "JournalLine", "LedgerAccount"]

# The columns of a journal entry and of its lines in the order the ledger writes them and
# the audit cross-reference (edi_posting.audit.links) hashes them: one order for both.
ENTRY_COLUMNS = (
    "id", "entry_key", "kind", "effective_date", "actor", "memo", "source_file_id",
    "source_isa13", "source_st02", "source_segment", "remittance_id", "claim_payment_id",
    "submitted_claim_id", "review_item_id", "reverses_entry_id")
LINE_COLUMNS = (
    "entry_id", "ordinal", "account_id", "amount_cents", "payer_id", "patient_account_id",
    "submitted_claim_id", "submitted_line_id", "service_line_payment_id", "adjustment_id",
    "provider_adjustment_id", "group_code", "reason_code")



class EntryKind(enum.StrEnum):
    """``journal_entries.kind``: what wrote an entry (and so what may reverse it).

    Defined beside the table, whose CHECK is built from it; the ledger stage re-exports it
    (:mod:`edi_posting.ledger.journal`).  A queue money action's entry kind is its action
    name with ``_`` for ``-``.  To add a kind: a member (at the end) and a migration.
    """

    CHARGE = "charge"  # an 837 claim billed: Dr insurance receivable, Cr gross charges
    CHARGE_REVERSAL = "charge_reversal"  # a replaced or voided claim's charge negated
    PAYMENT = "payment"  # an 835 claim payment posted to its claim
    UNAPPLIED = "unapplied"  # cash received that no claim takes (yet)
    REVERSAL = "reversal"  # an 835 reversal (CLP02 22) negating an earlier payment
    PLB = "plb"  # a provider-level adjustment
    PAYER_RECLASS = "payer_reclass"  # a provisional payer's balance moved to the one adopted
    UNDO = "undo"  # a queue action walked back (the negation of its entry)
    APPLY = "apply"  # queue money actions, one kind each:
    ACCEPT_MATCH = "accept_match"
    REMATCH = "rematch"
    LINK_CORRECTION = "link_correction"
    POST_AS_SENT = "post_as_sent"
    PLACE_PLB = "place_plb"
    TRANSFER = "transfer"
    WRITE_OFF = "write_off"
    REFUND = "refund"
    REAPPLY = "reapply"
    REFUND_PAID = "refund_paid"  # a refund check paid out (written by finance, not the engine)
    MANUAL = "manual"  # an entry keyed at the desk, outside the engine's stages
    RETURN = "return"  # unapplied cash that is not ours, back to the payer (queue return)
    # issue 25, bank deposits (migration 0022)
    DEPOSIT = "deposit"  # a bank deposit met its remittance(s): Dr bank, Cr cash clearing
    DEPOSIT_RETURN = "deposit_return"  # a deposited item returned: bank side and cash reopened
    MATCH_DEPOSIT = "match_deposit"  # the queue matched a lonely deposit / silent ERA by hand
    RECEIVE_DEPOSIT = "receive_deposit"  # a lonely deposit received as unapplied cash
    ACCEPT_VARIANCE = "accept_variance"  # a deposit's difference from its remittance adjusted
    CHARGEBACK_WON = "chargeback_won"  # a returned item won back: re-posted
    # payments without a remittance (issue 24, migration 0021):
    PAYMENT_RECEIVED = "payment_received"  # a payer's check, unapplied: Dr cash / Cr unapplied
    PATIENT_PAYMENT = "patient_payment"  # a patient's payment: Dr cash / Cr patient receivable
    PAYMENT_CLAIMED = "payment_claimed"  # a remittance takes a received check: Dr unapplied / Cr cash




class AccountCode(enum.StrEnum):
    """``ledger_accounts.code``: the chart of accounts, small because lines carry the payer,
    patient account and claim as dimensions.  Its CHECK is built from this enum; the rows
    are seeded by the first migration (:data:`ACCOUNT_CODES` names them)."""

    INSURANCE_AR = "insurance_ar"
    PATIENT_AR = "patient_ar"
    GROSS_CHARGES = "gross_charges"
    CONTRACTUAL_ADJUSTMENTS = "contractual_adjustments"
    OTHER_ADJUSTMENTS = "other_adjustments"
    CASH_CLEARING = "cash_clearing"
    UNAPPLIED_CASH = "unapplied_cash"
    REFUNDS_PAYABLE = "refunds_payable"
    PROVIDER_ADJUSTMENTS = "provider_adjustments"
    INTEREST_INCOME = "interest_income"
    BANK = "bank"


# code -> (name, normal balance).  Seeded by the first migration.
ACCOUNT_CODES: dict[AccountCode, tuple[str, str]] = {
    AccountCode.INSURANCE_AR: ("Insurance receivable (per payer)", "debit"),
    AccountCode.PATIENT_AR: ("Patient receivable", "debit"),
    AccountCode.GROSS_CHARGES: ("Gross charges", "credit"),
    AccountCode.CONTRACTUAL_ADJUSTMENTS: ("Contractual adjustments (CO)", "debit"),
    AccountCode.OTHER_ADJUSTMENTS: ("Other adjustments (OA/PI, write-offs)", "debit"),
    AccountCode.CASH_CLEARING: ("Cash clearing (awaiting deposit)", "debit"),
    AccountCode.UNAPPLIED_CASH: ("Unapplied cash (suspense)", "credit"),
    AccountCode.REFUNDS_PAYABLE: ("Refunds payable", "credit"),
    AccountCode.PROVIDER_ADJUSTMENTS: ("Provider-level adjustments (PLB)", "debit"),
    AccountCode.INTEREST_INCOME: ("Interest income", "credit"),
    AccountCode.BANK: ("Bank (reconciled deposits)", "debit"),
}


class LedgerAccount(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        CheckConstraint("normal_balance IN ('debit', 'credit')", name="normal_balance"),
        CheckConstraint(check_in("code", AccountCode), name="code"),
    )

    id: Mapped[IdPk]
    code: Mapped[str] = mapped_column(String(40), unique=True)  # AccountCode
    name: Mapped[str] = mapped_column(String(128))
    normal_balance: Mapped[str] = mapped_column(String(35))


class JournalEntry(FromFile, Base):
    __tablename__ = "journal_entries"
    __table_args__ = (CheckConstraint(check_in("kind", EntryKind), name="kind"),)

    id: Mapped[IdPk]
    entry_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(35))  # EntryKind
    effective_date: Mapped[dt.date] = mapped_column(Date)
    posted_at: Mapped[Created]
    actor: Mapped[str] = mapped_column(String(128))
    reverses_entry_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("journal_entries.id"), unique=True
    )
    remittance_id: Mapped[int | None] = mapped_column(ForeignKey("remittances.id"), index=True)
    claim_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_payments.id"), index=True
    )
    submitted_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_claims.id"), index=True
    )
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id"), index=True)
    memo: Mapped[str | None] = mapped_column(Text)


class JournalLine(Base):
    __tablename__ = "journal_lines"
    __table_args__ = (UniqueConstraint("entry_id", "ordinal"),)

    id: Mapped[IdPk]
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount_cents: Mapped[Cents]  # signed: debit positive, credit negative
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payers.id"))
    patient_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("patient_accounts.id"), index=True
    )
    submitted_claim_id: Mapped[int | None] = mapped_column(
        ForeignKey("submitted_claims.id"), index=True
    )
    submitted_line_id: Mapped[int | None] = mapped_column(ForeignKey("submitted_lines.id"))
    service_line_payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_line_payments.id")
    )
    adjustment_id: Mapped[int | None] = mapped_column(ForeignKey("adjustments.id"))
    provider_adjustment_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider_adjustments.id")
    )
    group_code: Mapped[str | None] = mapped_column(String(35))  # CAS group kept (PR reason)
    reason_code: Mapped[str | None] = mapped_column(String(35))  # CARC or PLB reason
