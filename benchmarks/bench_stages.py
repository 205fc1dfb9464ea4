"""Benchmark: where an 835 import's time goes, stage by stage.

``bench_import.py`` says how fast; this says where to look.  It migrates the database,
imports a generated set's 837s (not timed), then imports its 835s in this process with the
engine's stage functions wrapped by a timer, and prints CPU seconds (``process_time``;
``--wall`` for wall clock) and calls per stage, plus the time spent in each table's COPY
(PostgreSQL) and in every other statement (on PostgreSQL that includes the server's work,
done on another core, which only ``--wall`` shows).  Stages nest (``match_claims`` contains
the look-ups), so the column does not add up; "outside post_remittance" is reading,
parsing and the per-file work.

The wrappers cost about a microsecond per call, so the total runs a few percent above an
unwrapped import.

    edi-posting generate --claims 10000 --out /tmp/g10k
    python benchmarks/bench_stages.py /tmp/g10k
    python benchmarks/bench_stages.py /tmp/g10k --wall --db postgresql+psycopg://edi@127.0.0.1/empty
"""

from __future__ import annotations

import argparse
import collections
import functools
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

# (module, class or None, function, label): the stages of remittance_import.post_remittance
STAGES = [
    ("edi_posting.importing.remittances", None, "post_remittance", "post_remittance"),
    *(("edi_posting.posting.remittances", None, name, name) for name in (
        "seen_before", "_prepare", "find_payer", "match_claims", "load_policy",
        "reserve_set", "decide_claims", "record_set", "find_payee", "store_remittance",
        "_write_entries", "mark_reversed", "_set_reviews", "credit_reviews",
        "resolve_corrections", "open_review_items", "payment_facts")),
    ("edi_posting.ledger.journal", None, "write_entries", "write_entries"),
    *(("edi_posting.matching.lookup", "DatabaseClaimLookup", name, f"lookup.{name}")
      for name in ("by_pcns", "by_pcn_prefixes", "by_member_or_name", "_lines",
                   "_member_ids")),
    *(("edi_posting.matching.claims", None, name, f"matching.{name}") for name in (
        "_decide_by_pcn", "_decide_fallback", "match_lines")),
]

seconds: dict[str, float] = collections.defaultdict(float)
calls: collections.Counter[str] = collections.Counter()


def _timed(function: Callable[..., Any], label: str, clock: Callable[[], float]) -> Any:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[label] += clock() - started
            calls[label] += 1
    return timed


def wrap_stages(clock: Callable[[], float]) -> None:
    for module, cls, name, label in STAGES:
        owner = importlib.import_module(module)
        if cls is not None:
            owner = getattr(owner, cls)
        if not hasattr(owner, name):  # renamed or folded since this list was written
            print(f"bench_stages: {module}.{name} no longer exists; not timed", file=sys.stderr)
            continue
        setattr(owner, name, _timed(getattr(owner, name), label, clock))


def wrap_copies(clock: Callable[[], float]) -> None:
    """Per-table COPY time and all other statements (PostgreSQL's share shows here)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from edi_posting.db import bulk

    copy = bulk._copy

    def timed_copy(conn: Any, statement: str, params: Any) -> None:
        started = clock()
        copy(conn, statement, params)
        seconds[f"COPY {statement.split()[1]}"] += clock() - started

    bulk._copy = timed_copy

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, *_: Any) -> None:
        conn.info["bench_started"] = clock()

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, *_: Any) -> None:
        seconds["statements other than COPY"] += clock() - conn.info.pop("bench_started", clock())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", type=Path, help="a directory written by edi-posting generate")
    parser.add_argument("--db", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--wall", action="store_true", help="wall clock instead of CPU time")
    args = parser.parse_args()
    clock = time.perf_counter if args.wall else time.process_time
    from edi_posting.cli import main as cli

    with tempfile.TemporaryDirectory() as scratch:
        url = args.db or f"sqlite:///{Path(scratch) / 'stages.db'}"
        _run(cli, url, "db", "upgrade")
        _run(cli, url, "import", str(args.set / "837"))
        wrap_stages(clock)
        wrap_copies(clock)
        started = clock()
        _run(cli, url, "import", str(args.set / "835"))
        total = clock() - started
    print(f"{'stage':42} {'seconds':>8} {'calls':>8}")
    for label, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"{label:42} {spent:8.2f} {calls[label] or '':>8}")
    outside = total - seconds["post_remittance"]
    print(f"{'outside post_remittance':42} {outside:8.2f}")
    print(f"{'835 import total':42} {total:8.2f}")
    return 0


def _run(cli: Any, url: str, *command: str) -> None:
    """The import command itself, its summary and progress silenced (exit 1 is normal: a
    generated set holds files meant to be rejected)."""
    with open(os.devnull, "w") as quiet, redirect_stdout(quiet), redirect_stderr(quiet):
        try:
            cli(["--db", url, *command], standalone_mode=False)
        except SystemExit as stop:
            code = stop.code
        else:
            code = 0
    if code not in (0, 1, None):
        print(f"{' '.join(command)} ended with exit {code}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
