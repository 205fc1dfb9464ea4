"""CHECK constraints for the state columns not yet constrained: each allows exactly the
values of its enum in ``edi_posting.records.states`` (written out here, as they were at
this revision, so later edits to the enums need a migration of their own).

* ``claim_payments.posting_state``: ``PostingState``
* ``audit_events.outcome``: ``AuditOutcome``
* ``submitted_claims.status``: ``SubmissionStatus``
* ``transaction_sets.status`` and ``remittances.status``: ``SetStatus``
* ``received_files.status``: ``FileStatus``
* ``review_item_events.from_status`` and ``to_status``: ``ReviewStatus`` or NULL

Rows already stored that are outside a list stop the upgrade, naming the values: the
ledger's history is never rewritten to fit a constraint.  PostgreSQL adds the constraints
with ``ALTER TABLE``.  SQLite cannot add a CHECK to a table, and the batch-mode table copy
cannot run on these tables: other tables refer to them (dropping the original, with
foreign keys on, would fail or orphan their rows) and their append-only triggers would be
lost with the copy.  So, as in 0009, SQLite's documented procedure is used: the rows are
checked first, the constraint is written into the table's schema (``writable_schema``)
and the schema version bumped, so every connection reloads it.

Revision ID: 0015
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_REVIEW_STATUSES = ("open", "in_progress", "escalated", "resolved", "dismissed")
# (table, column, allowed values); the constraint is named ck_<table>_<column>
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("claim_payments", "posting_state", (
        "posted", "denied", "held", "unmatched", "recorded", "duplicate", "reversal",
        "reversed", "reversed_awaiting_correction", "applied")),
    ("audit_events", "outcome", ("ok", "refused", "failed", "rejected")),
    ("submitted_claims", "status", ("active", "held", "void", "voided", "replaced")),
    ("transaction_sets", "status", ("posted", "held")),
    ("remittances", "status", ("posted", "held")),
    ("received_files", "status", (
        "received", "imported", "already_imported", "partial", "rejected", "failed")),
    ("review_item_events", "from_status", _REVIEW_STATUSES),
    ("review_item_events", "to_status", _REVIEW_STATUSES),
)
# the columns that may also be NULL
_NULLABLE = frozenset({("review_item_events", "from_status"),
                       ("review_item_events", "to_status")})


def _condition(table: str, column: str, values: tuple[str, ...]) -> str:
    allowed = f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
    return f"{column} IS NULL OR {allowed}" if (table, column) in _NULLABLE else allowed


def _refuse_strays(conn: sa.Connection, table: str, column: str,
                   values: tuple[str, ...]) -> None:
    strays = conn.execute(sa.text(
        f"SELECT DISTINCT {column} FROM {table} WHERE NOT ({_condition(table, column, values)})"
    )).scalars().all()
    if strays:
        raise RuntimeError(f"{table}.{column} holds {sorted(map(str, strays))}, outside "
                           f"the values 0015 allows: {list(values)}")


def _sqlite_schema(conn: sa.Connection, table: str) -> str:
    return str(conn.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table}).scalar_one())


def _sqlite_rewrite(conn: sa.Connection, sqls: dict[str, str]) -> None:
    """Replace tables' CREATE statements in place (a CHECK changes nothing stored)."""
    version = conn.execute(sa.text("PRAGMA schema_version")).scalar_one()
    conn.execute(sa.text("PRAGMA writable_schema = ON"))
    for table, sql in sqls.items():
        conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                             "AND name = :name"), {"sql": sql, "name": table})
    conn.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(sa.text("PRAGMA writable_schema = OFF"))


def _constraint_sql(table: str, column: str, values: tuple[str, ...]) -> str:
    return f", \n\tCONSTRAINT ck_{table}_{column} CHECK ({_condition(table, column, values)})"


def upgrade() -> None:
    conn = op.get_bind()
    for table, column, values in CHECKS:
        _refuse_strays(conn, table, column, values)
    if conn.dialect.name != "sqlite":
        for table, column, values in CHECKS:
            op.create_check_constraint(column, table, _condition(table, column, values))
        return
    sqls: dict[str, str] = {}
    for table, column, values in CHECKS:
        sql = sqls.get(table) or _sqlite_schema(conn, table)
        end = sql.rstrip().rindex(")")
        sqls[table] = sql[:end].rstrip() + _constraint_sql(table, column, values) + "\n)"
    _sqlite_rewrite(conn, sqls)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        for table, column, _ in CHECKS:
            op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
        return
    sqls: dict[str, str] = {}
    for table, column, values in CHECKS:
        sql = sqls.get(table) or _sqlite_schema(conn, table)
        sqls[table] = sql.replace(_constraint_sql(table, column, values), "")
    _sqlite_rewrite(conn, sqls)
