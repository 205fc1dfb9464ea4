"""Widening (and on downgrade narrowing) the CHECK constraints built from domain enums.

Each migration that adds an enum member writes its lists out as they are at its revision
(later edits to the enums need a migration of their own) and calls :func:`widen_checks`.
PostgreSQL drops and re-adds each constraint.  SQLite cannot alter a constraint; a
table rebuild would copy every row of the ledger for a change that touches no row, so
the constraint's text is replaced in the table's schema (``writable_schema``), which is
safe because a wider CHECK refuses nothing already stored.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

import sqlalchemy as sa
from alembic import op

__all__ = ["Check", "NewCheck", "add_checks", "drop_checks", "refuse_strays", "widen_checks"]

# (table, column, values before, values after); the constraint is named ck_<table>_<column>
Check = tuple[str, str, tuple[str, ...], tuple[str, ...]]


def condition(column: str, values: Sequence[str], nullable: bool = False) -> str:
    """The SQL of ``column IN ('a', 'b', ...)`` (``column IS NULL OR ...`` if nullable)."""
    allowed = f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"
    return f"{column} IS NULL OR {allowed}" if nullable else allowed


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


def _sqlite_replace(sql: str, table: str, column: str, values: Sequence[str]) -> str:
    """The schema with the named constraint's condition replaced (it must be there)."""
    pattern = re.compile(rf"(CONSTRAINT ck_{table}_{column} CHECK \()\s*"
                         rf"({column} IS NULL OR )?{column} IN \([^)]*\)(\s*\))")
    new, found = pattern.subn(
        lambda m: m.group(1) + condition(column, values, bool(m.group(2))) + m.group(3), sql)
    if found != 1:
        raise RuntimeError(f"{table}: constraint ck_{table}_{column} not found in its schema")
    return new


def widen_checks(checks: Sequence[Check], *, before: bool = False,
                 nullable: Collection[tuple[str, str]] = ()) -> None:
    """Set each constraint to its ``after`` list (or back to ``before`` on downgrade);
    ``nullable`` names the (table, column) pairs whose CHECK also allows NULL."""
    conn = op.get_bind()
    chosen = [(t, c, old if before else new) for t, c, old, new in checks]
    if conn.dialect.name != "sqlite":
        for table, column, values in chosen:
            op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
            op.create_check_constraint(
                column, table, condition(column, values, (table, column) in nullable))
        return
    sqls: dict[str, str] = {}
    for table, column, values in chosen:
        sqls[table] = _sqlite_replace(sqls.get(table) or _sqlite_schema(conn, table),
                                      table, column, values)
    _sqlite_rewrite(conn, sqls)


def refuse_strays(checks: Sequence[Check], revision: str) -> None:
    """A downgrade narrows the lists: rows using the new words stop it, named."""
    conn = op.get_bind()
    for table, column, old, _ in checks:
        strays = conn.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE NOT ({condition(column, old)})"
        )).scalars().all()
        if strays:
            raise RuntimeError(f"{table}.{column} holds {sorted(map(str, strays))}, which "
                               f"the revision before {revision} does not allow")


# (table, column, values) of a CHECK added where there was none
NewCheck = tuple[str, str, tuple[str, ...]]


def _added_sql(table: str, column: str, values: tuple[str, ...], nullable: bool) -> str:
    return f", \n\tCONSTRAINT ck_{table}_{column} CHECK ({condition(column, values, nullable)})"


def add_checks(checks: Sequence[NewCheck], revision: str,
               nullable: Collection[tuple[str, str]] = ()) -> None:
    """Add CHECKs to existing tables, after refusing (named) any stored row outside them.
    On SQLite the constraint is appended to the table's schema."""
    conn = op.get_bind()
    for table, column, values in checks:
        cond = condition(column, values, (table, column) in nullable)
        strays = conn.execute(sa.text(
            f"SELECT DISTINCT {column} FROM {table} WHERE NOT ({cond})")).scalars().all()
        if strays:
            raise RuntimeError(f"{table}.{column} holds {sorted(map(str, strays))}, outside "
                               f"the values {revision} allows: {list(values)}")
    if conn.dialect.name != "sqlite":
        for table, column, values in checks:
            op.create_check_constraint(
                column, table, condition(column, values, (table, column) in nullable))
        return
    sqls: dict[str, str] = {}
    for table, column, values in checks:
        sql = sqls.get(table) or _sqlite_schema(conn, table)
        end = sql.rstrip().rindex(")")
        sqls[table] = sql[:end].rstrip() + _added_sql(
            table, column, values, (table, column) in nullable) + "\n)"
    _sqlite_rewrite(conn, sqls)


def drop_checks(checks: Sequence[NewCheck], nullable: Collection[tuple[str, str]] = ()) -> None:
    """Undo :func:`add_checks`."""
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        for table, column, _ in checks:
            op.drop_constraint(op.f(f"ck_{table}_{column}"), table, type_="check")
        return
    sqls: dict[str, str] = {}
    for table, column, values in checks:
        sql = sqls.get(table) or _sqlite_schema(conn, table)
        sqls[table] = sql.replace(
            _added_sql(table, column, values, (table, column) in nullable), "")
    _sqlite_rewrite(conn, sqls)
