"""`edi-posting parse`: exact output, formats and exit codes (no database)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main
from tests.x12build import build_x12, write_x12

BODY = """
BPR*I*80*C*ACH*CCP*01*999999999*DA*123*1512345678**01*888888888*DA*456*20260105~
TRN*1*EFT1*1512345678~
N1*PR*ACME PLAN~
N1*PE*ACME CLINIC*XX*1234567893~
LX*1~
CLP*PCN1*1*100*80*10*12*ICN1~
NM1*QC*1*DOE*JANE****MI*M1~
SVC*HC:99213:25*100*80**1~
DTM*472*20251215~
CAS*CO*45*10~
CAS*PR*3*10~
REF*6R*L1~
"""


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["parse", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_json_output_has_the_documented_shape(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(BODY))
    code, out, err = run(str(path))
    assert code == 0 and err == ""
    document = json.loads(out)
    assert list(document) == ["schema_version", "file", "sha256", "remittances", "problems",
                              "rejected"]
    assert document["schema_version"] == 1 and document["file"] == str(path)
    assert document["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    remittance = document["remittances"][0]
    assert remittance["control_number"] == "0001" and remittance["trace_number"] == "EFT1"
    assert remittance["payment"] == {"handling": "I", "amount": "80.00", "credit_debit": "C",
                                     "method": "ACH", "format": "CCP", "date": "2026-01-05"}
    assert remittance["payer"]["name"] == "ACME PLAN" and remittance["payee"]["id"] == "1234567893"
    claim = remittance["claims"][0]
    assert {k: claim[k] for k in ("patient_control_number", "status_code", "charge", "paid",
                                  "patient_responsibility", "payer_claim_control_number")} == {
        "patient_control_number": "PCN1", "status_code": "1", "charge": "100.00",
        "paid": "80.00", "patient_responsibility": "10.00", "payer_claim_control_number": "ICN1"}
    line = claim["service_lines"][0]
    assert line["procedure"] == {"qualifier": "HC", "code": "99213", "modifiers": ["25"]}
    assert line["adjustments"] == [
        {"group": "CO", "reason": "45", "amount": "10.00", "quantity": None},
        {"group": "PR", "reason": "3", "amount": "10.00", "quantity": None}]
    assert line["line_control_number"] == "L1" and line["source"] == {"segment_position": 11}
    assert claim["source"] == {"segment_position": 9} and remittance["provider_adjustments"] == []
    assert remittance["problems"] == [] and document["problems"] == []


def test_stats_table_is_exact(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(BODY, BODY.replace("BPR*I*80", "BPR*I*90")))
    code, out, _ = run(str(path), "--stats")
    assert code == 0
    assert out.splitlines() == [
        ("file      control_number  claims  service_lines  adjustments  plb  bpr02   sum_clp04  "
        "sum_plb  service_balanced  claim_balanced  transaction_balanced"),
        ("test.835  0001            1       1              2            0    80.00   80.00      "
        "0.00     yes               yes             yes"),
        ("test.835  0002            1       1              2            0    90.00   80.00      "
        "0.00     yes               yes             no"),
        ("TOTAL                     2       2              4            0    170.00  160.00     "
        "0.00     yes               yes             no"),
    ]


def test_stats_as_json_through_the_environment(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(BODY))
    code, out, _ = run(str(path), env={"EDI_POSTING_FORMAT": "json",
                                       "EDI_POSTING_PARSE_STATS": "1"})
    assert code == 0
    document = json.loads(out)
    assert document["totals"]["claims"] == 1 and document["totals"]["bpr02"] == "80.00"
    assert document["transaction_sets"][0]["balanced"] == {"service": True, "claim": True,
                                                            "transaction": True}
    assert document["problem_counts"] == {"FATAL": 0, "ERROR": 0, "WARNING": 0}


def test_jsonl_prints_one_line_per_file(tmp_path: Path) -> None:
    one = write_x12(tmp_path, build_x12(BODY), "one.835")
    two = write_x12(tmp_path, build_x12(BODY, BODY), "two.835")
    code, out, _ = run(str(one), str(two), "--format", "jsonl")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert [len(json.loads(x)["remittances"]) for x in lines] == [1, 2]


def test_table_lists_one_row_per_transaction_set(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(BODY))
    code, out, _ = run(str(path), "--format", "table")
    assert code == 0
    assert out.splitlines()[1].split() == ["test.835", "0001", "ACME", "PLAN", "ACME", "CLINIC",
                                           "80.00", "ACH", "2026-01-05", "EFT1", "1", "0", "0"]


def test_problems_do_not_reject_a_parsed_file(tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(BODY.replace("CLP*PCN1*1*100*80", "CLP*PCN1*1*100.001*80")))
    code, out, err = run(str(path))
    assert code == 0 and err == ""
    claim = json.loads(out)["remittances"][0]["claims"][0]
    assert [(p["code"], p["element"]) for p in claim["problems"]] == [("INVALID_AMOUNT", "CLP03")]


def test_rejected_file_exits_65_with_problems_on_stdout_and_one_line_on_stderr(
    tmp_path: Path,
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("not an edi file\n")
    code, out, err = run(str(path))
    assert code == 65
    assert [p["code"] for p in json.loads(out)["problems"]] == ["NOT_X12"]
    assert err == (f"edi-posting: {path}: rejected: NOT_X12: no ISA or ST segment in the first "
                   "64 KiB: not an X12 file (1 fatal problem(s))\n")
    assert "Traceback" not in out + err


def test_binary_file_is_rejected_with_stats_too(tmp_path: Path) -> None:
    path = tmp_path / "blob.835"
    path.write_bytes(bytes(range(256)) * 100)
    code, out, err = run(str(path), "--stats")
    assert code == 65 and "NOT_TEXT" in err and "TOTAL" in out


def test_missing_file_exits_66() -> None:
    code, out, err = run("/no/such/remit.835")
    assert (code, out) == (66, "")
    assert err == "edi-posting: /no/such/remit.835: no such file or directory\n"


def test_help_has_an_example_and_the_environment_variables() -> None:
    result = CliRunner().invoke(main, ["parse", "--help"])
    assert result.exit_code == 0
    assert "Example:\n    edi-posting parse remit.835 --stats" in result.output
    assert "EDI_POSTING_FORMAT" in result.output and "EDI_POSTING_PARSE_STATS" in result.output


def test_837_table_lists_one_row_per_claim_set(tmp_path: Path) -> None:
    from tests.test_import_837 import FIXTURE

    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    result = CliRunner().invoke(main, ["parse", str(path), "--format", "table"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        ("file        kind  control_number  billing_provider    payer        claims  total_charge"
         "  errors  warnings"),
        ("clinic.837  837P  0001            GOOD HEALTH CLINIC  ACME HEALTH  1       125.50      "
         "  0       0"),
    ]
