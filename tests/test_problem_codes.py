"""Problem codes are a closed set: :class:`ProblemCode`, never a string literal.

A code is stored (``review_items.problem_code``), shown to people and matched on by code
(``HOLDING_SET_CODES``, ``REMATCH_CODES`` ...): a misspelt literal would silently never
match.  The enum names every code; mypy proves no ``str`` reaches ``Problem.code``; these
tests prove the names are well formed, that no literal slipped past the type (the source
scan), and that what real and deliberately bad files produce is always a member.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from edi_posting.codes.check835 import code_list_problem
from edi_posting.codes.records import CodeListName, CodeVerdict
from edi_posting.db.models import ReviewItem
from edi_posting.intake.checks import intake_checks
from edi_posting.records.problems import Problem, ProblemCode
from edi_posting.x12.ack_records import (
    ElementCode,
    GroupCode,
    InterchangeCode,
    SegmentCode,
    SetCode,
)
from edi_posting.x12.claim837.file import read_claim_file
from edi_posting.x12.remit835.parser import parse_835
from edi_posting.x12.validation.validator import validate_path
from tests.corpus_manifest import CORPUS, manifest_rows
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc

PACKAGE = Path(__file__).resolve().parents[1] / "edi_posting"
_UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")
_VALIDATE_BELOW = 20_000  # bytes: pyx12 takes minutes on the big production-style files


def test_every_problem_code_is_upper_snake_and_unique() -> None:
    values = [member.value for member in ProblemCode]
    assert [v for v in values if not _UPPER_SNAKE.match(v)] == []
    assert len(values) == len(set(values))
    assert all(member.name == member.value for member in ProblemCode)


@pytest.mark.parametrize("table", [SegmentCode, ElementCode, SetCode, GroupCode, InterchangeCode])
def test_every_x12_acknowledgment_code_names_a_problem_code(table: type[SetCode]) -> None:
    """A finding is named after its X12 table member: each name is a member here."""
    assert [m.problem for m in table] == [ProblemCode[m.name] for m in table]


def test_every_code_list_verdict_composes_a_member_and_nothing_else_does() -> None:
    verdicts = [v for v in CodeVerdict if v is not CodeVerdict.ACTIVE]
    codes = {code_list_problem(v, name) for v in verdicts for name in CodeListName}
    assert len(codes) == len(verdicts) * len(CodeListName)
    assert ProblemCode.INVALID_CARC in codes and ProblemCode.UNKNOWN_ADJUSTMENT_GROUP in codes
    with pytest.raises(ValueError):
        code_list_problem(CodeVerdict.ACTIVE, CodeListName.CARC)


def _literal_codes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``Problem("X", ...)``, ``Problem(code="X")``, ``problem_code="X"`` and a screaming
    literal passed first to a ``*problem*`` helper: where a problem code is expected."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) else "")
        at = 1 if name == "Finding" else 0  # Finding(x12_code, name, message)
        first = node.args[at] if len(node.args) > at else None
        expects_code = (name in ("Problem", "Finding", "DelimiterError")
                        or "problem" in name.lower())
        if (expects_code and isinstance(first, ast.Constant) and isinstance(first.value, str)
                and _UPPER_SNAKE.match(first.value) and "_" in first.value):
            yield node.lineno, first.value
        for keyword in node.keywords:
            if (keyword.arg in ("code", "problem_code", "name")
                    and isinstance(keyword.value, ast.Constant)
                    and isinstance(keyword.value.value, str)
                    and _UPPER_SNAKE.match(keyword.value.value)):
                yield node.lineno, keyword.value.value


def test_no_string_literal_is_passed_where_a_problem_code_is_expected() -> None:
    found = sorted(
        f"{path.relative_to(PACKAGE)}:{line}: {value}"
        for path in PACKAGE.rglob("*.py")
        for line, value in _literal_codes(ast.parse(path.read_text())))
    assert found == []


def _names_exported(tree: ast.AST) -> set[int]:
    """The string constants of ``__all__`` (a module may export an alias of a member)."""
    return {id(c) for node in ast.walk(tree) if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
            for c in ast.walk(node.value)}


def test_no_member_is_spelt_as_a_string_literal_anywhere() -> None:
    """Comparisons and sets (``p.code == "X"``, ``frozenset({"X"})``) too: only the enum
    spells a code."""
    values = set(ProblemCode)
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "records" / "problems.py":
            continue
        tree = ast.parse(path.read_text())
        exported = _names_exported(tree)
        found += [f"{path.relative_to(PACKAGE)}:{node.lineno}: {node.value}"
                  for node in ast.walk(tree) if isinstance(node, ast.Constant)
                  and node.value in values and id(node) not in exported]
    assert sorted(found) == []


def test_the_source_scan_sees_a_literal_code() -> None:
    """The scan above is not vacuous."""
    tree = ast.parse('Problem("MISSING_BPR", Severity.FATAL, "m")\n'
                     'ctx.problem("NOT_835", s, "m")\nReviewDraft(problem_code="X_Y")\n')
    assert [v for _line, v in _literal_codes(tree)] == ["MISSING_BPR", "NOT_835", "X_Y"]


_PROBE = """
from edi_posting.posting.decisions import ReviewSpec
from edi_posting.queue.items import ReviewDraft
from edi_posting.records.problems import Problem, Severity
from edi_posting.records.states import ReviewKind
from edi_posting.x12.ack_records import Finding
from edi_posting.x12.delimiters import DelimiterError

Problem("MISSPELT", Severity.ERROR, "m")
ReviewDraft("k", ReviewKind.DENIAL, "m", problem_code="MISSPELT")
ReviewSpec(ReviewKind.DENIAL, "MISSPELT", "m")
Finding("1", "MISSPELT", "m")
DelimiterError("MISSPELT", "m")
"""


def test_mypy_refuses_a_string_where_a_problem_code_is_expected(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The type is enforced, not ``Any``: each of the probe's five calls is an error."""
    api = pytest.importorskip("mypy.api")
    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE)
    monkeypatch.setenv("MYPYPATH", str(PACKAGE.parent))  # this checkout, not the installed one
    out, _err, _status = api.run([str(probe), "--strict", "--no-error-summary",
                                  "--cache-dir", str(PACKAGE.parent / ".mypy_cache")])
    refused = [line for line in out.splitlines() if "expected \"ProblemCode" in line]
    assert len(refused) == 5, out


def _not_members(problems: list[Problem]) -> list[str]:
    return sorted({f"{p.code!r}" for p in problems if not isinstance(p.code, ProblemCode)})


def _835_problems(path: Path) -> list[Problem]:
    result = parse_835(path)
    problems = list(result.problems)
    for remittance in result.remittances:
        problems += remittance.problems
        problems += [p for claim in remittance.claims for p in claim.problems]
    return problems


def _837_problems(path: Path) -> list[Problem]:
    reads, problems = read_claim_file(path, "0" * 64)
    for read in reads:
        problems += read.batch.problems
        for claim in read.batch.claims:
            problems += [*claim.problems, *intake_checks(claim)]
    return problems


ROWS = manifest_rows("")


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}")
@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_every_problem_a_corpus_file_produces_has_a_member_code(row: dict[str, str]) -> None:
    path = CORPUS / row["file"]
    problems = (_835_problems(path) if row["transaction"].startswith("835")
                else _837_problems(path))
    if path.stat().st_size < _VALIDATE_BELOW:
        problems += validate_path(path).problems
    assert _not_members(problems) == []


_BAD_835S = {
    "unbalanced_claim": remit("100", clp("P1", "1", "100", "90", "10") + svc("99213", "100", "80")),
    "bad_amount": remit("1x0", clp("P1", "1", "100", "100") + svc("99213", "100", "100")),
    "unknown_carc": remit("80", clp("P1", "1", "100", "80") + svc("99213", "100", "80",
                                                                    "CO", "XYZ9", "20")),
    "not_balanced_set": remit("999", clp("P1", "1", "100", "100") + svc("99213", "100", "100")),
}


@pytest.mark.parametrize("body", _BAD_835S.values(), ids=list(_BAD_835S))
def test_every_problem_of_a_builder_made_bad_835_has_a_member_code(
        body: str, tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(body) + "GARBAGE*1~")
    problems = _835_problems(path) + validate_path(path).problems
    assert problems
    assert _not_members(problems) == []


def test_a_stored_review_item_problem_code_reads_back_as_its_member(
        database_url: str, tmp_path: Path) -> None:
    practice = Practice(database_url, tmp_path)
    try:
        practice.bill(("P1", (("99213", "100"),)))
        practice.receive(remit("90", clp("P1", "1", "100", "90", "10")
                               + svc("99213", "100", "80")))
        with practice.engine.connect() as conn:
            stored = conn.execute(select(ReviewItem.problem_code).where(
                ReviewItem.problem_code.is_not(None))).scalars().all()
    finally:
        practice.close()
    assert stored
    assert [ProblemCode(code) for code in stored] == [ProblemCode[code] for code in stored]
    assert ProblemCode.SERVICE_UNBALANCED in {ProblemCode(code) for code in stored}
