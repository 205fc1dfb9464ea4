"""Every 835 in the shared corpus (MANIFEST.tsv, not a glob): parsed or rejected, never a crash.

Claim counts are checked against an independent count of CLP segments in the file (the
manifest's counter is a simple one; where it disagrees, the file decides).  The manifest's
notes on structural issues and balancing become expected problem codes, and the other
tools' outputs beside some inputs are compared on the fields both carry.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from edi_posting.money import parse_amount, to_cents
from edi_posting.x12.remit835.parser import ParseResult, parse_835
from tests.corpus_manifest import CORPUS, count_segments, manifest_rows

ROWS = manifest_rows("835")
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(),
                                reason=f"the shared corpus is not beside the checkout ({CORPUS})")
_AMOUNT_CODES = {"INVALID_AMOUNT", "MISSING_AMOUNT"}
# manifest note fragment -> the problem code it must produce
_NOTE_CODES = [
    (r"SE01=\d+ but \d+ segments", "SEGMENT_COUNT_MISMATCH"),
    (r"SE02 \S+ != ST02", "TRANSACTION_CONTROL_MISMATCH"),
    (r"GE02 \S+ != GS06", "GROUP_CONTROL_MISMATCH"),
    (r"GE01=\d+ but", "GROUP_COUNT_MISMATCH"),
    (r"IEA02 \S+ != ISA13", "INTERCHANGE_CONTROL_MISMATCH"),
    (r"IEA01=\d+ but", "INTERCHANGE_COUNT_MISMATCH"),
    (r"ISA length \d+ != 106", "ISA_NOT_FIXED_WIDTH"),
    (r"no ISA/GS envelope", "NO_ENVELOPE"),
    (r"bad GS01", "GS01_NOT_HP"),
    (r"invalid GS04 date", "INVALID_DATE"),
]


def _all_codes(result: ParseResult) -> Counter[str]:
    codes = Counter(p.code for p in result.problems)
    for remittance in result.remittances:
        codes.update(p.code for p in remittance.problems)
        codes.update(p.code for c in remittance.claims for p in c.problems)
    return codes


def _claims_with(result: ParseResult, code: str) -> int:
    return sum(any(p.code == code for p in c.problems)
               for r in result.remittances for c in r.claims)


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParseResult]:
    return {row["file"]: parse_835(CORPUS / row["file"]) for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_parses_every_clp_or_rejects_with_a_structured_problem(
    row: dict[str, str], parsed: dict[str, ParseResult],
) -> None:
    result = parsed[row["file"]]
    path = CORPUS / row["file"]
    if result.is_rejected:
        assert any(p.is_fatal for p in result.problems) or any(
            p.is_fatal for r in result.remittances for p in r.problems)
        return
    claims = sum(len(r.claims) for r in result.remittances)
    assert claims == count_segments(path, "CLP")
    assert result.sha256 == row["sha256"]


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_manifest_structural_notes_become_problems(
    row: dict[str, str], parsed: dict[str, ParseResult],
) -> None:
    codes = _all_codes(parsed[row["file"]])
    for pattern, code in _NOTE_CODES:
        if re.search(pattern, row["notes"]):
            assert codes[code] >= 1, f"{code} expected from the note {pattern!r}"


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_balancing_notes_become_problems_at_the_right_level(
    row: dict[str, str], parsed: dict[str, ParseResult],
) -> None:
    result, notes = parsed[row["file"]], row["notes"]
    codes = _all_codes(result)
    claims = re.search(r"(\d+) claim\(s\) where CLP03-CLP04 != sum\(CAS\)", notes)
    lines = re.search(r"(\d+) service line\(s\) where SVC02-SVC03 != sum\(CAS\)", notes)
    if claims:
        expected = int(claims.group(1))
        unreadable = _claims_with(result, "INVALID_AMOUNT") + _claims_with(result, "MISSING_AMOUNT")
        assert _claims_with(result, "CLAIM_UNBALANCED") + unreadable >= expected
        if not unreadable:
            assert _claims_with(result, "CLAIM_UNBALANCED") == expected
    if lines:
        assert codes["SERVICE_UNBALANCED"] == int(lines.group(1))
    if "835 transaction not balanced" in notes:
        # unbalanced, or not computable because an amount it needs could not be read
        assert codes["TRANSACTION_UNBALANCED"] >= 1 or codes.keys() & _AMOUNT_CODES
    if "835 balancing OK" in notes and not (claims or lines):
        assert not codes.keys() & {"TRANSACTION_UNBALANCED", "CLAIM_UNBALANCED",
                                   "SERVICE_UNBALANCED"}


@pytest.mark.parametrize("row", [r for r in ROWS if "deliberately invalid" in r["notes"]],
                         ids=lambda r: r["file"])
def test_deliberately_invalid_files_are_rejected_or_carry_errors(
    row: dict[str, str], parsed: dict[str, ParseResult],
) -> None:
    result = parsed[row["file"]]
    problems = list(result.problems) + [p for r in result.remittances for p in r.problems]
    problems += [p for r in result.remittances for c in r.claims for p in c.problems]
    assert result.is_rejected or any(p.severity.value in ("ERROR", "FATAL") for p in problems)


def test_pyx12_997_rejections_match_our_errors(parsed: dict[str, ParseResult]) -> None:
    """Where pyx12's 997 rejects a set (AK5*R) we report errors; where it accepts, no FATAL."""
    for row in ROWS:
        for expected in _expected_files(row, ".997"):
            result = parsed[row["file"]]
            rejected = "AK5*R" in expected.read_text()
            codes = _all_codes(result)
            if rejected:
                assert codes["UNEXPECTED_SEGMENT"] + codes["SEGMENT_COUNT_MISMATCH"] >= 1
            else:
                assert not any(r.problems and not r.is_usable for r in result.remittances)


def _expected_files(row: dict[str, str], marker: str) -> list[Path]:
    names = re.findall(r"(\S+\.expected\.\S+)\s*<=", row["expected_outputs"])
    folder = (CORPUS / row["file"]).parent
    return [folder / n for n in names if marker in n and (folder / n).exists()]


def _ours(result: ParseResult) -> list[tuple[str, int, int]]:
    return [(c.patient_control_number, c.charge_cents, c.paid_cents)
            for r in result.remittances for c in r.claims]


def _cents(text: str) -> int:
    return to_cents(parse_amount(text or "0"))


def test_claims_match_another_parsers_json(parsed: dict[str, ParseResult]) -> None:
    compared = 0
    for row in ROWS:
        for expected in _expected_files(row, "-json.json"):
            document = json.loads(expected.read_text())
            theirs = [(c["CLP"]["patient_control_number"],
                       _cents(c["CLP"]["total_claim_charge_amount"]),
                       _cents(c["CLP"]["total_claim_payment_amount"]))
                      for t in document["interchange"]["transactions"] for c in t["CLP_loop"]]
            assert _ours(parsed[row["file"]]) == theirs, expected.name
            compared += 1
    assert compared >= 3


def test_service_lines_match_another_parsers_csv(parsed: dict[str, ParseResult]) -> None:
    compared = 0
    for row in ROWS:
        for expected in _expected_files(row, "-csv.csv"):
            ours = Counter((c.patient_control_number, x.procedure.code, x.paid_cents)
                           for r in parsed[row["file"]].remittances for c in r.claims
                           for x in c.service_lines)
            with open(expected, newline="") as handle:
                theirs = Counter((line["marker"], line["code"], _cents(line["paid_amount"]))
                                 for line in csv.DictReader(handle))
            assert theirs - ours == Counter(), expected.name
            compared += 1
    assert compared >= 3
