"""Benchmark and proof: several importers posting one generated set into one database at once.

A script, not a test.  It starts ``--importers`` processes at the same moment, each
running ``edi-posting import DIR/837 DIR/835`` (the same files, so every transaction set
is raced for), then checks the database against the set's ``expected.json``:

- every claim's insurance and patient balance is the one the generator computed;
- every claim payment was stored exactly once (the set's count, no duplicate ordinal);
- every process exited 0 or 65 (65: some input rejected, as a single importer would);
- ``ledger check`` and ``audit verify`` pass (the queue owns every open dollar once).

It prints the wall time, each importer's totals and the checks; it exits 1 when a check
fails.  DIR is written by ``edi-posting generate``.

    edi-posting generate --claims 10000 --seed 7 --out /tmp/g10k
    python benchmarks/bench_concurrent.py /tmp/g10k --importers 4 \\
        --postgres-url postgresql+psycopg://edi@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import CLI, postgres_database

_BALANCES = """
    SELECT sc.patient_control_number AS pcn,
           COALESCE(SUM(CASE WHEN la.code = 'insurance_ar' THEN jl.amount_cents END), 0) AS ins,
           COALESCE(SUM(CASE WHEN la.code = 'patient_ar' THEN jl.amount_cents END), 0) AS pat
    FROM submitted_claims sc
    LEFT JOIN journal_lines jl ON jl.submitted_claim_id = sc.id
    LEFT JOIN ledger_accounts la ON la.id = jl.account_id
    GROUP BY sc.patient_control_number"""
_TWICE = """SELECT COUNT(*) FROM (SELECT remittance_id, ordinal FROM claim_payments
            GROUP BY remittance_id, ordinal HAVING COUNT(*) > 1) AS twice"""


def run_importers(url: str, folder: Path, importers: int) -> tuple[float, list[dict[str, Any]]]:
    """Start every importer at once; the wall time and each one's exit code and totals."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDI_POSTING_")}
    started = time.perf_counter()
    procs = [subprocess.Popen(
        [*CLI, "--db", url, "--actor", f"importer{n}", "import", "--format", "json",
         str(folder / "837"), str(folder / "835")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
        for n in range(1, importers + 1)]
    results = []
    for proc in procs:
        out, _ = proc.communicate()
        totals = json.loads(out)["totals"] if out.strip() else {}
        results.append({"exit": proc.returncode, "totals": totals})
    return time.perf_counter() - started, results


def check_expected(url: str, expected: dict[str, Any]) -> list[str]:
    """What differs between the database and the generator's expectations (none: [])."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            got = {r.pcn: (r.ins, r.pat) for r in conn.execute(text(_BALANCES))}
            stored = conn.execute(text("SELECT COUNT(*) FROM claim_payments")).scalar_one()
            twice = conn.execute(text(_TWICE)).scalar_one()
            kinds = Counter(dict(conn.execute(text(
                "SELECT kind, COUNT(*) FROM review_items GROUP BY kind")).all()))
    finally:
        engine.dispose()
    failures = [f"claim {pcn} ({claim['scenario']}): expected {want}, got {got.get(pcn)}"
                for pcn, claim in expected["claims"].items()
                if got.get(pcn) != (want := _cents_pair(claim))]
    if stored != expected["totals"]["claim_payments"] or twice:
        failures.append(f"{stored} claim payments stored ({twice} twice), expected "
                        f"{expected['totals']['claim_payments']}")
    for kind, count in expected["review_counts"].items():
        if kind not in ("lonely_deposit", "silent_era") and kinds[kind] != count:
            failures.append(f"{kinds[kind]} {kind} items, expected {count}")
    return failures


def _cents_pair(claim: dict[str, Any]) -> tuple[int, int]:
    return (int(Decimal(claim["insurance_balance"]) * 100),
            int(Decimal(claim["patient_balance"]) * 100))


def _passes(url: str, *command: str) -> bool:
    return subprocess.run([*CLI, "--db", url, *command], capture_output=True,
                          check=False).returncode == 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder written by `edi-posting generate`")
    parser.add_argument("--importers", type=int, default=4)
    parser.add_argument("--postgres-url", default=os.environ.get("EDI_POSTING_TEST_POSTGRES_URL"),
                        help="a URL allowed to CREATE DATABASE")
    args = parser.parse_args(argv)
    if not args.postgres_url:
        parser.error("give --postgres-url (or set EDI_POSTING_TEST_POSTGRES_URL)")
    expected = json.loads((args.folder / "expected.json").read_text())
    with postgres_database(args.postgres_url, f"bench_concurrent_{os.getpid()}") as url:
        subprocess.run([*CLI, "--db", url, "db", "upgrade"], check=True, capture_output=True)
        seconds, results = run_importers(url, args.folder, args.importers)
        failures = check_expected(url, expected)
        failures += [f"importer {n} exited {r['exit']}" for n, r in enumerate(results, 1)
                     if r["exit"] not in (0, 65)]
        failures += [f"`{c}` failed" for c in ("ledger check", "audit verify")
                     if not _passes(url, *c.split())]
    claims = len(expected["claims"])
    print(f"{args.importers} importers, {claims} claims: {seconds:.1f} s wall "
          f"({claims / seconds:.0f} claims/s, 837s and 835s together)")
    for n, result in enumerate(results, 1):
        print(f"importer {n}: exit {result['exit']}, {result['totals']}")
    print("\n".join(failures) if failures else
          "every claim as expected, every claim payment stored once, ledger and audit clean")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
