"""Indexes the match stage's look-ups need at volume: a payer-truncated PCN (prefix
search) and the fallback by last name (case-insensitive).

Without them both are full scans of the claims (or patients) for every unknown PCN, so
the cost of an import would grow with the size of the database, not of the file.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_patients_last_name_upper ON patients (upper(last_name))")
    if op.get_bind().dialect.name == "postgresql":
        # LIKE 'prefix%' uses a b-tree index only under the C collation or with this opclass
        op.execute("CREATE INDEX ix_submitted_claims_pcn_prefix "
                   "ON submitted_claims (pcn_normalized text_pattern_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_submitted_claims_pcn_prefix")
    op.execute("DROP INDEX ix_patients_last_name_upper")
