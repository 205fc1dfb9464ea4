"""``review_item_events.action`` allows ``follow-up``: a specialist dating the next look at
an item (``queue follow-up``) is an item event like a note, so the CHECK 0016 wrote from
``db.workflow.ItemAction`` is widened by that one member.

The follow-up date itself is ``review_items.due_date`` (a column since 0001); the default
windows per kind and payer are rows of ``settings``.  No stored row changes.  PostgreSQL
drops and re-adds the constraint; SQLite rewrites the table's schema in place
(``writable_schema``), as 0016 added it.

Revision ID: 0017
Revises: 0016
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_TABLE, _NAME = "review_item_events", "ck_review_item_events_action"
BEFORE = (
    "opened", "amount_changed", "side_recorded", "auto_resolved", "assign", "note",
    "escalate", "dismiss", "packet", "approval_requested", "approval_rejected", "apply",
    "accept-match", "rematch", "link-correction", "post-as-sent", "place-plb", "transfer",
    "write-off", "refund", "reapply", "undo")
AFTER = (*BEFORE, "follow-up")


def _condition(values: tuple[str, ...]) -> str:
    return "action IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _sqlite_swap(conn: sa.Connection, old: tuple[str, ...], new: tuple[str, ...]) -> None:
    sql = str(conn.execute(sa.text(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": _TABLE}).scalar_one())
    before = f"CONSTRAINT {_NAME} CHECK ({_condition(old)})"
    if before not in sql:
        raise RuntimeError(f"{_TABLE}: the CHECK of 0016 was not found in its schema")
    version = conn.execute(sa.text("PRAGMA schema_version")).scalar_one()
    conn.execute(sa.text("PRAGMA writable_schema = ON"))
    conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                         "AND name = :name"),
                 {"sql": sql.replace(before, f"CONSTRAINT {_NAME} CHECK ({_condition(new)})"),
                  "name": _TABLE})
    conn.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(sa.text("PRAGMA writable_schema = OFF"))


def _swap(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_swap(conn, old, new)
        return
    op.drop_constraint(op.f(_NAME), _TABLE, type_="check")
    op.create_check_constraint("action", _TABLE, _condition(new))


def upgrade() -> None:
    _swap(BEFORE, AFTER)


def downgrade() -> None:
    strays = op.get_bind().execute(sa.text(
        f"SELECT COUNT(*) FROM {_TABLE} WHERE NOT ({_condition(BEFORE)})")).scalar_one()
    if strays:
        raise RuntimeError(f"{_TABLE} holds {strays} follow-up event(s): they cannot be "
                           "removed from an append-only history")
    _swap(AFTER, BEFORE)
