"""Alembic environment: runs on the engine handed over by edi_posting.db.migration.

``render_as_batch`` lets ALTERs work on SQLite (table copy) and is a no-op on PostgreSQL;
the metadata's naming convention gives every constraint the same name on both.
"""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SAWarning

from edi_posting.db.models import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` CLI use
        from edi_posting.db.engine import make_engine

        url = config.get_main_option("sqlalchemy.url")
        return make_engine(url) if url else create_engine("sqlite:///edi_posting.db")
    return engine  # type: ignore[no-any-return]


def run_migrations_online() -> None:
    engine = _engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction(), warnings.catch_warnings():
            # Between 0007 and 0003 on the way down, SQLite batch steps reflect tables that
            # refer to patients, whose expression index (0003's) SQLAlchemy cannot reflect.
            # The index is not on a table being copied, so nothing is lost: say nothing.
            warnings.filterwarnings("ignore", category=SAWarning, message=(
                "Skipped unsupported reflection of expression-based index "
                "ix_patients_last_name_upper"))
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
