"""A CARC policy row can mark its CARC contractual on zero pay.

A claim payment that pays $0 and assigns nothing to the patient is a denial unless the
payer's policy marks every CARC on it contractual on zero pay (capitation, value-based
care).  Rows stored before this are not marked (``false``): their $0 payments are denials,
as X12 asks ("never write off by default").

Revision ID: 0010
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("posting_policies", sa.Column("zero_pay_contractual", sa.Boolean(),
                                                nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("posting_policies") as batch_op:
        batch_op.drop_column("zero_pay_contractual")
