"""`edi-posting codes`: the code lists as data (show, list, info, update), no database."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_validation import BODY, remit, validate

PUBLISHED = """Code,Description,Start Date,Last Modified,Stop Date
45,Charge exceeds fee schedule/maximum allowable or contracted/legislated fee arrangement.,01/01/1995,11/01/2017,
3,Co-payment Amount,01/01/1995,,
P99,A code from the sample list.,07/01/2025,,
42,Charges exceed our fee schedule or maximum allowable amount.,01/01/1995,,06/30/2007
"""


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["codes", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def test_show_explains_carc_197() -> None:
    code, out, err = run("show", "CARC", "197")
    assert (code, err) == (0, "")
    assert "Precertification/authorization/notification/pre-treatment absent." in out
    document = json.loads(run("show", "carc", "197", "--format", "json")[1])
    assert document["code"] == "197" and document["list"] == "CARC"


def test_show_of_an_unknown_list_or_code_exits_2_naming_the_lists() -> None:
    code, _, err = run("show", "CARCS", "45")
    assert code == 2 and "CARC, RARC, GROUP, CLAIM_STATUS, PLB_REASON" in err
    code, _, err = run("show", "CARC", "9999")
    assert code == 2 and "'9999' is not in the CARC list" in err


def test_list_csv_of_codes_active_on_a_date() -> None:
    code, out, _ = run("list", "GROUP", "--active-on", "2026-01-01", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["code"] for r in rows] == ["CO", "OA", "PI", "PR"]  # CR stopped in 2012
    assert list(rows[0]) == ["code", "description", "start", "stop", "last_modified"]
    everything = list(csv.DictReader(io.StringIO(run("list", "GROUP", "--format", "csv")[1])))
    assert "CR" in [r["code"] for r in everything]


def test_list_active_on_comes_from_the_environment_too() -> None:
    out = run("list", "GROUP", "--format", "json",
              env={"EDI_POSTING_CODES_ACTIVE_ON": "2011-06-01"})[1]
    assert "CR" in [r["code"] for r in json.loads(out)]


def test_info_shows_each_list_in_effect() -> None:
    code, out, _ = run("info", "--format", "json")
    assert code == 0
    rows = {r["list"]: r for r in json.loads(out)}
    assert set(rows) == {"CARC", "RARC", "GROUP", "CLAIM_STATUS", "PLB_REASON"}
    assert rows["CARC"]["origin"] == "shipped" and rows["CARC"]["complete"] is False
    assert rows["GROUP"]["complete"] is True and rows["GROUP"]["codes"] == 5


def test_update_loads_a_published_list_which_then_is_in_effect(tmp_path: Path) -> None:
    (tmp_path / "carc.csv").write_text(PUBLISHED)
    codes_dir = tmp_path / "codes"
    env = {"EDI_POSTING_CODES_DIR": str(codes_dir)}
    code, out, err = run("update", str(tmp_path / "carc.csv"), "--list", "CARC", env=env)
    assert code == 0 and out == "" and "CARC: 4 code(s) written" in err
    assert (codes_dir / "carc.json").is_file()
    rows = {r["list"]: r for r in json.loads(run("info", "--format", "json", env=env)[1])}
    assert (rows["CARC"]["origin"], rows["CARC"]["codes"], rows["CARC"]["complete"]) == (
        "updated", 4, True)
    assert rows["CARC"]["as_of"] == "2025-07-01"  # its latest date
    shown = json.loads(run("show", "CARC", "42", "--format", "json", env=env)[1])
    assert (shown["start"], shown["stop"]) == ("1995-01-01", "2007-06-30")
    assert run("show", "CARC", "197", env=env)[0] == 2  # not in the published sample


def test_after_update_an_unknown_or_retired_carc_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "carc.csv").write_text(PUBLISHED)
    monkeypatch.setenv("EDI_POSTING_CODES_DIR", str(tmp_path / "codes"))
    assert run("update", str(tmp_path / "carc.csv"), "--list", "CARC")[0] == 0
    result = validate(tmp_path, remit(BODY.replace("CAS*CO*45*10~", "CAS*CO*42*10~")))
    assert not result.valid
    assert [p.code for p in result.problems] == ["RETIRED_CARC"]
    result = validate(tmp_path, remit(BODY.replace("CAS*PR*3*10~", "CAS*PR*P98*10~")))
    assert [(p.code, p.severity.value) for p in result.problems] == [("UNKNOWN_CARC", "ERROR")]


def test_update_of_an_unreadable_file_exits_66_and_a_bad_one_65(tmp_path: Path) -> None:
    env = {"EDI_POSTING_CODES_DIR": str(tmp_path / "codes")}
    code, _, err = run("update", str(tmp_path / "missing.csv"), "--list", "CARC", env=env)
    assert code == 66 and err.endswith("missing.csv: no such file or directory\n")
    (tmp_path / "bad.csv").write_text("name,value\nx,y\n")
    code, _, err = run("update", str(tmp_path / "bad.csv"), "--list", "RARC", env=env)
    assert code == 65 and "needs code and description" in err
    code, _, err = run("update", str(tmp_path / "bad.csv"), "--list", "GROUP", env=env)
    assert code == 2 and "complete as shipped" in err
    assert not (tmp_path / "codes").exists()


def test_help_has_examples_and_environment_twins() -> None:
    for command in ("show", "list", "info", "update"):
        out = run(command, "--help")[1]
        assert "Example:" in out
    assert "EDI_POSTING_CODES_ACTIVE_ON" in run("list", "--help")[1]
    assert "EDI_POSTING_CODES_LIST" in run("update", "--help")[1]
    assert "EDI_POSTING_CODES_DIR" in run("--help")[1]


def test_parse_describe_puts_descriptions_beside_the_codes(tmp_path: Path) -> None:
    body = BODY.replace("NM1*QC*1*DOE*JANE****MI*M1~", "NM1*QC*1*DOE*JANE****MI*M1~MOA***MA15~")
    body = body.replace("REF*6R*L1~", "REF*6R*L1~LQ*HE*N822~")
    (tmp_path / "remit.835").write_text(remit(body))
    result = CliRunner().invoke(main, ["parse", str(tmp_path / "remit.835")],
                                env={"EDI_POSTING_PARSE_DESCRIBE": "1"})
    assert result.exit_code == 0, result.output
    [claim] = json.loads(result.stdout)["remittances"][0]["claims"]
    assert claim["status_code"] == "1" and claim["status_description"] == "Processed as Primary"
    assert claim["remark_code_descriptions"]["MA15"].startswith("Alert: Your claim has been sep")
    [line] = claim["service_lines"]
    assert line["adjustments"][0] == {**line["adjustments"][0], "group": "CO", "reason": "45",
                                      "group_description": "Contractual Obligations"}
    assert line["adjustments"][0]["reason_description"].startswith("Charge exceeds fee")
    assert line["remark_codes"] == [{"qualifier": "HE", "code": "N822",
                                     "description": "Missing procedure modifier(s)."}]
    plain = CliRunner().invoke(main, ["parse", str(tmp_path / "remit.835")])
    assert "status_description" not in plain.stdout
