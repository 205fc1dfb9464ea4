"""pyx12 validation and the 999/TA1 we write from its findings (no database).

Scenarios are X12 written in the test (tests/x12build.py wraps them in an envelope); the
shared corpus (MANIFEST.tsv) checks that every real 835 gets a verdict, never a crash, and
pyx12's own expected 997s (beside some corpus inputs) are the oracle for our 997 bodies.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import pytest

from edi_posting.x12.ack_records import Ack
from edi_posting.x12.validation.acks import ack_file_names
from edi_posting.x12.validation.validator import ValidationResult, validate_path
from tests.corpus_manifest import CORPUS, manifest_rows
from tests.x12build import build_x12

NOW = dt.datetime(2026, 3, 2, 9, 30)
BODY = """
BPR*I*80*C*ACH*CCP*01*999999999*DA*123*1512345678**01*888888888*DA*456*20260105~
TRN*1*EFT1*1512345678~
N1*PR*ACME PLAN~
N3*PO BOX 1~
N4*HARRISBURG*PA*17101~
PER*BL*EDI*TE*8005550001~
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


def remit(*bodies: str, **options: Any) -> str:
    """An 835 as payers send it: ST03 absent (the X221A1 map marks it Not Used); GS08 set."""
    text = build_x12(*bodies, **options)
    e = re.escape(options.get("element", "*"))
    return re.sub(rf"(ST{e}835{e}\d+){e}005010X221A1", r"\1", text)


def validate(
    tmp_path: Path, text: str | bytes, name: str = "remit.835", **options: Any
) -> ValidationResult:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return validate_path(path, now=NOW, first_control_number=42, **options)


def segments(ack: Ack) -> list[list[str]]:
    return [line.rstrip("~").split("*") for line in ack.text.splitlines()]


def tags(ack: Ack) -> list[str]:
    return ["*".join(s) for s in segments(ack) if s[0] not in ("ISA", "GS", "GE", "IEA")]


# -- a valid 835 ------------------------------------------------------------------------


def test_valid_835_without_st03_gets_a_correct_999(tmp_path: Path) -> None:
    text = remit(BODY)
    assert "ST*835*0001~" in text and "GS*HP*SENDER*RECEIVER*20260101*1200*1*X*005010X221A1" in text
    result = validate(tmp_path, text)
    assert result.valid and result.is_valid and result.problems == []
    assert result.kind == "835" and result.set_status == {("000000001", "1", "0001"): "A"}
    [ack] = result.acks
    assert (ack.kind, ack.isa13, ack.gs06) == ("999", "000000001", "1")
    isa, gs, *body, ge, iea = segments(ack)
    assert isa[5:9] == ["ZZ", "RECEIVER       ", "ZZ", "SENDER         "]  # addressed back
    assert isa[9:11] == ["260302", "0930"] and isa[12:16] == ["00501", "000000042", "0", "P"]
    assert len(ack.text.splitlines()[0]) == 106  # a fixed-width ISA, terminator included
    assert gs == ["GS", "FA", "RECEIVER", "SENDER", "20260302", "0930", "42", "X", "005010X231A1"]
    assert ["*".join(s) for s in body] == [
        "ST*999*0001*005010X231A1",
        "AK1*HP*1*005010X221A1",
        "AK2*835*0001*005010X221A1",  # AK203 from GS08: pyx12's own writer raises here
        "IK5*A",
        "AK9*A*1*1*1",
        "SE*6*0001",
    ]
    assert ge == ["GE", "1", "42"] and iea == ["IEA", "1", "000000042"]


def test_our_999_validates_against_pyx12s_999_map(tmp_path: Path) -> None:
    bad = BODY.replace("20260105~", "20261350~")
    for text in (remit(BODY), remit(BODY, bad)):
        [ack] = validate(tmp_path, text).acks
        answer = validate(tmp_path, ack.text, name="remit.835.999")
        assert answer.valid and answer.kind == "999", answer.problems
        assert answer.acks == []  # an acknowledgment is never acknowledged


# -- invalid sets: IK3/IK4/IK5 ----------------------------------------------------------


def test_one_bad_set_of_two_is_rejected_and_the_group_partially_accepted(
    tmp_path: Path,
) -> None:
    bad = BODY.replace("20260105~", "20261350~")  # BPR16: month 13
    result = validate(tmp_path, remit(BODY, bad))
    assert not result.valid
    assert result.set_status == {("000000001", "1", "0001"): "A", ("000000001", "1", "0002"): "R"}
    assert tags(result.acks[0]) == [
        "ST*999*0001*005010X231A1",
        "AK1*HP*1*005010X221A1",
        "AK2*835*0001*005010X221A1",
        "IK5*A",
        "AK2*835*0002*005010X221A1",
        "IK3*BPR*2**8",
        "IK4*16*373*8*20261350",
        "IK5*R*5",
        "AK9*P*2*2*1",
        "SE*10*0001",
    ]
    [problem] = result.problems
    assert (problem.code, problem.severity.value, problem.element) == (
        "INVALID_DATE",
        "ERROR",
        "BPR16",
    )
    assert problem.source is not None and problem.source.segment_position == 21  # 2nd set's BPR
    assert problem.source.transaction_set_control_number == "0002"
    assert problem.details == {"x12": "IK403=8"} and "20261350" in problem.message


def test_missing_required_segment_and_wrong_se01(tmp_path: Path) -> None:
    text = re.sub(r"SE\*\d+\*", "SE*99*", remit(BODY.replace("PER*BL*EDI*TE*8005550001~", "")))
    result = validate(tmp_path, text)
    assert result.set_status == {("000000001", "1", "0001"): "R"}
    assert tags(result.acks[0])[2:6] == [
        "AK2*835*0001*005010X221A1",
        "IK3*PER*7**3",
        "IK5*R*4*5",
        "AK9*R*1*1*0",
    ]
    assert sorted(p.code for p in result.problems) == [
        "REQUIRED_SEGMENT_MISSING",
        "SEGMENT_COUNT_MISMATCH",
    ]


def test_unsupported_implementation_guide_rejects_the_group_with_ak905(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY).replace("X*005010X221A1", "X*005010X221"))
    assert result.set_status == {("000000001", "1", "0001"): "R"}
    assert tags(result.acks[0]) == [
        "ST*999*0001*005010X231A1",
        "AK1*HP*1*005010X221",
        "AK9*R*1*1*0*2",
        "SE*4*0001",
    ]
    assert {p.code for p in result.problems} == {
        "FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED",
        "TRANSACTION_SET_NOT_SUPPORTED",
    }


def test_a_4010_group_gets_a_997_without_implementation_codes(tmp_path: Path) -> None:
    row = _row("835/azoner__pyx12/835_simple.txt")
    result = validate_path(CORPUS / row["file"], now=NOW)
    assert [a.kind for a in result.acks] == ["TA1", "997"]  # ISA14=1
    assert tags(result.acks[1])[:3] == ["ST*997*0001", "AK1*HP*3444", "AK2*835*40731"]
    # pyx12's own sample does not balance (BPR02 5950.21, claims 467.69): rejected, and the
    # 997 names the segment without the 999's implementation code (IK403 I12)
    assert not result.valid and [p.code for p in result.problems] == ["TRANSACTION_UNBALANCED"]
    assert tags(result.acks[1])[3:5] == ["AK3*BPR*2**8", "AK5*R*5"]


# -- the interchange: TA1 ---------------------------------------------------------------


def test_iea02_mismatch_gets_a_ta1_rejection_and_no_999(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY).replace("IEA*1*000000001", "IEA*1*000000002"))
    assert not result.valid and [a.kind for a in result.acks] == ["TA1"]
    assert tags(result.acks[0]) == ["TA1*000000001*260101*1200*R*001"]
    assert result.set_status == {("000000001", "1", "0001"): "R"}
    assert [p.code for p in result.problems] == ["INTERCHANGE_CONTROL_MISMATCH"]


@pytest.mark.parametrize(
    ("old", "new", "note", "code"),
    [
        ("*ZZ*SENDER         *", "*ZZ*A-SENDER-ID-OF-20-CHARS*", "006", "INVALID_SENDER_ID"),
        ("*00501*", "*00999*", "017", "INVALID_VERSION"),
        ("*260101*1200*", "*261399*1200*", "014", "INVALID_INTERCHANGE_DATE"),
    ],
)
def test_bad_isa_elements_get_a_ta1_rejection(
    tmp_path: Path, old: str, new: str, note: str, code: str
) -> None:
    result = validate(tmp_path, remit(BODY).replace(old, new, 1))
    assert [a.kind for a in result.acks] == ["TA1"]
    assert tags(result.acks[0])[0].endswith(f"*R*{note}")
    assert code in {p.code for p in result.problems} and not result.valid


def test_requested_ta1_is_an_acceptance_beside_the_999(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY).replace("*000000001*0*P*", "*000000001*1*P*"))
    assert result.valid and [a.kind for a in result.acks] == ["TA1", "999"]
    assert tags(result.acks[0]) == ["TA1*000000001*260101*1200*A*000"]


def test_segment_outside_a_set_is_invalid_interchange_content(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY).replace("GE*1*1~", "NM1*QC*1*X~\nGE*1*1~"))
    assert tags(result.acks[0]) == ["TA1*000000001*260101*1200*R*024"]
    assert [p.code for p in result.problems] == ["INVALID_INTERCHANGE_CONTENT"]


def test_non_numeric_ge01_is_a_group_error_not_a_crash(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY).replace("GE*1*1~", "GE*X*1~"))
    assert "GROUP_COUNT_MISMATCH" in {p.code for p in result.problems}
    assert result.set_status == {("000000001", "1", "0001"): "R"}


def test_positions_count_from_the_start_of_the_file_across_interchanges(
    tmp_path: Path,
) -> None:
    first = remit(BODY)
    second = remit(
        BODY.replace("20260105~", "20261350~"), interchange_control="000000002", group_control="2"
    )
    result = validate(tmp_path, first + second)
    [problem] = result.problems
    assert problem.source is not None and problem.source.segment_position == 21 + 4
    assert problem.source.interchange_control_number == "000000002"
    names = ack_file_names("remit.835", result.acks)
    assert names == ["remit.835.000000001.1.999", "remit.835.000000002.2.999"]


def test_same_separators_as_the_file_in_the_acknowledgment(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY, element="|", component="^", repetition="{"))
    assert result.valid
    assert "AK2|835|0001|005010X221A1~" in result.acks[0].text
    assert result.acks[0].text.splitlines()[0].endswith("|^~")


# -- structured rejections before pyx12 -------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "EMPTY_FILE"),
        ("ISA*00*".encode("utf-16"), "NOT_TEXT"),
        (bytes(range(256)) * 50, "NOT_TEXT"),
        (b"Dear payer, please find attached...\n" * 10, "NOT_X12"),
        (b"ISA*00*          *00*    ", "TRUNCATED"),
    ],
)
def test_input_that_is_not_x12_is_rejected_without_pyx12(
    tmp_path: Path, data: bytes, code: str
) -> None:
    result = validate(tmp_path, data)
    assert not result.valid and result.acks == [] and result.set_status == {}
    assert [p.code for p in result.problems] == [code] and result.problems[0].is_fatal


@pytest.mark.parametrize(
    ("head", "code", "note"),
    [
        ("*00501*000000001*0*P*:GS*HP~", "BAD_ISA", "004"),  # no terminator after ISA16
        ("*00501*000000001*0*P", "TRUNCATED", "023"),
    ],
)
def test_isa_our_reader_cannot_split_still_gets_a_ta1(
    tmp_path: Path, head: str, code: str, note: str
) -> None:
    isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^"
    result = validate(tmp_path, isa + head)
    assert [p.code for p in result.problems] == [code] and not result.valid
    [ack] = result.acks
    assert tags(ack) == [f"TA1*000000001*260101*1200*R*{note}"]
    assert ack.text.splitlines()[0].split("*")[6].strip() == "RECEIVER"


def test_file_cut_in_the_middle_gets_a_ta1_for_the_missing_iea(tmp_path: Path) -> None:
    text = remit(BODY)
    result = validate(tmp_path, text[: text.index("CAS*CO")])
    assert not result.valid and [a.kind for a in result.acks] == ["TA1"]
    assert tags(result.acks[0]) == ["TA1*000000001*260101*1200*R*023"]
    assert {"MISSING_SE", "MISSING_GE", "MISSING_IEA"} <= {p.code for p in result.problems}


def test_garbage_after_a_valid_head_is_rejected_in_bounded_time(tmp_path: Path) -> None:
    junk = "".join(f"@{i}#~" for i in range(400_000))
    started = time.monotonic()
    result = validate(tmp_path, remit(BODY).replace("LX*1~", "LX*1~" + junk))
    assert time.monotonic() - started < 30
    assert "GARBAGE" in {p.code for p in result.problems} and result.acks == []


def test_a_file_without_envelope_cannot_be_validated(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY, envelope=False))
    assert [p.code for p in result.problems] == ["NO_ENVELOPE", "ENVELOPE_REQUIRED"]
    assert not result.valid and result.acks == []


# -- the shared corpus ------------------------------------------------------------------

ROWS_835 = manifest_rows("835")
# the 999 copies back GS02/GS03/GS06 that are themselves invalid in these inputs
_BAD_ADDRESSES = {"835/slott56__TigerShark/X12-0.08__sample_835.txt"}


def _row(name: str) -> dict[str, str]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not beside the checkout ({CORPUS})")
    with open(CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as handle:
        return next(r for r in csv.DictReader(handle, delimiter="\t") if r["file"] == name)


@pytest.fixture(scope="module")
def corpus_835() -> dict[str, ValidationResult]:
    return {r["file"]: validate_path(CORPUS / r["file"], now=NOW) for r in ROWS_835}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("row", ROWS_835, ids=[r["file"] for r in ROWS_835])
def test_every_corpus_835_gets_a_verdict(
    row: dict[str, str], corpus_835: dict[str, ValidationResult]
) -> None:
    result = corpus_835[row["file"]]
    assert result.sha256 == row["sha256"]
    if "deliberately invalid" in row["notes"]:
        assert not result.valid
    if result.valid:
        assert set(result.set_status.values()) == {"A"}
        assert all(p.severity.value == "WARNING" for p in result.problems)
    else:
        assert any(p.severity.value != "WARNING" for p in result.problems)
        assert "R" in result.set_status.values() or not result.set_status


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
def test_every_999_written_for_the_corpus_validates(
    tmp_path: Path,
    corpus_835: dict[str, ValidationResult],
) -> None:
    checked = 0
    for name, result in corpus_835.items():
        for ack in result.acks:
            if ack.kind == "999" and name not in _BAD_ADDRESSES:
                answer = validate(tmp_path, ack.text, name="answer.999")
                assert answer.valid, (name, [p.message for p in answer.problems])
                checked += 1
    assert checked > 40


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize(
    "name",
    [
        "835/azoner__pyx12/bad_header_looping.txt",
        "837/azoner__pyx12/bad_elements.txt",
        "837/azoner__pyx12/per_repeat.txt",
        "837/azoner__pyx12/trailing_terms.txt",
    ],
)
def test_our_997_body_is_pyx12s_expected_997(name: str) -> None:
    row = _row(name)
    expected_name = row["expected_outputs"].split(" <= ")[0]
    expected = (CORPUS / row["file"]).parent / expected_name
    result = validate_path(CORPUS / row["file"], now=NOW)
    [ack] = [a for a in result.acks if a.kind == "997"]
    expected_lines = [s.strip() for s in expected.read_text().replace("\n", "").split("~")]
    start, end = (
        expected_lines.index("ST*997*0001"),
        expected_lines.index("GE*1*" + (expected_lines[1].split("*")[6])),
    )
    assert tags(ack) == expected_lines[start:end]
    assert not result.valid


def test_a_repeated_isa13_is_rejected_by_ta1_for_the_second_interchange(
    tmp_path: Path,
) -> None:
    result = validate(tmp_path, remit(BODY) + remit(BODY, group_control="2"))
    assert [(a.kind, a.isa13, a.gs06) for a in result.acks] == [
        ("999", "000000001", "1"),
        ("TA1", "000000001", None),
    ]
    assert tags(result.acks[1]) == ["TA1*000000001*260101*1200*R*025"]
    assert ack_file_names("remit.835", result.acks) == ["remit.835.999", "remit.835.ta1"]
    assert result.set_status == {("000000001", "1", "0001"): "A", ("000000001", "2", "0001"): "R"}


def test_a_pyx12_crash_is_a_structured_rejection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr("edi_posting.x12.validation.walk.Walk.run", explode)
    result = validate(tmp_path, remit(BODY))
    assert [(p.code, p.severity.value) for p in result.problems] == [("VALIDATOR_FAILED", "FATAL")]
    assert "pyx12 failed (KeyError)" in result.problems[0].message
    assert result.acks == [] and result.set_status == {("000000001", "1", "0001"): "R"}


ROWS_OTHER = [r for r in manifest_rows("") if not r["transaction"].startswith("835")]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not beside the checkout")
@pytest.mark.parametrize("row", ROWS_OTHER, ids=[r["file"] for r in ROWS_OTHER])
def test_every_other_corpus_file_gets_a_verdict_never_a_crash(row: dict[str, str]) -> None:
    result = validate_path(CORPUS / row["file"], now=NOW)
    assert result.sha256 == row["sha256"]
    assert "VALIDATOR_FAILED" not in {p.code for p in result.problems}
    if "deliberately invalid" in row["notes"]:
        assert not result.valid
    assert result.valid or any(p.severity.value != "WARNING" for p in result.problems)
