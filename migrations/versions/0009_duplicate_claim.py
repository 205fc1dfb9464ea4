"""Review items of kind ``duplicate_claim``: an 837 claim billed again (same PCN, same
payer, not a replacement or void) is held, not charged a second time, and queued.

Only the CHECK constraint on ``review_items.kind`` changes.  PostgreSQL drops and adds it.
SQLite cannot alter a CHECK, and the usual table copy cannot run here: other tables refer
to review items, and dropping the original (foreign keys are on, and cannot be turned
off inside the migration's transaction) would orphan their rows.  Widening a CHECK
changes nothing stored, so SQLite's documented procedure for such changes is used: the
constraint's text is replaced in the schema (``writable_schema``) and the schema version
bumped, so every connection reloads it.

Revision ID: 0009
Revises: 0007
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

KINDS_BEFORE = (
    "unmatched_payment", "ambiguous_match", "unknown_payee", "balancing_failure",
    "duplicate_conflict", "orphan_reversal", "awaiting_correction", "denial", "credit_balance",
    "unlinked_plb", "silent_era", "lonely_deposit", "deposit_variance", "rejected_file",
    "eob_error", "claim_problem", "patient_conflict",
)
KINDS_AFTER = (*KINDS_BEFORE, "duplicate_claim")
_SQLITE_CHECK = re.compile(r"CONSTRAINT ck_review_items_kind CHECK \(kind IN \([^)]*\)\)")


def _condition(kinds: tuple[str, ...]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _sqlite_kind_check(conn: sa.Connection, kinds: tuple[str, ...]) -> None:
    sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                               "AND name = 'review_items'")).scalar_one()
    new_sql, found = _SQLITE_CHECK.subn(
        f"CONSTRAINT ck_review_items_kind CHECK ({_condition(kinds)})", sql)
    if found != 1:
        raise RuntimeError("review_items: the kind CHECK constraint was not found as created")
    version = conn.execute(sa.text("PRAGMA schema_version")).scalar_one()
    conn.execute(sa.text("PRAGMA writable_schema = ON"))
    conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                         "AND name = 'review_items'"), {"sql": new_sql})
    conn.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(sa.text("PRAGMA writable_schema = OFF"))


def _kind_check(kinds: tuple[str, ...]) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_kind_check(conn, kinds)
        return
    op.drop_constraint(op.f("ck_review_items_kind"), "review_items", type_="check")
    op.create_check_constraint("kind", "review_items", _condition(kinds))


def upgrade() -> None:
    _kind_check(KINDS_AFTER)


def downgrade() -> None:
    """Refused while a ``duplicate_claim`` item exists: review items and their events are
    the queue's history, never deleted to make a downgrade fit."""
    held = op.get_bind().execute(sa.text(
        "SELECT count(*) FROM review_items WHERE kind = 'duplicate_claim'")).scalar_one()
    if held:
        raise RuntimeError(f"{held} duplicate_claim review item(s) exist: the schema before "
                           "0009 cannot hold them")
    _kind_check(KINDS_BEFORE)
