"""The schema migrates up and down on both databases and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect, select, text

from edi_posting.db import current_revision, downgrade, drift, head_revision, make_engine, upgrade
from edi_posting.db.models import ACCOUNT_CODES, Base, LedgerAccount
from edi_posting.match_lookup import DatabaseClaimLookup


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


def test_name_keys_are_filled_in_for_patients_stored_before_they_existed(
    empty_database_url: str,
) -> None:
    """Migration 0007 computes each stored patient's name keys as the match stage compares
    names, so the fallback by name finds patients imported before the upgrade."""
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO patients (id, last_name, first_name, identity_key) VALUES "
                "(1, 'O''Neil', 'Jean-Paul', 'k1'), (2, 'ONEIL', NULL, 'k2')"))
            conn.execute(text(  # more than one page of the fill
                "INSERT INTO patients (id, last_name, first_name, identity_key) "
                "VALUES (:id, 'Doe', 'Ann', :key)"),
                [{"id": n, "key": f"p{n}"} for n in range(10, 5020)])
        upgrade(engine)
        with engine.connect() as conn:
            keys = conn.execute(text(
                "SELECT id, last_name_key, first_name_key FROM patients ORDER BY id")).all()
            assert [tuple(row) for row in keys[:2]] == [(1, "ONEIL", "JEANPAUL"), (2, "ONEIL", "")]
            assert {tuple(row[1:]) for row in keys[2:]} == {("DOE", "ANN")}
            assert len(keys) == 5012
            lookup = DatabaseClaimLookup(conn)
            assert lookup._namesakes("o'neil", "Jean Paul") == [1]
            assert sorted(lookup._namesakes("O NEIL", None)) == [1, 2]
        downgrade(engine, "0006")
        assert "last_name_key" not in {c["name"] for c in inspect(engine).get_columns("patients")}
    finally:
        engine.dispose()
