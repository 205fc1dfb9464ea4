"""Review items of kind ``duplicate_claim``: an 837 claim billed again (same PCN, same
payer, not a replacement or void) is held, not charged a second time, and queued.

Only the CHECK constraint on ``review_items.kind`` changes, and only by this one kind: the
kinds already allowed are read from the database and kept, so this revision composes with
any other that widens the list.  PostgreSQL drops and adds the constraint.  SQLite cannot
alter a CHECK, and the usual table copy cannot run here: other tables refer to review
items, and dropping the original (foreign keys are on, and cannot be turned off inside the
migration's transaction) would orphan their rows.  Widening a CHECK changes nothing
stored, so SQLite's documented procedure for such changes is used: the constraint's text
is replaced in the schema (``writable_schema``) and the schema version bumped, so every
connection reloads it.

Revision ID: 0009
Revises: 0007
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KIND = "duplicate_claim"
_NAME = "ck_review_items_kind"
_SQLITE_CHECK = re.compile(r"CONSTRAINT ck_review_items_kind CHECK \(kind IN \([^)]*\)\)")
_QUOTED = re.compile(r"'([^']+)'")


def _condition(kinds: list[str]) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _current_kinds(conn: sa.Connection) -> tuple[list[str], str | None]:
    """The kinds the constraint allows now (and, on SQLite, the table's SQL)."""
    if conn.dialect.name == "sqlite":
        sql = conn.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                   "AND name = 'review_items'")).scalar_one()
        found = _SQLITE_CHECK.findall(sql)
        if len(found) != 1:
            raise RuntimeError(f"review_items: the {_NAME} CHECK was not found as created")
        return _QUOTED.findall(found[0]), sql
    definition = conn.execute(sa.text(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :name"),
        {"name": _NAME}).scalar_one()
    return _QUOTED.findall(definition), None


def _set_kinds(kinds: list[str]) -> None:
    conn = op.get_bind()
    _, sql = _current_kinds(conn)
    if sql is None:
        op.drop_constraint(op.f(_NAME), "review_items", type_="check")
        op.create_check_constraint("kind", "review_items", _condition(kinds))
        return
    new_sql = _SQLITE_CHECK.sub(f"CONSTRAINT {_NAME} CHECK ({_condition(kinds)})", sql)
    version = conn.execute(sa.text("PRAGMA schema_version")).scalar_one()
    conn.execute(sa.text("PRAGMA writable_schema = ON"))
    conn.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                         "AND name = 'review_items'"), {"sql": new_sql})
    conn.execute(sa.text(f"PRAGMA schema_version = {int(version) + 1}"))
    conn.execute(sa.text("PRAGMA writable_schema = OFF"))


def upgrade() -> None:
    kinds, _ = _current_kinds(op.get_bind())
    if KIND not in kinds:
        _set_kinds([*kinds, KIND])


def downgrade() -> None:
    """Refused while a ``duplicate_claim`` item exists: review items and their events are
    the queue's history, never deleted to make a downgrade fit."""
    conn = op.get_bind()
    held = conn.execute(sa.text(
        "SELECT count(*) FROM review_items WHERE kind = :kind"), {"kind": KIND}).scalar_one()
    if held:
        raise RuntimeError(f"{held} {KIND} review item(s) exist: the schema before 0009 "
                           "cannot hold them")
    kinds, _ = _current_kinds(conn)
    _set_kinds([k for k in kinds if k != KIND])
