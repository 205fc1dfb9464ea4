"""Benchmark: `edi-posting parse FILE --stats` on a synthesized N-claim 835.

A script, not a test (timings do not belong in the test suite).  It writes a valid,
balanced 835 (2-3 service lines per claim with CAS, DTM*472, REF*6R; claim-level CAS on
some claims; a PLB) into a temporary directory, runs the CLI in a subprocess, and prints
claims per second and the child's peak RSS.  Targets: >= 50,000 claims/s, < 100 MB.

    python benchmarks/bench_parse.py --claims 100000
    python benchmarks/bench_parse.py --claims 100000 --profile   # cProfile, in-process
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_CODES = ("99213", "99214", "85025", "80053", "36415", "93000")


def synthesize(path: Path, claims: int, per_set: int = 0) -> int:
    """Write the 835; returns the number of segments.  One ST per `per_set` claims (0 = one)."""
    sets = [claims] if not per_set else [per_set] * (claims // per_set) + (
        [claims % per_set] if claims % per_set else [])
    segments = 0
    with open(path, "w", encoding="ascii") as out:
        out.write("ISA*00*          *00*          *ZZ*PAYERID        *ZZ*PROVIDERID     "
                  "*260101*1200*^*00501*000000001*0*P*:~\n")
        out.write("GS*HP*PAYERID*PROVIDERID*20260101*1200*1*X*005010X221A1~\n")
        first = 0
        for number, size in enumerate(sets, start=1):
            paid = sum(p for _, p in _claims(first, size))  # a first pass: BPR02 comes first
            head = [f"ST*835*{number:04d}*005010X221A1", ("BPR*I*{}*C*ACH*CCP*01*999999999*DA*"
                    "123456*1512345678**01*888888888*DA*654321*20260105"),
                    f"TRN*1*EFT{number:08d}*1512345678", "REF*EV*PROVIDERID", "DTM*405*20260101",
                    "N1*PR*BENCH HEALTH PLAN", "N3*1 MAIN ST", "N4*ANYTOWN*PA*17111",
                    "REF*2U*99999", "PER*BL*CLAIMS*TE*8005551212",
                    "N1*PE*BENCH CLINIC*XX*1234567893", "REF*TJ*123456789", "LX*1"]
            head[1] = head[1].format(_fmt(paid - 100))
            out.write("~\n".join(head) + "~\n")
            count = len(head) + 2  # with the PLB and SE
            for segs, _ in _claims(first, size):  # the second pass writes, claim by claim
                out.write("~\n".join(segs) + "~\n")
                count += len(segs)
            first += size
            out.write(f"PLB*1234567893*20261231*WO:CLAIM1*1.00~\nSE*{count}*{number:04d}~\n")
            segments += count
        out.write(f"GE*{len(sets)}*1~\nIEA*1*000000001~\n")
    return segments + 4


def _fmt(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _claims(first: int, count: int):  # type: ignore[no-untyped-def]
    for n in range(first, first + count):
        line_count = 2 + n % 2
        lines, charge_total, paid_total, pr_total = [], 0, 0, 0
        for i in range(line_count):
            charge = 10000 + (n * 7 + i * 131) % 9000
            contractual, copay = charge // 5, 1500 if i == 0 else 0
            paid = charge - contractual - copay
            charge_total, paid_total, pr_total = charge_total + charge, paid_total + paid, pr_total + copay
            lines.append(f"SVC*HC:{_CODES[(n + i) % 6]}:25*{_fmt(charge)}*{_fmt(paid)}**1")
            lines.append("DTM*472*20251215")
            cas = f"CAS*CO*45*{_fmt(contractual)}"
            lines.append(cas + (f"~CAS*PR*3*{_fmt(copay)}" if copay else ""))
            lines.append(f"REF*6R*{n}-{i + 1}")
            lines.append(f"AMT*B6*{_fmt(charge - contractual)}")
        claim_cas = n % 10 == 0
        if claim_cas:
            paid_total -= 100
        segs = [(f"CLP*PCN{n:09d}*1*{_fmt(charge_total)}*{_fmt(paid_total)}*{_fmt(pr_total)}"
                f"*12*ICN{n:012d}*11*1"),
                f"NM1*QC*1*DOE*JANE****MI*M{n:09d}", "NM1*82*1*SMITH*JOHN****XX*1234567893",
                "DTM*232*20251215", "DTM*233*20251215"]
        if claim_cas:
            segs.append("CAS*OA*23*1.00")
        yield [s for x in segs + lines for s in x.split("~")], paid_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--per-set", type=int, default=0, help="claims per ST..SE (0 = one set)")
    parser.add_argument("--profile", action="store_true", help="cProfile in-process instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.835"
        segments = synthesize(path, args.claims, args.per_set)
        size_mb = path.stat().st_size / 1e6  # not money
        print(f"{args.claims} claims, {segments} segments, {size_mb:.1f} MB")
        if args.profile:
            _profile(path)
            return
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "edi_posting", "parse", str(path), "--stats"],
                              capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started  # not money
        if done.returncode != 0:
            sys.exit(f"parse failed ({done.returncode}): {done.stderr}")
        print(done.stdout)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # not money
        print(f"{elapsed:.2f} s, {args.claims / elapsed:,.0f} claims/s (incl. interpreter "
              f"start-up), peak RSS {peak_mb:.1f} MB")


def _profile(path: Path) -> None:
    from edi_posting.api.documents import stats_document

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.runcall(stats_document, str(path))
    print(f"in-process: {time.perf_counter() - started:.2f} s (with profiler overhead)")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
