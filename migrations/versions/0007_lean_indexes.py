"""Indexes that cost every import and served no query are dropped; the fallback by name
reads its patients from the index alone.

Twelve single-column indexes repeated the first column of a unique constraint on the same
table (``journal_lines(entry_id)`` beside ``UNIQUE(entry_id, ordinal)``, and so on): the
constraint's own index answers every look-up by that column, so the copies only made each
insert maintain one more b-tree.  An 835 claim writes about fifteen rows, and six of these
indexes sat on the tables those rows go to.  ``journal_lines(payer_id)`` went too: no query
reads lines by payer alone (per-payer receivables are read per claim or per account), and
it was one more b-tree for the table that takes six rows per claim.

The fallback by name read every patient with the surname (through an expression index on
upper(last_name), then the table: thousands of random row reads per unknown PCN when the
name is common) to compare first names in Python.  Patients now carry their names as the
match stage compares them (``edi_posting.names.name_keys``: no case, spaces or
punctuation), filled in here for the patients already stored, and one index on the two
keys answers the look-up.  Changing ``names.plain`` later needs a migration that
recomputes the keys.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from edi_posting.names import name_keys

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (index, table, column): each column but the last leads a unique constraint of its table
DROPPED = (
    ("ix_providers_npi", "providers", "npi"),
    ("ix_coverages_payer_id", "coverages", "payer_id"),
    ("ix_functional_groups_interchange_id", "functional_groups", "interchange_id"),
    ("ix_submitted_claims_transaction_set_id", "submitted_claims", "transaction_set_id"),
    ("ix_submitted_lines_claim_id", "submitted_lines", "claim_id"),
    ("ix_claim_payments_remittance_id", "claim_payments", "remittance_id"),
    ("ix_provider_adjustments_remittance_id", "provider_adjustments", "remittance_id"),
    ("ix_service_line_payments_claim_payment_id", "service_line_payments", "claim_payment_id"),
    ("ix_adjustments_claim_payment_id", "adjustments", "claim_payment_id"),
    ("ix_remark_codes_claim_payment_id", "remark_codes", "claim_payment_id"),
    ("ix_supplemental_amounts_claim_payment_id", "supplemental_amounts", "claim_payment_id"),
    ("ix_journal_lines_entry_id", "journal_lines", "entry_id"),
    ("ix_journal_lines_payer_id", "journal_lines", "payer_id"),  # no query reads by it
)


BATCH = 5000  # patients per page of the name-key fill


def upgrade() -> None:
    for index, _table, _column in DROPPED:
        op.drop_index(index)
    op.drop_index("ix_patients_last_name_upper")
    op.add_column("patients", sa.Column("last_name_key", sa.String(128), nullable=False,
                                        server_default=""))
    op.add_column("patients", sa.Column("first_name_key", sa.String(64), nullable=False,
                                        server_default=""))
    _fill_name_keys(op.get_bind())
    op.create_index("ix_patients_name_keys", "patients", ["last_name_key", "first_name_key"])


def _fill_name_keys(conn: sa.Connection) -> None:
    """A page of patients at a time (by id), so a large practice's upgrade holds one page
    in memory, not every patient."""
    patients = sa.table("patients", sa.column("id"), sa.column("last_name"),
                        sa.column("first_name"), sa.column("last_name_key"),
                        sa.column("first_name_key"))
    update = (patients.update().where(patients.c.id == sa.bindparam("pid"))
              .values(last_name_key=sa.bindparam("lk"), first_name_key=sa.bindparam("fk")))
    page = (sa.select(patients.c.id, patients.c.last_name, patients.c.first_name)
            .where(patients.c.id > sa.bindparam("after")).order_by(patients.c.id).limit(BATCH))
    after = 0
    while rows := conn.execute(page, {"after": after}).all():
        conn.execute(update, [{"pid": pid, "lk": last_key, "fk": first_key}
                              for pid, last, first in rows
                              for last_key, first_key in [name_keys(last, first)]])
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_patients_name_keys")
    with op.batch_alter_table("patients") as batch_op:
        batch_op.drop_column("first_name_key")
        batch_op.drop_column("last_name_key")
    op.execute("CREATE INDEX ix_patients_last_name_upper ON patients (upper(last_name))")
    for index, table, column in DROPPED:
        op.create_index(index, table, [column])
