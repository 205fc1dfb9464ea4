"""`parse` must not change a byte of what it printed before issue 3 (speed work).

The guard: ``tests/data/parse_speed/golden.json`` holds what `edi-posting parse` printed
*before* the speed work (``--stats`` in table, json and jsonl; the full jsonl document;
exit codes and stderr) for the 835s of the shared corpus, a few 837/999/other files,
generated files in ``tests/data/parse_speed``, synthetic benchmark files and ~700
deterministic mutations of them (bad amounts and dates, incomplete CAS/PLB, unbalanced
claims, moved, deleted and duplicated segments, stray envelope segments, flipped bytes,
truncation).  Each case records its input's SHA-256: a case whose input changed (the
corpus moved on) is skipped, not failed.  Regenerate only on purpose, after checking the
diff: ``python -m tests.test_parse_speed_invariants --regenerate``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from tests.corpus_manifest import CORPUS, manifest_rows
from tests.x12build import build_x12

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "parse_speed"
GOLDEN = DATA / "golden.json"
_PLACEHOLDER = "<DIR>"

FUZZ_BODY = """
BPR*I*62*C*ACH*CCP*01*999999999*DA*123*1512345678**01*888888888*DA*456*20260105~
TRN*1*EFT1*1512345678~REF*EV*RCV~DTM*405*20260102~CUR*PR*USD~
N1*PR*ACME PLAN~N3*1 MAIN ST~N4*TOWN*PA*17111~REF*2U*99~PER*CX*DESK*TE*8005551212~
N1*PE*ACME CLINIC*XX*1234567893~
LX*1~TS3*1234567893*11*20261231*2*300*1.00~TS2*2.00*3.00~
CLP*PCN1*1*100*80*10*12*ICN1~NM1*QC*1*DOE*JANE****MI*M1~MOA*1*2*MA01*****3*4~
DTM*232*20251215~
SVC*HC:99213:25*100*80**1*HC:99214~DTM*472*20251215~CAS*CO*45*10~CAS*PR*3*10~REF*6R*L1~
AMT*B6*90~LQ*HE*N130~
CLP*PCN2*22*-200*-8*0*12*ICN2~CAS*CO*45*-192~MIA*1*2*3*4*MA15*6*7~AMT*I*1~QTY*CA*1~
PLB*1234567893*20261231*WO:ICN9*10*L6*-0~
"""

# Values a mutated element may take: bad and good amounts, dates, codes, nothing.
_VALUES = ["", "12.345", "abc", "-5", "0", "1.5", "1.50", "20251340", "20250101", "19000101",
           "99999999.99", " 12.00 ", "1e3", "CO", "PR", "HC:99213", "WO:X", "1,000.00", ".5",
           "-0.01", "12.", "+3", "0.00", "2", "N1", "X" * 30]
# Segments a mutation may insert anywhere.
_INSERTS = ["SE*5*0001", "ST*835*0002*005010X221A1", "GS*HP*A*B*20260101*1200*9*X*005010X221A1",
            "GE*1*1", "IEA*1*000000001", "ISA*00*x", "CUR*PR*CAD", "MOA*1*2.345*MA01",
            "MIA*1*x*3*4.5*MA15", "TS3*1*11*20261399*2*3.333", "TS2*1.1*x", "LX*2",
            "PLB*1*20261231*WO*", "PLB*1*2026*:X*5*L6:Y*bad", "N1*PR*OTHER PLAN",
            "N1*PE*OTHER", "CLP*X*1*1*1", "CLP*Y*4**", "SVC*HC:1*1*1", "SVC*HC:2*5*x",
            "CAS*PR*1*1*1*2*2*2*3*3*3*4*4*4*5*5*5*6*6", "CAS*CO*45", "CAS*CO**5",
            "DTM*472*2025", "DTM*405*20260230", "AMT*B6*1.234", "BPR*I*1*C*CHK", "TRN*1*T2*1",
            "QTY*CA*1", "REF*6R*X", "NM1*QC*1*ROE", "LQ*HE*M1", "PER*BL*X*TE*1", "ZZZ*1",
            "  CLP*P*1*5*5", "12345", ""]


# -- the cases ------------------------------------------------------------------------


def _bench_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_parse", HERE.parent / "benchmarks" / "bench_parse.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _synthetic(tmp: Path, claims: int, per_set: int) -> bytes:
    path = tmp / f"synthetic-{claims}-{per_set}.835"
    if not path.exists():
        _bench_module().synthesize(path, claims, per_set)
    return path.read_bytes()


def base_cases(tmp: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) for every unmutated input."""
    cases: list[tuple[str, bytes]] = []
    if CORPUS.is_dir():
        rows = manifest_rows("835") + manifest_rows("837")[::15] + manifest_rows("999")[:3] + [
            r for r in manifest_rows("") if r["transaction"] == "other"]
        for row in rows:
            path = CORPUS / row["file"]
            if path.is_file():
                cases.append(("corpus/" + row["file"], path.read_bytes()))
    for path in sorted(DATA.glob("*.835")):
        cases.append(("data/" + path.name, path.read_bytes()))
    cases.append(("synthetic/one-set", _synthetic(tmp, 300, 0)))
    cases.append(("synthetic/sets-of-70", _synthetic(tmp, 500, 70)))
    cases.append(("fuzz-body", build_x12(FUZZ_BODY, FUZZ_BODY).encode()))
    cases.append(("fuzz-body-lines", build_x12(FUZZ_BODY, terminator="\n", line_break="",
                                               element="|", component="^").encode()))
    cases.append(("fuzz-body-no-envelope", build_x12(FUZZ_BODY, envelope=False).encode()))
    return cases


def mutate(data: bytes, rng: random.Random) -> bytes:
    """A few random edits to the segments of an X12 file (separators found at its head)."""
    text = data.decode("latin-1")
    head = text.lstrip("\ufeff\xef\xbb\xbf \r\n\t")
    element = head[3] if head.startswith("ISA") else "*"
    terminator = "~" if "~" in text else "\n"
    segments = text.split(terminator)
    for _ in range(rng.randint(1, 4)):
        action = rng.random()
        index = rng.randrange(len(segments))
        if action < 0.45:  # an element takes another value
            elements = segments[index].split(element)
            if len(elements) > 1:
                elements[rng.randrange(1, len(elements))] = rng.choice(_VALUES)
                segments[index] = element.join(elements)
        elif action < 0.55:
            del segments[index]
        elif action < 0.65:
            segments.insert(index, segments[index])
        elif action < 0.72:
            other = rng.randrange(len(segments))
            segments[index], segments[other] = segments[other], segments[index]
        elif action < 0.9:
            segments.insert(index, rng.choice(_INSERTS).replace("*", element))
        elif action < 0.95:
            raw = bytearray(terminator.join(segments).encode("latin-1"))
            raw[rng.randrange(len(raw))] = rng.randrange(256)
            segments = raw.decode("latin-1").split(terminator)
        else:
            segments = segments[: rng.randrange(1, len(segments) + 1)]
    return terminator.join(segments).encode("latin-1")


def all_cases(tmp: Path) -> list[tuple[str, bytes]]:
    cases = base_cases(tmp)
    small = [(n, d) for n, d in cases if len(d) < 200_000 and (
        n.startswith(("data/", "synthetic/", "fuzz")) or "/835/" in f"/{n}")]
    rng = random.Random(20260103)
    mutated = []
    for round_ in range(12):
        for name, data in small:
            mutated.append((f"mutated/{round_}/{name}", mutate(data, rng)))
    return cases + mutated


# -- running the CLI ------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["parse", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def outputs(tmp: Path, name: str, data: bytes) -> dict[str, Any]:
    """What parse prints for one input, paths replaced by a placeholder."""
    path = tmp / (hashlib.sha256(name.encode()).hexdigest()[:16] + ".835")
    path.write_bytes(data)
    found: dict[str, Any] = {"input_sha256": hashlib.sha256(data).hexdigest()}
    for key, args in (("stats_table", ["--stats"]),
                      ("stats_json", ["--stats", "--format", "json"]),
                      ("stats_jsonl", ["--stats", "--format", "jsonl"]),
                      ("full_jsonl", ["--format", "jsonl"])):
        code, out, err = _run([str(path), *args])
        out, err = out.replace(str(tmp), _PLACEHOLDER), err.replace(str(tmp), _PLACEHOLDER)
        found[key] = [code, out if key == "stats_table" else _digest(out), err]
    found["reader"] = reader_digest(data)
    return found


def reader_digest(data: bytes) -> str:
    """Everything the reader yields (sets, segments, positions, problems) at three chunk
    sizes, hashed: chunk boundaries must never change what is read."""
    import io

    from edi_posting.x12.reader import X12Reader

    digest = hashlib.sha256()
    for chunk_size in (16, 777, 1 << 20):
        with X12Reader(io.BytesIO(data), chunk_size=chunk_size) as reader:
            for number, tset in enumerate(reader):
                if number % 2:
                    tset.skip()  # skipped bodies are read and checked all the same
                    segments: list[Any] = []
                else:
                    segments = list(tset)
                digest.update(repr((tset.header, tset.position, segments, tset.segment_count,
                                    tset.is_complete, [p.to_dict() for p in tset.problems],
                                    tset.transaction_id, tset.version)).encode())
            digest.update(repr(([p.to_dict() for p in reader.problems], reader.sha256,
                                reader.bytes_read, reader.segments_read)).encode())
        with X12Reader(io.BytesIO(data), chunk_size=chunk_size) as reader:
            digest.update(repr((list(reader.segments()), [p.to_dict() for p in reader.problems],
                                reader.delimiters)).encode())
    return digest.hexdigest()


def multi_file_outputs(tmp: Path, cases: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Several files in one call: the TOTAL row and the json "files" wrapper."""
    paths = []
    for number, (_name, data) in enumerate(cases):
        path = tmp / f"multi-{number}.835"
        path.write_bytes(data)
        paths.append(str(path))
    found: dict[str, Any] = {"input_sha256": _digest(
        "".join(hashlib.sha256(d).hexdigest() for _, d in cases))}
    for key, args in (("stats_table", ["--stats"]), ("stats_json", ["--stats", "--format", "json"])):
        code, out, err = _run([*paths, *args])
        found[key] = [code, out.replace(str(tmp), _PLACEHOLDER), err.replace(str(tmp), _PLACEHOLDER)]
    return found


def _multi_cases(cases: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    chosen = [c for c in cases if c[0].startswith(("data/", "synthetic/", "fuzz-body"))]
    return chosen + [c for c in cases if c[0].startswith("mutated/0/")][:10]


def compute_golden(tmp: Path) -> dict[str, Any]:
    cases = all_cases(tmp)
    golden = {name: outputs(tmp, name, data) for name, data in cases}
    golden["<multi>"] = multi_file_outputs(tmp, _multi_cases(cases))
    return golden


# -- the tests ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, bytes]]:
    return all_cases(tmp_path_factory.mktemp("cases"))


def _golden() -> dict[str, Any]:
    if not GOLDEN.exists():
        pytest.skip(f"no golden file {GOLDEN}")
    return json.loads(GOLDEN.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize("group", ["corpus/", "data/", "synthetic/", "fuzz", "mutated/"])
def test_parse_prints_exactly_what_it_printed_before(
    group: str, cases: list[tuple[str, bytes]], tmp_path: Path,
) -> None:
    golden = _golden()
    checked, different = 0, []
    for name, data in cases:
        expected = golden.get(name)
        if not name.startswith(group) or expected is None:
            continue
        if expected["input_sha256"] != hashlib.sha256(data).hexdigest():
            continue  # the input itself changed (the corpus moved on)
        checked += 1
        got = outputs(tmp_path, name, data)
        for key in ("stats_table", "stats_json", "stats_jsonl", "full_jsonl", "reader"):
            if got[key] != expected[key]:
                different.append(f"{name} {key}: expected {expected[key]!r}, got {got[key]!r}")
    if checked == 0:
        pytest.skip(f"no {group} case available")
    assert not different, f"{len(different)} of {checked} differ:\n" + "\n".join(different[:10])


def test_several_files_print_exactly_what_they_printed_before(
    cases: list[tuple[str, bytes]], tmp_path: Path,
) -> None:
    expected = _golden()["<multi>"]
    got = multi_file_outputs(tmp_path, _multi_cases(cases))
    if got["input_sha256"] != expected["input_sha256"]:
        pytest.skip("the inputs changed")
    assert got == expected


def _regenerate() -> None:  # pragma: no cover - run by hand, see the module docstring
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        golden = compute_golden(Path(tmp))
    GOLDEN.write_text(json.dumps(golden, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(golden)} cases written to {GOLDEN}")


if __name__ == "__main__":  # pragma: no cover
    if sys.argv[1:] == ["--regenerate"]:
        _regenerate()
    else:
        sys.exit("usage: python -m tests.test_parse_speed_invariants --regenerate")
