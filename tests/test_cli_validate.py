"""`edi-posting validate`: exact output, acknowledgment files and exit codes (no database)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_validation import BODY, remit

HEADER = "file       kind  valid  sets  rejected_sets  errors  warnings  acks"
BAD_BODY = BODY.replace("20260105~", "20261350~")


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_valid_file_prints_one_row_and_exits_0(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY))
    code, out, err = run("remit.835")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        HEADER,
        "remit.835  835   yes    1     0              0       0         0",
    ]


def test_ack_dir_writes_the_999_named_after_the_input(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY))
    code, out, err = run("remit.835", "--ack-dir", "acks")
    assert code == 0 and out.splitlines()[1].endswith("  1")
    assert sorted(p.name for p in (here / "acks").iterdir()) == ["remit.835.999"]
    text = (here / "acks" / "remit.835.999").read_text()
    assert text.startswith("ISA*00*") and "IK5*A~" in text and "AK9*A*1*1*1~" in text
    assert err == "remit.835: wrote 1 acknowledgment(s) to acks\n"


def test_ack_dir_comes_from_the_environment_too(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY).replace("*000000001*0*P*", "*000000001*1*P*"))
    code, _, _ = run("remit.835", env={"EDI_POSTING_ACK_DIR": str(here / "out")})
    assert code == 0
    assert sorted(p.name for p in (here / "out").iterdir()) == ["remit.835.999", "remit.835.ta1"]


def test_json_has_the_documented_shape(here: Path) -> None:
    (here / "good.835").write_text(remit(BODY))
    (here / "bad.835").write_text(remit(BODY, BAD_BODY))
    code, out, err = run("good.835", "bad.835", "--format", "json", "--ack-dir", "acks")
    assert code == 65
    files = json.loads(out)["files"]
    assert [list(f) for f in files] == [
        ["path", "sha256", "kind", "valid", "ack_files", "problems", "transaction_sets"]
    ] * 2
    good, bad = files
    assert good["path"] == "good.835" and good["valid"] is True and good["problems"] == []
    assert good["sha256"] == hashlib.sha256((here / "good.835").read_bytes()).hexdigest()
    assert good["ack_files"] == [str(Path("acks") / "good.835.999")]
    assert bad["valid"] is False and bad["kind"] == "835"
    assert bad["transaction_sets"] == [
        {"interchange": "000000001", "group": "1", "transaction_set": "0001", "status": "A"},
        {"interchange": "000000001", "group": "1", "transaction_set": "0002", "status": "R"},
    ]
    [problem] = bad["problems"]
    assert {
        k: problem[k]
        for k in (
            "code",
            "severity",
            "file",
            "segment_position",
            "element",
            "transaction_set_control_number",
            "details",
        )
    } == {
        "code": "INVALID_DATE",
        "severity": "ERROR",
        "file": "bad.835",
        "segment_position": 21,
        "element": "BPR16",
        "transaction_set_control_number": "0002",
        "details": {"x12": "IK403=8"},
    }
    assert "IK4*16*373*8*20261350~" in (here / "acks" / "bad.835.999").read_text()
    assert err.splitlines()[-1] == (
        'edi-posting: bad.835: invalid: INVALID_DATE: Data element "Check Issue or EFT '
        'Effective Date" (BPR16) contains an invalid date (20261350) (1 problem(s))'
    )


def test_format_comes_from_the_environment(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY))
    code, out, _ = run("remit.835", env={"EDI_POSTING_FORMAT": "json"})
    assert code == 0 and json.loads(out)["files"][0]["valid"] is True


def test_invalid_file_exits_65_with_its_row(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY, BAD_BODY))
    code, out, err = run("remit.835")
    assert code == 65
    assert out.splitlines() == [
        HEADER,
        "remit.835  835   no     2     1              1       0         0",
    ]
    assert err.startswith("edi-posting: remit.835: invalid: INVALID_DATE: ")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "EMPTY_FILE"),
        ("ISA*00*          *00*".encode("utf-16"), "NOT_TEXT"),
        (b"\x00\x01\x02garbage" * 100, "NOT_TEXT"),
        (b"hello, this is not EDI\n", "NOT_X12"),
    ],
)
def test_non_x12_input_is_rejected_with_exit_65_and_no_traceback(
    here: Path,
    data: bytes,
    code: str,
) -> None:
    (here / "blob.835").write_bytes(data)
    status, out, err = run("blob.835", "--format", "json")
    assert status == 65 and "Traceback" not in out + err
    [document] = json.loads(out)["files"]
    assert [p["code"] for p in document["problems"]] == [code]
    assert document["kind"] == "unknown" and document["ack_files"] == []
    assert err.startswith(f"edi-posting: blob.835: invalid: {code}: ")


def test_truncated_file_is_invalid_and_gets_a_ta1(here: Path) -> None:
    text = remit(BODY)
    (here / "cut.835").write_text(text[: text.index("CAS*CO")])
    code, out, _ = run("cut.835", "--ack-dir", "acks")
    assert code == 65 and "Traceback" not in out
    assert [p.name for p in (here / "acks").iterdir()] == ["cut.835.ta1"]
    assert "TA1*000000001*260101*1200*R*023~" in (here / "acks" / "cut.835.ta1").read_text()


def test_missing_file_exits_66_before_anything_runs(here: Path) -> None:
    (here / "remit.835").write_text(remit(BODY))
    code, out, err = run("remit.835", "nope.835")
    assert (code, out) == (66, "")
    assert err == "edi-posting: nope.835: no such file or directory\n"


def test_two_inputs_with_one_name_cannot_share_an_ack_dir(here: Path) -> None:
    for folder in ("a", "b"):
        (here / folder).mkdir()
        (here / folder / "remit.835").write_text(remit(BODY))
    code, out, err = run("a/remit.835", "b/remit.835", "--ack-dir", "acks")
    assert (code, out) == (2, "") and "named 'remit.835'" in err
    assert run("a/remit.835", "b/remit.835")[0] == 0  # without --ack-dir nothing collides


def test_help_has_an_example_and_the_environment_twins() -> None:
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "edi-posting validate remit.835" in result.output
    assert "EDI_POSTING_ACK_DIR" in result.output and "EDI_POSTING_FORMAT" in result.output
