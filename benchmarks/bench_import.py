"""Benchmark: generate N claims, then time parsing and importing them, per backend.

A script, not a test (timings do not belong in the test suite).  For each size it runs,
each in its own subprocess so the peak RSS is that step's alone (``os.wait4``):

    generate     edi-posting generate --claims N --out TMP
    parse        edi-posting parse --stats on every 835 (when the command exists)
    import 837   edi-posting import of the 837s, on SQLite (a temporary file) and on
    import 835   PostgreSQL when EDI_POSTING_TEST_POSTGRES_URL or --postgres-url is set
                 (a fresh database per run, CREATE DATABASE ... / DROP DATABASE)

and prints one table (step, backend, claims, seconds, claims/s, us per claim, peak RSS MB)
and, with --json-out, the same rows as JSON.  A step whose command fails or does not exist
yet is reported as "n/a" with the reason; the run goes on.

    python benchmarks/bench_import.py --sizes 1000,10000
    EDI_POSTING_TEST_POSTGRES_URL=postgresql+psycopg://postgres@localhost/postgres \\
        python benchmarks/bench_import.py --sizes 100000 --json-out bench.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "edi_posting"]


@dataclass(frozen=True)
class Row:
    step: str
    backend: str
    claims: int
    seconds: float | None  # not money
    claims_per_second: float | None  # not money
    us_per_claim: float | None  # not money
    peak_rss_mb: float | None  # not money
    note: str = ""


def run_measured(args: Sequence[str], env: dict[str, str] | None = None,
                 cwd: Path | None = None) -> tuple[int, float, float, str]:
    """(exit code, wall seconds, peak RSS MB of the child, last stderr line)."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        process = subprocess.Popen(list(args), stdout=out, stderr=err, cwd=cwd,
                                   env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started  # not money
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = [ln for ln in err.read().decode("utf-8", "replace").splitlines() if ln.strip()]
    peak = usage.ru_maxrss / 1024  # not money; kilobytes on Linux
    return process.returncode, seconds, peak, lines[-1] if lines else ""


def measured_row(step: str, backend: str, claims: int, args: Sequence[str],
                 env: dict[str, str] | None = None) -> Row:
    code, seconds, peak, last = run_measured(args, env)
    if code != 0:
        return Row(step, backend, claims, None, None, None, None,
                   f"n/a: exit {code}: {last[:160]}")
    rate = claims / seconds if seconds else None  # not money
    return Row(step, backend, claims, round(seconds, 3), round(rate, 1) if rate else None,
               round(seconds * 1e6 / claims, 1), round(peak, 1), last[:80])


def command_exists(name: str) -> bool:
    code, _, _, _ = run_measured([*CLI, name, "--help"])
    return code == 0


@contextmanager
def postgres_database(admin_url: str, name: str, template: str | None = None) -> Iterator[str]:
    """A fresh database for one run (a copy of ``template`` when given), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        copy_of = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(engine, name)
        engine.dispose()


def _drop_database(engine: Any, name: str) -> None:
    """Dropped once autovacuum has left it (a role that is not superuser may not end an
    autovacuum worker, so FORCE can fail); a database left behind is reported, not fatal:
    the measured rows are already taken."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    for attempt in range(10):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            return
        except DBAPIError:
            time.sleep(1 + attempt)
    print(f"warning: could not drop benchmark database {name}", file=sys.stderr)


def import_rows(backend: str, url: str, claims: int, files_837: list[str],
                files_835: list[str]) -> list[Row]:
    env = {"EDI_POSTING_DATABASE_URL": url}  # never a password on the command line
    upgrade = measured_row("db upgrade", backend, claims, [*CLI, "db", "upgrade"], env)
    if upgrade.seconds is None:
        return [upgrade]
    return [measured_row("import 837", backend, claims, [*CLI, "import", *files_837], env),
            measured_row("import 835", backend, claims, [*CLI, "import", *files_835], env)]


def bench_size(claims: int, seed: int, postgres_url: str | None, has_parse: bool) -> list[Row]:
    work = Path(tempfile.mkdtemp(prefix=f"bench-import-{claims}-"))
    try:
        out = work / "set"
        rows = [measured_row("generate", "-", claims, [
            *CLI, "generate", "--claims", str(claims), "--seed", str(seed), "--out", str(out)])]
        files_837 = sorted(str(p) for p in (out / "837").glob("*.837"))
        files_835 = sorted(str(p) for p in (out / "835").glob("*.835"))
        if not files_837:
            return rows
        if has_parse:
            rows.append(measured_row("parse --stats", "-", claims,
                                     [*CLI, "parse", "--stats", *files_835]))
        else:
            rows.append(Row("parse --stats", "-", claims, None, None, None, None,
                            "n/a: no `parse` command yet"))
        rows += import_rows("sqlite", f"sqlite:///{work / 'bench.db'}", claims, files_837,
                            files_835)
        if postgres_url:
            name = f"edi_bench_{os.getpid()}_{claims}"
            try:
                with postgres_database(postgres_url, name) as url:
                    rows += import_rows("postgresql", url, claims, files_837, files_835)
            except Exception as exc:  # noqa: BLE001 - unreachable server, no CREATE DATABASE right
                rows.append(Row("import", "postgresql", claims, None, None, None, None,
                                f"n/a: {type(exc).__name__}: {str(exc)[:120]}"))
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def print_table(rows: Sequence[Row]) -> None:
    header = ("step", "backend", "claims", "seconds", "claims/s", "us/claim", "peak RSS MB")
    cells = [header] + [(r.step, r.backend, str(r.claims), *(
        "n/a" if v is None else f"{v:,}" for v in (
            r.seconds, r.claims_per_second, r.us_per_claim, r.peak_rss_mb))) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    for row, line in zip([None, *rows], cells):
        text = "  ".join(v.rjust(w) if i >= 2 else v.ljust(w)
                         for i, (v, w) in enumerate(zip(line, widths)))
        note = f"  {row.note}" if row is not None and row.note.startswith("n/a") else ""
        print(text + note)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="comma-separated claim counts (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default=os.environ.get("EDI_POSTING_TEST_POSTGRES_URL"),
                        help="admin URL allowed to CREATE DATABASE "
                             "(default: $EDI_POSTING_TEST_POSTGRES_URL)")
    parser.add_argument("--json-out", type=Path, default=None, help="write the rows as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    has_parse = command_exists("parse")
    rows: list[Row] = []
    for claims in sizes:
        print(f"benchmarking {claims:,} claims ...", file=sys.stderr)
        rows += bench_size(claims, args.seed, args.postgres_url, has_parse)
    print_table(rows)
    if args.json_out is not None:
        args.json_out.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
