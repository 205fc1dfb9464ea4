"""`audit head` prints the chain head for a nightly export kept out of the application's
reach; `audit verify` accepts that export back (any format, or the bare hash) and catches a
chain cut off after it was taken."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from edi_posting.audit.events import GENESIS_HASH, record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine


@pytest.fixture
def chained(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    _record(engine, 3)
    yield engine
    engine.dispose()


def _record(engine: Engine, events: int) -> None:
    with write_transaction(engine) as conn:
        for n in range(events):
            record_event(conn, actor="ada", action="test.event", outcome="ok",
                         object_type="claim", object_id=f"PCN{n}")


def _cli(db: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(main, ["--db", db, *args], env=env)


def _verified_head(db: str) -> str:
    result = _cli(db, "audit", "verify")
    assert result.exit_code == 0, result.output
    return str(result.stdout.split()[1])


def test_audit_head_prints_sequence_and_hash_in_each_format(chained: Engine,
                                                            database_url: str) -> None:
    head = _verified_head(database_url)
    as_json = json.loads(_cli(database_url, "audit", "head", "--format", "json").stdout)
    assert [(r["sequence"], r["hash"]) for r in as_json] == [(3, head)]
    as_csv = list(csv.DictReader(io.StringIO(
        _cli(database_url, "audit", "head", "--format", "csv").stdout)))
    assert [(r["sequence"], r["hash"]) for r in as_csv] == [("3", head)]
    table = _cli(database_url, "audit", "head").stdout.splitlines()
    assert table[0].split() == ["sequence", "hash", "at"] and table[1].split()[:2] == ["3", head]


def test_audit_head_of_an_empty_chain_is_the_genesis_hash(database_url: str) -> None:
    rows = json.loads(_cli(database_url, "audit", "head", "--format", "json").stdout)
    assert [(r["sequence"], r["hash"]) for r in rows] == [(0, GENESIS_HASH)]


@pytest.mark.parametrize("output_format", ["json", "csv", "table", "bare"])
def test_verify_accepts_the_exported_head_and_catches_a_cut_chain(
        chained: Engine, database_url: str, tmp_path: Path, output_format: str) -> None:
    exported = tmp_path / "head.txt"
    if output_format == "bare":
        exported.write_text(_verified_head(database_url) + "\n")
    else:
        exported.write_text(_cli(database_url, "audit", "head", "--format",
                                 output_format).stdout)
    _record(chained, 2)  # the chain grows after the export: still fine
    ok = _cli(database_url, "audit", "verify", "--expect-head-file", str(exported))
    assert ok.exit_code == 0, ok.output
    with write_transaction(chained) as conn:  # cut the chain back before the exported head
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
        conn.exec_driver_sql("DELETE FROM audit_events WHERE sequence >= 3")
    cut = _cli(database_url, "audit", "verify", env={"EDI_POSTING_EXPECT_HEAD_FILE": str(exported)})
    assert cut.exit_code == 1 and "is not in the chain" in cut.stderr


def test_verify_takes_the_exported_json_as_expect_head_too(chained: Engine,
                                                           database_url: str) -> None:
    exported = _cli(database_url, "audit", "head", "--format", "json").stdout
    assert _cli(database_url, "audit", "verify", "--expect-head", exported).exit_code == 0


def test_verify_refuses_a_head_file_without_a_head(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "head.json"
    bad.write_text('{"note": "no hash here"}')
    result = _cli(database_url, "audit", "verify", "--expect-head-file", str(bad))
    assert result.exit_code == 65
    assert result.stderr.startswith(f"edi-posting: {bad}: expected one 64-digit SHA-256")
    missing = _cli(database_url, "audit", "verify", "--expect-head-file", str(tmp_path / "nope"))
    assert missing.exit_code == 66
