"""The schema migrates up and down on both databases and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect, select

from edi_posting.db import current_revision, downgrade, drift, head_revision, make_engine, upgrade
from edi_posting.db.models import ACCOUNT_CODES, Base, LedgerAccount


def test_upgrade_from_empty_to_head_then_downgrade_to_base(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    try:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        downgrade(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_migrated_database_has_no_drift_from_the_models(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert drift(engine) == []
    finally:
        engine.dispose()


def test_first_migration_seeds_the_chart_of_accounts(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(LedgerAccount.code, LedgerAccount.name, LedgerAccount.normal_balance)
            ).all()
        assert {code: (name, side) for code, name, side in rows} == ACCOUNT_CODES
    finally:
        engine.dispose()
