"""Engine factory: one place that knows how SQLite and PostgreSQL must be set up.

SQLite: foreign keys on, WAL, a busy timeout, and real transactions.  pysqlite's own
transaction handling issues BEGIN lazily (and not before SELECTs), which breaks
SERIALIZABLE-style reasoning; following SQLAlchemy's documented workaround we turn it off
and emit BEGIN ourselves.  Writers take ``BEGIN IMMEDIATE`` (see :func:`begin_write`)
so two importers never deadlock on a lock upgrade.  PostgreSQL goes through psycopg 3.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DatabaseUnavailableError",
    "begin_write",
    "make_engine",
    "normalize_url",
]

DEFAULT_DATABASE_URL = "sqlite:///edi_posting.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be reached (exit 69)."""


def normalize_url(url: str | None) -> str:
    """Default URL, and `postgresql://` routed to psycopg 3 rather than psycopg2."""
    url = url or DEFAULT_DATABASE_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailableError(f"not a database URL: {url!r}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "do_connect")
    def _private_file(_dialect: Any, _record: Any, _args: Any, _kwargs: Any) -> None:
        # SQLite would create a new database file with the umask's mode (often 0644):
        # create it 0600 first; its -wal/-shm/-journal files take the same mode
        from edi_posting.db.file_privacy import create_private_file, sqlite_file

        database = sqlite_file(engine.url.render_as_string(hide_password=False))
        if database is not None:
            create_private_file(database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            # checkpoint every ~40 MB of WAL instead of ~4 MB: an import commits once per
            # transaction set, and each checkpoint is an fsync (measured: a third of the
            # commit time of a 10,000-claim 835 import goes away)
            cursor.execute("PRAGMA wal_autocheckpoint = 10000")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.info.pop("sqlite_begin", "BEGIN")
        conn.exec_driver_sql(mode)


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write: ``BEGIN IMMEDIATE`` on SQLite.

    Taking the write lock up front means a second writer waits (busy timeout) instead of
    failing later with "database is locked" when its read lock cannot be upgraded.  The
    product writes through :func:`edi_posting.audit.writes.write_transaction`, which adds
    the audit cross-reference before the commit; this is the storage half of it.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.info["sqlite_begin"] = "BEGIN IMMEDIATE"
        with conn.begin():
            yield conn
