"""Approvals: write-offs above the limit and refunds above the refund limit wait here for
a second person (``edi_posting.review.approvals``), and the ``lead`` role, a specialist who may
approve them.  (Downgrading makes leads specialists again.)

The CHECK ``second_person`` keeps the requester from deciding their own request even if
the application were bypassed.

Revision ID: 0011
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ROLES_BEFORE = ("poster", "specialist", "auditor", "admin")
_ROLES = ("poster", "specialist", "lead", "auditor", "admin")  # lead: resolve + approve


def _roles(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_role"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_users_role"), "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")")


def upgrade() -> None:
    op.create_table(
        "approvals",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("review_item_id", _ID, nullable=False),
        sa.Column("action", sa.String(length=35), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=35), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("journal_entry_id", _ID, nullable=True),
        sa.CheckConstraint("action IN ('write-off', 'refund')", name=op.f("ck_approvals_action")),
        sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')",
                           name=op.f("ck_approvals_status")),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_approvals_amount_positive")),
        sa.CheckConstraint("decided_by IS NULL OR decided_by <> requested_by",
                           name=op.f("ck_approvals_second_person")),
        sa.ForeignKeyConstraint(["review_item_id"], ["review_items.id"],
                                name=op.f("fk_approvals_review_item_id_review_items")),
        sa.ForeignKeyConstraint(["journal_entry_id"], ["journal_entries.id"],
                                name=op.f("fk_approvals_journal_entry_id_journal_entries")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_approvals_review_item_id"), ["review_item_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_approvals_status"), ["status"], unique=False)
    _roles(_ROLES)


def downgrade() -> None:
    op.execute("UPDATE users SET role = 'specialist' WHERE role = 'lead'")
    _roles(_ROLES_BEFORE)
    with op.batch_alter_table("approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approvals_status"))
        batch_op.drop_index(batch_op.f("ix_approvals_review_item_id"))
    op.drop_table("approvals")
