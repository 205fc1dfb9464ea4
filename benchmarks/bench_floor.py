"""Benchmark: the storage floor of an 835 import, the fastest the rows could go in.

The engine's speed target is a number of claims per second; this measures what the
database alone needs for the rows an import of those claims writes, so that a target can
be checked against physics before anyone optimises Python towards it.  It

1. migrates a database and imports a generated set's 837s (not timed);
2. copies that database (SQLite: the file; PostgreSQL: CREATE DATABASE ... TEMPLATE);
3. imports the set's 835s into the first database with the engine, timed;
4. inserts the very rows the engine inserted (every row of every table whose id is above
   the copy's highest, parents first) into the copy, with nothing but the driver: one
   ``sqlite3`` ``executemany`` per table, or one psycopg ``COPY`` per table, and a single
   commit at the end (the engine commits once per transaction set, which costs more).

Foreign keys and indexes stay as the schema has them; ``--without-indexes`` drops the
indexes that no unique key needs and ``--without-foreign-keys`` the foreign keys, to show
their share.  Rows the engine updated rather
than inserted are not replayed, so the floor is, if anything, low.

    edi-posting generate --claims 10000 --out /tmp/g10k
    python benchmarks/bench_floor.py /tmp/g10k
    python benchmarks/bench_floor.py /tmp/g10k --postgres-url postgresql+psycopg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench_import import CLI, postgres_database, run_measured
from sqlalchemy import Table, create_engine, text
from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Replayed:
    table: str
    rows: int
    seconds: float  # not money


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path, help="a directory written by edi-posting generate")
    parser.add_argument("--postgres-url", default=os.environ.get("EDI_POSTING_TEST_POSTGRES_URL"),
                        help="admin URL allowed to CREATE DATABASE (default: "
                             "EDI_POSTING_TEST_POSTGRES_URL); without it, SQLite only")
    parser.add_argument("--without-indexes", action="store_true",
                        help="drop the copy's indexes that are not unique keys first")
    parser.add_argument("--without-foreign-keys", action="store_true",
                        help="replay with foreign keys off (SQLite) or dropped (PostgreSQL: "
                             "the constraints and the statement-level key triggers)")
    args = parser.parse_args(argv)
    files_837 = sorted(str(p) for p in (args.set / "837").glob("*.837"))
    files_835 = sorted(str(p) for p in (args.set / "835").glob("*.835"))
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as scratch:
        report("sqlite", *sqlite_floor(Path(scratch), files_837, files_835, args))
    if args.postgres_url:
        report("postgresql", *postgres_floor(args.postgres_url, files_837, files_835, args))
    return 0


def sqlite_floor(scratch: Path, files_837: list[str], files_835: list[str],
                 options: argparse.Namespace) -> tuple[int, float, list[Replayed]]:
    """Leaves ``engine.db`` (the engine's import) and ``floor.db`` (the replay) in scratch."""
    engine_db, floor_db = scratch / "engine.db", scratch / "floor.db"
    _prepare(f"sqlite:///{engine_db}", files_837)
    with sqlite3.connect(engine_db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(engine_db, floor_db)
    claims, seconds = _import_835(f"sqlite:///{engine_db}", files_835)
    source = create_engine(f"sqlite:///{engine_db}")
    target = sqlite3.connect(floor_db, isolation_level=None)
    foreign_keys = "OFF" if options.without_foreign_keys else "ON"
    for pragma in (f"foreign_keys = {foreign_keys}", "journal_mode = WAL",
                   "synchronous = NORMAL"):
        target.execute(f"PRAGMA {pragma}")
    if options.without_indexes:
        for (name,) in target.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                      "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
                                      ).fetchall():
            target.execute(f'DROP INDEX "{name}"')
    replayed = []
    target.execute("BEGIN")
    highest = _highest_keys(lambda sql: target.execute(sql).fetchone()[0])
    for table, rows in _new_rows(source, highest):
        marks = ", ".join("?" * len(rows[0]))
        started = time.perf_counter()
        target.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', rows)
        replayed.append(Replayed(table.name, len(rows), time.perf_counter() - started))
    started = time.perf_counter()
    target.execute("COMMIT")
    replayed.append(Replayed("(commit)", 0, time.perf_counter() - started))
    target.close()
    source.dispose()
    return claims, seconds, replayed


def postgres_floor(admin_url: str, files_837: list[str], files_835: list[str],
                   options: argparse.Namespace) -> tuple[int, float, list[Replayed]]:
    base = f"edi_floor_{os.getpid()}"
    with postgres_database(admin_url, base) as engine_url:
        _prepare(engine_url, files_837)
        with postgres_database(admin_url, f"{base}_floor", template=base) as floor_url:
            claims, seconds = _import_835(engine_url, files_835)
            source, target = create_engine(engine_url), create_engine(floor_url)
            try:
                with target.begin() as conn:
                    _drop_pg_schema_parts(conn, options)
                    highest = _highest_keys(lambda sql: conn.execute(text(sql)).scalar_one())
                    replayed = _copy_rows(conn, _new_rows(source, highest))
                    started = time.perf_counter()  # the commit is the block's exit
                replayed.append(Replayed("(commit)", 0, time.perf_counter() - started))
            finally:  # open pooled connections would keep the databases from being dropped
                source.dispose()
                target.dispose()
    return claims, seconds, replayed


def _copy_rows(conn: Any, tables: Iterator[tuple[Table, list[tuple[Any, ...]]]]
               ) -> list[Replayed]:
    from psycopg.types.json import Json

    raw = conn.connection.driver_connection
    replayed = []
    for table, rows in tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        started = time.perf_counter()
        with raw.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([Json(v) if isinstance(v, dict | list) else v for v in row])
        replayed.append(Replayed(table.name, len(rows), time.perf_counter() - started))
    return replayed


def _drop_pg_schema_parts(conn: Any, options: argparse.Namespace) -> None:
    if options.without_foreign_keys:
        for table, name in conn.execute(text(
                "SELECT conrelid::regclass::text, conname FROM pg_constraint "
                "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")):
            conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for table, name in conn.execute(text(  # the keys migration 0014 checks per statement
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE '%\\_fk\\_%'")):
            conn.execute(text(f'DROP TRIGGER "{name}" ON {table}'))
    if not options.without_indexes:
        return
    names = conn.execute(text(
        "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "JOIN pg_namespace n ON n.oid = i.relnamespace "
        "WHERE n.nspname = current_schema() AND NOT x.indisunique")).scalars().all()
    for name in names:
        conn.execute(text(f'DROP INDEX "{name}"'))


def _tables() -> list[Table]:
    """Parents before children, so the replay satisfies every foreign key as it goes."""
    import edi_posting.db.models  # noqa: F401 - registers every table
    from edi_posting.db.base import Base

    return [t for t in Base.metadata.sorted_tables if len(t.primary_key.columns) == 1
            and next(iter(t.primary_key.columns)).type.python_type is int]


def _key(table: Table) -> str:
    """The one-column primary key rows are appended by (``id``; ``sequence`` for audit)."""
    return next(iter(table.primary_key.columns)).name


def _highest_keys(scalar: Callable[[str], int]) -> dict[str, int]:
    """Each table's highest key in the copy (``scalar`` runs one query on its connection):
    the engine's rows are the ones above it."""
    return {t.name: int(scalar(f'SELECT coalesce(max("{_key(t)}"), 0) FROM "{t.name}"'))
            for t in _tables()}


def _new_rows(source: Engine, highest: dict[str, int]
              ) -> Iterator[tuple[Table, list[tuple[Any, ...]]]]:
    """Each table's rows the engine inserted, in the table's column order."""
    with source.connect() as conn:
        for table in _tables():
            names = ", ".join(f'"{c.name}"' for c in table.columns)
            rows = conn.exec_driver_sql(
                f'SELECT {names} FROM "{table.name}" '
                f'WHERE "{_key(table)}" > {highest[table.name]} '
                f'ORDER BY "{_key(table)}"').all()
            if rows:
                yield table, [tuple(row) for row in rows]


def _prepare(url: str, files_837: list[str]) -> None:
    env = {"EDI_POSTING_DATABASE_URL": url}
    for command in (["db", "upgrade"], ["import", *files_837]):
        code, _, _, message = run_measured([*CLI, *command], env)
        if code not in (0, 1):
            raise SystemExit(f"{command[0]} failed ({code}): {message}")


def _import_835(url: str, files_835: list[str]) -> tuple[int, float]:
    code, seconds, _, message = run_measured([*CLI, "import", *files_835],
                                             {"EDI_POSTING_DATABASE_URL": url})
    if code not in (0, 1):
        raise SystemExit(f"import 835 failed ({code}): {message}")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            claims = conn.execute(text("SELECT count(*) FROM claim_payments")).scalar_one()
    finally:
        engine.dispose()  # a pooled connection left open would keep DROP DATABASE waiting
    return int(claims), seconds


def report(backend: str, claims: int, engine_seconds: float,
           replayed: list[Replayed]) -> None:
    rows = sum(r.rows for r in replayed)
    floor = sum(r.seconds for r in replayed)
    print(f"\n{backend}: {claims:,} claim payments, {rows:,} rows "
          f"({rows / max(claims, 1):.1f} per claim)")
    print(f"{'table':28} {'rows':>9} {'seconds':>8} {'us/row':>7}")
    for r in sorted(replayed, key=lambda r: -r.seconds):
        per_row = f"{r.seconds / r.rows * 1e6:7.1f}" if r.rows else ""
        print(f"{r.table:28} {r.rows:9,} {r.seconds:8.3f} {per_row:>7}")
    print(f"{'storage floor':28} {'':9} {floor:8.3f}   -> at most "
          f"{claims / floor:,.0f} claims/s")
    print(f"{'engine import 835 (wall)':28} {'':9} {engine_seconds:8.3f}   -> "
          f"{claims / engine_seconds:,.0f} claims/s")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
