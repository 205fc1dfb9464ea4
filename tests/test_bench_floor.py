"""``benchmarks/bench_floor.py`` backs a claim that the speed target is out of reach, so it
must replay every row the engine inserts, not a convenient subset."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from edi_posting.generator import generate

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_the_floor_replay_leaves_every_table_as_full_as_the_engine_left_it(tmp_path: Path
                                                                          ) -> None:
    generate(tmp_path / "set", 60, seed=5)
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_floor
    finally:
        sys.path.remove(str(BENCHMARKS))
    files = {kind: sorted(str(p) for p in (tmp_path / "set" / kind).glob(f"*.{kind}"))
             for kind in ("837", "835")}
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    options = argparse.Namespace(without_indexes=False, without_foreign_keys=False)

    claims, seconds, replayed = bench_floor.sqlite_floor(scratch, files["837"], files["835"],
                                                         options)

    engine, floor = _counts(scratch / "engine.db"), _counts(scratch / "floor.db")
    assert floor == engine  # the ledger is append-only: equal counts mean every row replayed
    assert claims == engine["claim_payments"] > 0
    assert seconds > 0
    by_table = {r.table: r.rows for r in replayed}
    assert by_table["journal_lines"] > by_table["journal_entries"] > 0
    assert sum(by_table.values()) >= 10 * claims
