"""Acknowledgements may be 997s: a 004010 functional group is answered with a 997, not a
999 (``import --validate`` stores what ``validate`` writes).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch_op:
        batch_op.drop_constraint(op.f("ck_acknowledgements_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('999', '997', 'TA1')")


def downgrade() -> None:
    with op.batch_alter_table("acknowledgements") as batch_op:
        batch_op.drop_constraint(op.f("ck_acknowledgements_kind"), type_="check")
        batch_op.create_check_constraint("kind", "kind IN ('999', 'TA1')")
