"""Widen three CHECKs for issue 23's new queue actions (each list written out as it is at
this revision, so later edits to the enums need a migration of their own):

* ``journal_entries.kind`` gains ``return`` (``queue return``: unapplied cash that is not
  ours, back to the payer or to a refund payable);
* ``review_item_events.action`` gains ``return`` and ``accept-set`` (an admin posting a
  rejected set from the archive);
* ``approvals.action`` gains ``return`` (a return above the refund limit waits for a
  second person, as a refund does).

Widening refuses nothing already stored.  PostgreSQL drops and re-adds each constraint;
on SQLite the constraint's text is replaced in the table's schema (``writable_schema``),
for the reasons 0015 and 0016 give.

Revision ID: 0018
Revises: 0016 (0017 once merged)
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_ENTRY_KINDS = (
    "charge", "charge_reversal", "payment", "unapplied", "reversal", "plb", "payer_reclass",
    "undo", "apply", "accept_match", "rematch", "link_correction", "post_as_sent",
    "place_plb", "transfer", "write_off", "refund", "reapply", "refund_paid", "manual")
_ITEM_ACTIONS = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo", "follow-up")
_APPROVAL_ACTIONS = ("write-off", "refund")

# (table, column, values before, values after); the constraint is named ck_<table>_<column>
CHECKS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("journal_entries", "kind", _ENTRY_KINDS, (*_ENTRY_KINDS, "return")),
    ("review_item_events", "action", _ITEM_ACTIONS, (*_ITEM_ACTIONS, "return", "accept-set")),
    ("approvals", "action", _APPROVAL_ACTIONS, (*_APPROVAL_ACTIONS, "return")),
)


def _condition(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


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


def _sqlite_replace(sql: str, table: str, column: str, values: tuple[str, ...]) -> str:
    """The schema with the named constraint's condition replaced (it must be there)."""
    pattern = re.compile(rf"(CONSTRAINT ck_{table}_{column} CHECK \()\s*{column} IN \([^)]*\)"
                         r"(\s*\))")
    new, found = pattern.subn(lambda m: m.group(1) + _condition(column, values) + m.group(2),
                              sql)
    if found != 1:
        raise RuntimeError(f"{table}: constraint ck_{table}_{column} not found in its schema")
    return new


def _widen(before: bool) -> None:
    conn = op.get_bind()
    chosen = [(t, c, old if before else new) for t, c, old, new in CHECKS]
    if conn.dialect.name != "sqlite":
        for table, column, values in chosen:
            op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
            op.create_check_constraint(column, table, _condition(column, values))
        return
    _sqlite_rewrite(conn, {table: _sqlite_replace(_sqlite_schema(conn, table), table, column,
                                                  values) for table, column, values in chosen})


def _refuse_strays() -> None:
    """A downgrade narrows the lists: rows using the new words stop it, named."""
    conn = op.get_bind()
    for table, column, old, _ in CHECKS:
        strays = conn.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE NOT ({_condition(column, old)})"
        )).scalars().all()
        if strays:
            raise RuntimeError(f"{table}.{column} holds {sorted(map(str, strays))}, which "
                               "the revision before 0018 does not allow")


def upgrade() -> None:
    _widen(before=False)


def downgrade() -> None:
    _refuse_strays()
    _widen(before=True)
