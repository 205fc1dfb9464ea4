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

__all__ = ["IN_CHUNK", "IdPool", "in_chunks", "insert_rows", "insert_tuples", "insert_with_ids",
           "new_id", "reserve_blocks", "reserve_ids", "text_limits"]

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


def reserve_blocks(conn: Connection, counts: Sequence[tuple[Table, int]]) -> list[list[int]]:
    """Fresh ids for several tables in one round trip (one transaction set's rows), in the
    order asked.  On SQLite the ids are only safe while this transaction writes nothing
    else into those tables before using them."""
    if conn.dialect.name == "postgresql":
        return _pg_blocks(conn, counts)
    wanted = [(table, count) for table, count in counts if count > 0]
    starts: dict[str, int] = {}
    if wanted:
        quote = conn.dialect.identifier_preparer.quote
        sql = "SELECT " + ", ".join(
            f"(SELECT coalesce(max(id), 0) FROM {quote(t.name)})" for t, _ in wanted)
        row = conn.exec_driver_sql(sql).one()
        starts = {t.name: int(v) + 1 for (t, _), v in zip(wanted, row, strict=True)}
    return [list(range(starts[t.name], starts[t.name] + n)) if n > 0 else []
            for t, n in counts]


def _pg_blocks(conn: Connection, counts: Sequence[tuple[Table, int]]) -> list[list[int]]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    for k, (table, count) in enumerate(counts):
        # every table, even with nothing to reserve: one statement text per call site,
        # which psycopg prepares once instead of PostgreSQL planning it per set
        parts.append(f"SELECT {k} AS k, nextval(pg_get_serial_sequence(:t{k}, 'id')) AS id "
                     f"FROM generate_series(1, :n{k})")
        params |= {f"t{k}": table.name, f"n{k}": max(count, 0)}
    blocks: list[list[int]] = [[] for _ in counts]
    if any(count > 0 for _, count in counts):
        for k, ident in conn.execute(text(" UNION ALL ".join(parts)), params):
            blocks[k].append(int(ident))
    return [sorted(block) for block in blocks]


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
    """One driver-level executemany for rows that all carry the same keys."""
    if not rows:
        return
    keys = list(rows[0])
    getter = operator.itemgetter(*keys)
    values = [(getter(row),) for row in rows] if len(keys) == 1 else [getter(row) for row in rows]
    insert_tuples(conn, table, keys, values)


def insert_tuples(conn: Connection, table: Table, columns: Sequence[str],
                  rows: Sequence[tuple[Any, ...]], *, clip: bool = False) -> None:
    """Rows already in ``columns`` order: the hot path's form (no dict per row).

    Values go through each column type's bind processor (dates on SQLite, JSON), exactly
    as SQLAlchemy would; what is skipped is its per-row parameter bookkeeping, which costs
    more than the database's own work at import volumes.  With ``clip``, text longer than
    its column is cut to fit (a payer's overlong element must not fail the set).
    """
    if not rows:
        return
    dialect = conn.dialect
    params = _clipped(table, columns, rows) if clip else rows
    processors = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in columns]
    params = _converted(params, processors)
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(k) for k in columns)
    if dialect.name == "postgresql":
        _copy(conn, f"COPY {quote(table.name)} ({names}) FROM STDIN", params)
    else:
        mark = "?" if dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({names}) "
                             f"VALUES ({', '.join([mark] * len(columns))})", params)


def text_limits(table: Table) -> dict[str, int]:
    """Column name -> declared length, for the columns that have one."""
    return {c.name: c.type.length for c in table.columns  # type: ignore[attr-defined]
            if isinstance(getattr(c.type, "length", None), int)}


def _clipped(table: Table, columns: Sequence[str],
             rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple[Any, ...]]:
    """Checked a column at a time with built-ins: almost every set has nothing to cut, and
    finding that out must cost far less than a Python call per value."""
    limits = text_limits(table)
    cut = [(i, limits[name]) for i, name in enumerate(columns) if name in limits]
    if not cut:
        return rows
    by_column = list(zip(*rows))
    over = [(i, length) for i, length in cut
            if max(map(len, filter(None, by_column[i])), default=0) > length]
    if not over:
        return rows
    fixed = []
    for row in rows:
        values = list(row)
        for i, length in over:
            if values[i] is not None:
                values[i] = values[i][:length]
        fixed.append(tuple(values))
    return fixed


def _converted(rows: Sequence[tuple[Any, ...]],
               processors: list[Any]) -> Sequence[tuple[Any, ...]]:
    """Only the columns with a bind processor pay for it (most of ours are integers and
    strings, which need none)."""
    converting = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
    if not converting:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for i, proc in converting:
            if values[i] is not None:
                values[i] = proc(values[i])
        converted.append(tuple(values))
    return converted


def _copy(conn: Connection, statement: str, params: Sequence[tuple[Any, ...]]) -> None:
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
