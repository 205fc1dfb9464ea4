"""Bank deposits and daily reconciliation (issue 25).

* ``deposits`` gains the bank's own reference, the customer reference, the BAI2 type code
  and whether the line returns an item (columns added: the table is referenced by
  ``review_items.deposit_id``, so it is not rebuilt);
* ``deposit_matches`` is re-created (0001's table was never written to): one row per
  (deposit, receipt) with the part of the deposit it takes, the method and the ``deposit``
  entry; 0001's UNIQUE(remittance_id) forbade the several deposits one remittance may
  arrive in;
* ``journal_entries.kind`` and ``review_item_events.action`` gain the deposit entries and
  queue actions, ``review_items.kind`` gains ``returned_item`` (lists written as they are
  at 0018).

Revision ID: 0022
Revises: 0021
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from edi_posting.db.check_swap import Check, refuse_strays, widen_checks

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ENTRY_KINDS = (
    "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb", "payer_reclass",
    "undo", "apply", "accept_match", "rematch", "link_correction", "post_as_sent",
    "place_plb", "transfer", "write_off", "refund", "reapply", "refund_paid", "manual",
    "return", "payment_received", "patient_payment", "payment_claimed")
_ITEM_ACTIONS = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo", "follow-up", "return", "accept-set", "claim")

_REVIEW_KINDS = (
    "unmatched_payment", "ambiguous_match", "unknown_payee", "balancing_failure",
    "duplicate_conflict", "orphan_reversal", "awaiting_correction", "denial", "credit_balance",
    "unlinked_plb", "silent_era", "lonely_deposit", "deposit_variance", "rejected_file",
    "eob_error", "claim_problem", "patient_conflict", "duplicate_claim", "awaiting_remittance")

CHECKS: tuple[Check, ...] = (
    ("review_items", "kind", _REVIEW_KINDS, (*_REVIEW_KINDS, "returned_item")),
    ("journal_entries", "kind", _ENTRY_KINDS,
     (*_ENTRY_KINDS, "deposit", "deposit_return", "match_deposit", "receive_deposit",
      "accept_variance", "chargeback_won")),
    ("review_item_events", "action", _ITEM_ACTIONS,
     (*_ITEM_ACTIONS, "match-deposit", "request-era", "receive-deposit", "accept-variance",
      "split-deposit", "chargeback-won")),
)
_METHODS = ("trace", "amount_date", "bulk", "split", "variance", "manual")


def upgrade() -> None:
    widen_checks(CHECKS)
    op.add_column("deposits", sa.Column("bank_reference", sa.String(length=50), nullable=True))
    op.add_column("deposits", sa.Column("customer_reference", sa.String(length=50),
                                        nullable=True))
    op.add_column("deposits", sa.Column("type_code", sa.String(length=10), nullable=True))
    op.add_column("deposits", sa.Column("is_return", sa.Boolean(), nullable=False,
                                        server_default=sa.false()))
    op.create_index(op.f("ix_deposits_bank_reference"), "deposits", ["bank_reference"])
    with op.batch_alter_table("deposit_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deposit_matches_deposit_id"))
    op.drop_table("deposit_matches")
    _create_matches()


def _create_matches() -> None:
    methods = ", ".join(f"'{m}'" for m in _METHODS)
    op.create_table(
        "deposit_matches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("deposit_id", _ID, nullable=False),
        sa.Column("receipt_kind", sa.String(length=35), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("remittance_id", _ID, nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=35), nullable=False),
        sa.Column("journal_entry_id", _ID, nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.CheckConstraint("receipt_kind IN ('remittance', 'desk', 'unapplied', 'payment')",
                           name=op.f("ck_deposit_matches_receipt_kind")),
        sa.CheckConstraint(f"method IN ({methods})", name=op.f("ck_deposit_matches_method")),
        sa.ForeignKeyConstraint(["deposit_id"], ["deposits.id"],
                                name=op.f("fk_deposit_matches_deposit_id_deposits")),
        sa.ForeignKeyConstraint(["remittance_id"], ["remittances.id"],
                                name=op.f("fk_deposit_matches_remittance_id_remittances")),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entries.id"],
                                name=op.f("fk_deposit_matches_journal_entry_id_journal_entries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_matches")),
        sa.UniqueConstraint("journal_entry_id", name=op.f("uq_deposit_matches_journal_entry_id")),
    )
    for column in ("deposit_id", "receipt_id", "remittance_id"):
        op.create_index(op.f(f"ix_deposit_matches_{column}"), "deposit_matches", [column])


def downgrade() -> None:
    refuse_strays(CHECKS, revision)
    for column in ("deposit_id", "receipt_id", "remittance_id"):
        op.drop_index(op.f(f"ix_deposit_matches_{column}"), table_name="deposit_matches")
    op.drop_table("deposit_matches")
    op.create_table(
        "deposit_matches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("deposit_id", _ID, nullable=False),
        sa.Column("remittance_id", _ID, nullable=False),
        sa.Column("method", sa.String(length=35), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["deposit_id"], ["deposits.id"],
                                name=op.f("fk_deposit_matches_deposit_id_deposits")),
        sa.ForeignKeyConstraint(["remittance_id"], ["remittances.id"],
                                name=op.f("fk_deposit_matches_remittance_id_remittances")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deposit_matches")),
        sa.UniqueConstraint("remittance_id", name=op.f("uq_deposit_matches_remittance_id")),
    )
    op.create_index(op.f("ix_deposit_matches_deposit_id"), "deposit_matches", ["deposit_id"])
    op.drop_index(op.f("ix_deposits_bank_reference"), table_name="deposits")
    with op.batch_alter_table("deposits", schema=None) as batch_op:
        for column in ("is_return", "type_code", "customer_reference", "bank_reference"):
            batch_op.drop_column(column)
    widen_checks(CHECKS, before=True)
