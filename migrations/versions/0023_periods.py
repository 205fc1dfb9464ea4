"""Closed accounting periods (issue 26, ``edi-posting period close``): the ``periods``
table, one row per calendar month finance closed, with who closed it, when and why, and
who reopened it (an admin, with a reason).  Entries are never re-dated in place: the
ledger's write path posts an entry dated in a closed period on the first open day, its
memo keeping the original date (``db/periods.py``, ``ledger/periods.py``).

Revision ID: 0023
Revises: 0022
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_STATUSES = ("closed", "reopened")  # db.periods.PeriodStatus at this revision


def upgrade() -> None:
    op.create_table(
        "periods",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=35), nullable=False),
        sa.Column("closed_by", sa.String(length=128), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True),
                  server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("reopened_by", sa.String(length=128), nullable=True),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in _STATUSES) + ")",
                           name=op.f("ck_periods_status")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_periods")),
        sa.UniqueConstraint("period", name=op.f("uq_periods_period")),
    )


def downgrade() -> None:
    op.drop_table("periods")
