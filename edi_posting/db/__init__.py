"""Persistence: the rows (SQLAlchemy models), the engine factory and migrations."""

from edi_posting.db.engine import (
    DEFAULT_DATABASE_URL,
    DatabaseUnavailableError,
    make_engine,
    write_transaction,
)
from edi_posting.db.migration import (
    DatabaseBehindError,
    connect,
    current_revision,
    downgrade,
    drift,
    head_revision,
    upgrade,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "DatabaseBehindError",
    "DatabaseUnavailableError",
    "connect",
    "current_revision",
    "downgrade",
    "drift",
    "head_revision",
    "make_engine",
    "upgrade",
    "write_transaction",
]
