"""CHECK constraints for the kind, code, role and action columns 0015 left open: each
allows exactly the members of its enum (written out here, as they were at this revision, so
later edits to the enums need a migration of their own).

* ``journal_entries.kind``: ``db.ledger.EntryKind``
* ``ledger_accounts.code``: ``db.ledger.AccountCode`` (the chart 0001 seeded)
* ``posting_policies.action``: ``db.workflow.PolicyAction``
* ``transaction_sets.kind``: ``records.states.SetKind``
* ``audit_events.role``: ``db.parties.Role`` or NULL (an event before any user existed)
* ``claim_payments.match_method``: ``records.states.MatchMethod`` or NULL
* ``review_item_events.action``: ``db.workflow.ItemAction``

Rows already stored that are outside a list stop the upgrade, naming the values: the
ledger's history is never rewritten to fit a constraint.  PostgreSQL adds the constraints
with ``ALTER TABLE``.  On SQLite, for the reasons 0015 gives (tables other tables refer
to, append-only triggers a batch-mode copy would lose), the constraint is written into
the table's schema (``writable_schema``) after the rows are checked, as in 0009 and 0015.

Revision ID: 0016
Revises: 0015
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (table, column, allowed values); the constraint is named ck_<table>_<column>
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("journal_entries", "kind", (
        "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb",
        "payer_reclass", "undo", "apply", "accept_match", "rematch", "link_correction",
        "post_as_sent", "place_plb", "transfer", "write_off", "refund", "reapply",
        "refund_paid", "manual")),
    ("ledger_accounts", "code", (
        "insurance_ar", "patient_ar", "gross_charges", "contractual_adjustments",
        "other_adjustments", "cash_clearing", "unapplied_cash", "refunds_payable",
        "provider_adjustments", "interest_income", "bank")),
    ("posting_policies", "action", ("contractual", "other", "patient")),
    ("transaction_sets", "kind", ("835", "837P", "837I", "837D")),
    ("audit_events", "role", ("poster", "specialist", "lead", "auditor", "admin")),
    ("claim_payments", "match_method", (
        "pcn", "truncated_pcn", "fallback", "payer_claim_number", "none", "ambiguous",
        "manual")),
    ("review_item_events", "action", (
        "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
        "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
        "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
        "write-off", "refund", "reapply", "undo")),
)
# the columns that may also be NULL
_NULLABLE = frozenset({("audit_events", "role"), ("claim_payments", "match_method")})


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
                           f"the values 0016 allows: {list(values)}")


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
