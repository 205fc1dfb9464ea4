"""``benchmarks/bench_floor.py`` backs a claim that the speed target is out of reach, so it
must replay every row the engine inserts, not a convenient subset."""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys
from pathlib import Path
from types import ModuleType

import pytest

from edi_posting.testdata.generator import generate

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
OPTIONS = argparse.Namespace(without_indexes=False, without_foreign_keys=False)


@pytest.fixture(scope="module")
def bench_floor() -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module("bench_floor")
    finally:
        sys.path.remove(str(BENCHMARKS))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    out = tmp_path_factory.mktemp("floor") / "set"
    generate(out, 60, seed=5)
    return {kind: sorted(str(p) for p in (out / kind).glob(f"*.{kind}"))
            for kind in ("837", "835")}


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def _sqlite_replay(bench_floor: ModuleType, generated: dict[str, list[str]], scratch: Path
                   ) -> tuple[int, dict[str, int]]:
    claims, seconds, replayed = bench_floor.sqlite_floor(scratch, generated["837"],
                                                         generated["835"], OPTIONS)
    assert seconds > 0
    return claims, {r.table: r.rows for r in replayed if r.rows}


def test_the_floor_replay_leaves_every_table_as_full_as_the_engine_left_it(
        bench_floor: ModuleType, generated: dict[str, list[str]], tmp_path: Path) -> None:
    claims, by_table = _sqlite_replay(bench_floor, generated, tmp_path)

    engine, floor = _counts(tmp_path / "engine.db"), _counts(tmp_path / "floor.db")
    assert floor == engine  # the ledger is append-only: equal counts mean every row replayed
    assert claims == engine["claim_payments"] > 0
    assert by_table["journal_lines"] > by_table["journal_entries"] > 0
    assert sum(by_table.values()) >= 10 * claims


def test_the_postgresql_floor_replays_the_same_rows_as_the_sqlite_one(
        bench_floor: ModuleType, generated: dict[str, list[str]], tmp_path: Path,
        postgres_admin_url: str) -> None:
    _, on_sqlite = _sqlite_replay(bench_floor, generated, tmp_path)

    claims, _, replayed = bench_floor.postgres_floor(postgres_admin_url, generated["837"],
                                                     generated["835"], OPTIONS)

    assert {r.table: r.rows for r in replayed if r.rows} == on_sqlite
    assert claims == on_sqlite["claim_payments"]
