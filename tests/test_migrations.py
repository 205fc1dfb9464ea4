"""The schema migrates up and down on both databases and matches the models."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import inspect, select, text

from edi_posting.db.engine import make_engine
from edi_posting.db.migration import current_revision, downgrade, drift, head_revision, upgrade
from edi_posting.db.models import ACCOUNT_CODES, Base, LedgerAccount
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import ImportOptions
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.x12.remit835.file import RemittanceSetRead, read_remittance_file
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit


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


def test_sets_stored_under_the_old_835_key_still_refuse_a_reimport(
    empty_database_url: str, tmp_path: Path
) -> None:
    """Migration 0008 rewrites ``payer|TRN02|BPR02|BPR16|occurrence`` keys to
    ``payer|TRN02``; the rows the old key let in twice keep their place under
    ``<key>|legacy:<id>``, and the set re-sent (digest stored with ST02) is still
    ``already_imported``."""
    text_835 = build_x12(remit("80", clp("PCN1", "1", "100", "80")))
    path = write_x12(tmp_path, text_835, "old.835")
    read = next(iter(read_remittance_file(path, "f" * 64)))
    assert isinstance(read, RemittanceSetRead) and read.legacy_sha256
    changed = write_x12(tmp_path, build_x12(remit("90", clp("PCN1", "1", "100", "90"))),
                        "changed.835")
    read_changed = next(iter(read_remittance_file(changed, "f" * 64)))
    assert isinstance(read_changed, RemittanceSetRead)
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0007")
        old = "835|1512345678|TRACE1|{}|2026-03-10|{}"
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO received_files (sha256, file_name, size_bytes, kind, content, "
                "status, received_by) VALUES (:sha, 'old.835', 1, '835', :b, 'imported', 't')"),
                {"sha": "e" * 64, "b": b"x"})
            file_id = conn.execute(text("SELECT id FROM received_files")).scalar_one()
            conn.execute(text(
                "INSERT INTO transaction_sets (id, file_id, kind, control_number, identity_key, "
                "content_sha256, segment_position, segment_count, status, imported_by) "
                "VALUES (:id, :file, '835', '0001', :key, :sha, 3, 20, 'posted', 't')"),
                [{"id": n, "file": file_id, "key": key, "sha": sha} for n, key, sha in (
                    (1, old.format(8000, 1), read.legacy_sha256),
                    (2, old.format(8000, 2), read.legacy_sha256),
                    (3, old.format(9000, 1), read_changed.legacy_sha256),
                    (4, "835|ACME||5000|2026-03-11|1", "d" * 64))])
            conn.execute(text(
                "INSERT INTO remittances (transaction_set_id, handling_code, payment_cents, "
                "credit_debit, payment_method, payment_date, trace_number, status) "
                "VALUES (:ts, 'I', :cents, 'C', 'ACH', :date, 'TRACE1', 'posted')"),
                [{"ts": ts, "cents": cents, "date": dt.date(2026, 3, 10)}
                 for ts, cents in ((1, 8000), (2, 8000), (3, 9000))])
        upgrade(engine)
        with engine.connect() as conn:
            keys = conn.execute(text(
                "SELECT identity_key FROM transaction_sets ORDER BY id")).scalars().all()
        assert keys == ["835|1512345678|TRACE1", "835|1512345678|TRACE1|legacy:2",
                        "835|1512345678|TRACE1|legacy:3", "835|ACME||5000|2026-03-11"]
        for resent in (path, changed):  # the second is found beside the key, as legacy:3
            again = import_file(engine, resent, ImportOptions(actor="t"))
            assert (again.set_statuses, again.posted) == (["already_imported"], 0)
        downgrade(engine, "0007")
        with engine.connect() as conn:
            keys = conn.execute(text(
                "SELECT identity_key FROM transaction_sets ORDER BY id")).scalars().all()
        assert keys == [old.format(8000, 1), old.format(8000, 2), old.format(9000, 1),
                        "835|ACME||5000|2026-03-11|1"]
    finally:
        engine.dispose()
