"""Bulk writes for the import hot path: ids reserved per batch, rows inserted by
``executemany`` (no RETURNING round trip per row).

Why: ``INSERT ... RETURNING`` over many rows falls back to one statement per row on
SQLite when SQLAlchemy cannot prove the order of the returned ids, and child rows need
their parents' ids.  So the ids are reserved first, in one statement, and every row is
written with its id:

* SQLite: the caller holds the write lock (``BEGIN IMMEDIATE``), so ``max(id) + 1 ..`` is
  ours alone; an ``INTEGER PRIMARY KEY`` accepts explicit ids.
* PostgreSQL: ``nextval`` of the column's sequence over ``generate_series`` reserves a block
  that no concurrent writer can get; rows go in with ``COPY ... FROM STDIN``.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Connection, CursorResult, Table, func, select, text

__all__ = ["IN_CHUNK", "IdPool", "in_chunks", "insert_rows", "insert_with_ids", "new_id",
           "reserve_ids"]

_T = TypeVar("_T")
IN_CHUNK = 500  # bind parameters per IN list: well under SQLite's and PostgreSQL's limits


def reserve_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """``count`` fresh primary keys for ``table``, ascending."""
    if count <= 0:
        return []
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) "
                 "FROM generate_series(1, :n)"), {"t": table.name, "n": count}
        ).scalars().all()
        return sorted(int(r) for r in rows)
    start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    return list(range(start, start + count))


def in_chunks(values: Sequence[_T], size: int = IN_CHUNK) -> Iterator[Sequence[_T]]:
    """``values`` in slices small enough for one IN list each (batched look-ups)."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def new_id(result: CursorResult[Any]) -> int:
    """The primary key a single-row INSERT just created."""
    key = result.inserted_primary_key
    assert key is not None, "not a single-row INSERT"
    return int(key[0])


class IdPool:
    """Ids handed out one at a time for rows written later in the same transaction, when
    the count is not known up front (how many patients of a set are new).

    PostgreSQL reserves them from the sequence in chunks (gaps are harmless); SQLite, whose
    writer holds the database lock for the whole transaction, counts on from max(id).
    """

    def __init__(self, conn: Connection, table: Table, chunk: int = 256) -> None:
        self._conn, self._table, self._chunk = conn, table, chunk
        self._ids: list[int] = []
        self._next: int | None = None

    def take(self) -> int:
        if not self._ids:
            if self._conn.dialect.name == "postgresql":
                self._ids = reserve_ids(self._conn, self._table, self._chunk)[::-1]
            else:
                if self._next is None:
                    self._next = reserve_ids(self._conn, self._table, 1)[0]
                self._ids = list(range(self._next + self._chunk - 1, self._next - 1, -1))
                self._next += self._chunk
        return self._ids.pop()


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """One driver-level executemany for rows that all carry the same keys.

    Values go through each column type's bind processor (dates on SQLite, JSON), exactly
    as SQLAlchemy would; what is skipped is its per-row parameter bookkeeping, which costs
    more than the database's own work at import volumes.
    """
    if not rows:
        return
    keys = list(rows[0])
    dialect = conn.dialect
    processors = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
    quote = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(k) for k in keys)}) "
           f"VALUES ({', '.join([mark] * len(keys))})")
    params = _parameters(rows, keys, processors)
    if dialect.name == "postgresql":
        _copy(conn, f"COPY {quote(table.name)} ({', '.join(quote(k) for k in keys)}) "
                    "FROM STDIN", params)
    else:
        conn.exec_driver_sql(sql, params)


def _parameters(rows: Sequence[dict[str, Any]], keys: list[str],
                processors: list[Any]) -> list[tuple[Any, ...]]:
    """Row tuples in ``keys`` order; only the columns with a bind processor pay for it
    (most of ours are integers and strings, which need none)."""
    getter = operator.itemgetter(*keys)
    if len(keys) == 1:
        params = [(getter(row),) for row in rows]
    else:
        params = [getter(row) for row in rows]
    converting = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    if not converting:
        return params
    converted = []
    for row_values in params:
        values = list(row_values)
        for i, proc in converting:
            if values[i] is not None:
                values[i] = proc(values[i])
        converted.append(tuple(values))
    return converted


def _copy(conn: Connection, statement: str, params: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY, inside the connection's current transaction: an order of
    magnitude faster than executemany for thousands of rows."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in params:
            copy.write_row(row)


def insert_with_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Give each row a reserved id, insert them all, return the ids in row order."""
    ids = reserve_ids(conn, table, len(rows))
    for row, ident in zip(rows, ids, strict=True):
        row["id"] = ident
    insert_rows(conn, table, rows)
    return ids
