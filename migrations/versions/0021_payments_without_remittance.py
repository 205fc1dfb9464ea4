"""Payments without a remittance (issue 24): the ``received_payments`` table and four
widened CHECKs (each list written out as it is at 0018, so later edits to the enums need a
migration of their own):

* ``journal_entries.kind`` gains ``payment_received`` (a payer's check with no 835 yet: Dr
  cash clearing / Cr unapplied cash), ``patient_payment`` (Dr cash clearing / Cr patient
  receivable) and ``payment_claimed`` (an 835 takes the received check: Dr unapplied cash /
  Cr cash clearing, so its cash is counted once);
* ``review_items.kind`` gains ``awaiting_remittance`` (the item owning a received check);
* ``received_files.kind`` gains ``patient_payments`` and ``lockbox`` (the two CSVs
  ``import`` recognises by their header row);
* ``review_item_events.action`` gains ``claim`` (``payment claim``: a received check
  claimed by hand by the remittance it belongs to).

Widening refuses nothing already stored; the downgrade refuses to narrow while rows use
the new words (``refuse_strays``), as 0018 does.

Revision ID: 0021
Revises: 0020
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ENTRY_KINDS = (
    "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb", "payer_reclass",
    "undo", "apply", "accept_match", "rematch", "link_correction", "post_as_sent",
    "place_plb", "transfer", "write_off", "refund", "reapply", "refund_paid", "manual",
    "return")
_REVIEW_KINDS = (
    "unmatched_payment", "ambiguous_match", "unknown_payee", "balancing_failure",
    "duplicate_conflict", "orphan_reversal", "awaiting_correction", "denial", "credit_balance",
    "unlinked_plb", "silent_era", "lonely_deposit", "deposit_variance", "rejected_file",
    "eob_error", "claim_problem", "patient_conflict", "duplicate_claim")
_FILE_KINDS = ("835", "837P", "837I", "837D", "999", "TA1", "eob", "deposit", "unknown")
_ITEM_ACTIONS = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo", "follow-up", "return", "accept-set")

# (table, column, values before, values after); the constraint is named ck_<table>_<column>
CHECKS: tuple[Check, ...] = (
    ("journal_entries", "kind", _ENTRY_KINDS,
     (*_ENTRY_KINDS, "payment_received", "patient_payment", "payment_claimed")),
    ("review_items", "kind", _REVIEW_KINDS, (*_REVIEW_KINDS, "awaiting_remittance")),
    ("received_files", "kind", _FILE_KINDS, (*_FILE_KINDS, "patient_payments", "lockbox")),
    ("review_item_events", "action", _ITEM_ACTIONS, (*_ITEM_ACTIONS, "claim")),
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{table}.id"], name=op.f(f"fk_received_payments_{column}_{table}"))


def upgrade() -> None:
    widen_checks(CHECKS)
    op.create_table(
        "received_payments",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("identity_key", sa.String(length=200), nullable=False),
        sa.Column("paid_by", sa.String(length=35), nullable=False),
        sa.Column("payer_id", _ID, nullable=True),
        sa.Column("patient_account_id", _ID, nullable=True),
        sa.Column("submitted_claim_id", _ID, nullable=True),
        sa.Column("remitter", sa.String(length=256), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("reference_normalized", sa.String(length=80), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=35), nullable=False),
        sa.Column("received_by", sa.String(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("status", sa.String(length=35), nullable=False),
        sa.Column("journal_entry_id", _ID, nullable=False),
        sa.Column("review_item_id", _ID, nullable=True),
        sa.Column("claimed_by_remittance_id", _ID, nullable=True),
        sa.Column("file_id", _ID, nullable=True),
        sa.Column("file_row", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("paid_by", ("payer", "patient")),
                           name=op.f("ck_received_payments_paid_by")),
        sa.CheckConstraint(_in("method", ("check", "eft", "card", "cash", "online")),
                           name=op.f("ck_received_payments_method")),
        sa.CheckConstraint(_in("status", ("awaiting_remittance", "claimed", "applied")),
                           name=op.f("ck_received_payments_status")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_received_payments_amount_positive")),
        _fk("payer_id", "payers"), _fk("patient_account_id", "patient_accounts"),
        _fk("submitted_claim_id", "submitted_claims"),
        _fk("journal_entry_id", "journal_entries"), _fk("review_item_id", "review_items"),
        _fk("claimed_by_remittance_id", "remittances"), _fk("file_id", "received_files"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_payments")),
        sa.UniqueConstraint("identity_key", name=op.f("uq_received_payments_identity_key")),
    )
    with op.batch_alter_table("received_payments", schema=None) as batch_op:
        for column in ("payer_id", "patient_account_id", "reference_normalized"):
            batch_op.create_index(batch_op.f(f"ix_received_payments_{column}"), [column],
                                  unique=False)


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    with op.batch_alter_table("received_payments", schema=None) as batch_op:
        for column in ("payer_id", "patient_account_id", "reference_normalized"):
            batch_op.drop_index(batch_op.f(f"ix_received_payments_{column}"))
    op.drop_table("received_payments")
    widen_checks(CHECKS, before=True)
