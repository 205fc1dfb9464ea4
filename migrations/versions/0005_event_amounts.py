"""Each review-item event keeps the item's amount after it, so a claim's history shows what
was open at each step (an item opened at 723.58 and applied down to 0.00 read 0.00 at
every step before).  Events recorded before this revision have none (NULL).

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN on both databases: no table rebuild, so the append-only triggers
    # of 0002 stay as they are
    op.add_column("review_item_events", sa.Column("amount_cents", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("review_item_events") as batch_op:
        batch_op.drop_column("amount_cents")
