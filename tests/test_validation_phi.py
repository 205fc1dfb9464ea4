"""Issue 7: a bad value in a PHI element (name, member ID, date of birth, address) never
reaches a validation or parse message, stderr or JSON; a bad code or qualifier is still
shown, because it tells the user what to fix.  The 999 itself may copy the value back
(IK404): it is for the trading partner, written to a file, never printed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from edi_posting.cli import main
from edi_posting.x12.validation.element_privacy import is_value_shown, scrub_element_message
from edi_posting.x12.validation.validator import validate_path
from tests.test_import_837 import FIXTURE
from tests.test_validation import BODY, remit

LAST_NAME = "ZQLASTNAME" + "X" * 60  # NM103 over 60
FIRST_NAME = "ZQFIRSTNAME" + "Y" * 30  # NM104 over 35
MEMBER_ID = "ZQMEMBERID" + "9" * 80  # NM109 over 80
STREET = "ZQSTREET" + "S" * 60  # N301 over 55
CITY = "ZQCITY" + "C" * 30  # N401 over 30
POSTAL_CODE = "ZQPOSTAL12345678"  # N403 over 15
SSN = "ZQSSN" + "1" * 50  # REF*SY over 50
BIRTH_DATE = "19801340"  # DMG02: month 13
CANARIES = ("ZQLASTNAME", "ZQFIRSTNAME", "ZQMEMBERID", "ZQSTREET", "ZQCITY", "ZQPOSTAL",
            "ZQSSN", BIRTH_DATE, "ZQNOTFOUND")

SUBSCRIBER = (f"NM1*IL*1*{LAST_NAME}*{FIRST_NAME}****MI*{MEMBER_ID}~\nN3*{STREET}~\n"
              f"N4*{CITY}*PA*{POSTAL_CODE}~\nDMG*D8*{BIRTH_DATE}*F~\nREF*SY*{SSN}~")


def canary_837(tmp_path: Path) -> Path:
    """The 837P fixture with every subscriber PHI element bad (too long, not a date)."""
    text = FIXTURE.replace("NM1*IL*1*ZQCANARY*ALBA****MI*ZQM000111~\nDMG*D8*19800115*F~",
                           SUBSCRIBER).replace("SE*21*0001", "SE*24*0001")
    assert BIRTH_DATE in text and "ZQCANARY" not in text
    path = tmp_path / "canary.837"
    path.write_text(text)
    return path


def canary_835(tmp_path: Path) -> Path:
    """An 835 with a bad claim status code, a bad NM108 qualifier, and an address segment
    where none belongs (pyx12 quotes N301 in "Segment N3*... not found")."""
    body = (BODY.replace("CLP*PCN1*1*", "CLP*PCN1*99*")
            .replace("NM1*QC*1*DOE*JANE****MI*M1", "NM1*QC*1*DOE*JANE****Q9*M1")
            .replace("REF*6R*L1~", "REF*6R*L1~\nN3*ZQNOTFOUND STREET~"))
    path = tmp_path / "codes.835"
    path.write_text(remit(body))
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def leaked(*texts: str) -> list[str]:
    return [c for c in CANARIES if any(c in t for t in texts)]


def test_validate_withholds_phi_values_in_json_and_on_stderr(tmp_path: Path) -> None:
    path = canary_837(tmp_path)
    result = run("validate", "--format", "json", "--ack-dir", str(tmp_path / "acks"), str(path))
    assert result.exit_code == 65
    assert leaked(result.stdout, result.stderr) == []
    [document] = json.loads(result.stdout)["files"]
    messages = {p["element"]: p["message"] for p in document["problems"]}
    assert messages["DMG02"].endswith("contains an invalid date (8 characters withheld)")
    assert "too long: the length = 70 > 60" in messages["NM103"]
    assert {"NM104", "NM109", "N301", "N401", "REF02"} <= set(messages)
    # the 999 for the trading partner is unchanged: IK404 still copies the bad value
    [ack] = (tmp_path / "acks").iterdir()
    assert f"IK4*2*1251*8*{BIRTH_DATE}~" in ack.read_text()


def test_validate_table_output_and_verdict_line_show_no_phi(tmp_path: Path) -> None:
    result = run("validate", str(canary_837(tmp_path)))
    assert result.exit_code == 65 and "invalid:" in result.stderr
    assert leaked(result.stdout, result.stderr) == []


def test_bad_codes_and_qualifiers_are_still_shown(tmp_path: Path) -> None:
    result = run("validate", "--format", "json", str(canary_835(tmp_path)))
    messages = [p["message"] for p in json.loads(result.stdout)["files"][0]["problems"]]
    assert "CLP02 99 is not a valid code for Claim Status Code" in messages
    assert "NM108 Q9 is not a valid code for Identification Code Qualifier" in messages
    not_found = next(m for m in messages if m.startswith("Segment N3"))
    assert not_found.startswith("Segment N3*(17 characters withheld) not found.")
    assert leaked(result.stdout, result.stderr) == []


def test_findings_and_acks_keep_phi_out_of_their_repr(tmp_path: Path) -> None:
    result = validate_path(canary_837(tmp_path))
    assert leaked(repr(result), repr(result.interchanges), repr(result.acks)) == []
    assert any(BIRTH_DATE in ack.text for ack in result.acks)


def test_import_validate_withholds_phi_values(tmp_path: Path) -> None:
    for number, fmt in enumerate(("table", "json")):
        db = f"sqlite:///{tmp_path / f'edi{number}.db'}"
        result = run("--db", db, "--log-level", "DEBUG", "import", "--validate", "--format", fmt,
                     str(canary_837(tmp_path)))
        assert "REJECTED_BY_VALIDATION" in result.stdout + result.stderr, result.output
        assert "(8 characters withheld)" in result.stdout + result.stderr
        assert leaked(result.stdout, result.stderr) == []


def test_parse_problems_and_stderr_show_no_phi(tmp_path: Path) -> None:
    result = run("parse", str(canary_837(tmp_path)), str(canary_835(tmp_path)))
    assert leaked(result.stderr) == []
    documents = json.loads(result.stdout)
    problems = [p for d in documents for p in d["problems"]]
    problems += [p for d in documents for c in d.get("claims", []) for p in c.get("problems", [])]
    assert leaked(json.dumps(problems)) == []
    masked = run("--mask-phi", "parse", str(canary_837(tmp_path)))
    assert leaked(masked.stdout, masked.stderr) == []


def test_the_rule_shows_codes_and_amounts_and_withholds_strings_and_dates() -> None:
    assert is_value_shown("CLP", "1029")  # CLP02 claim status code (ID)
    assert is_value_shown("NM1", "66")  # NM108 qualifier (ID)
    assert is_value_shown("CLP", "782")  # an amount (R)
    assert is_value_shown("ST", "329")  # an envelope control number
    assert not is_value_shown("NM1", "1035")  # last name
    assert not is_value_shown("NM1", "67")  # member ID
    assert not is_value_shown("DMG", "1251")  # date of birth (AN with D8)
    assert not is_value_shown("DTP", "373")  # a date (DT): of service, of admission ...
    assert is_value_shown("BPR", "373")  # BPR16: the payment's date
    assert not is_value_shown("N4", "116")  # postal code, an ID in X12
    assert not is_value_shown("XYZ", None)  # unknown: withheld
    odd = scrub_element_message("pyx12 said ZQSTREET1 here", "ZQSTREET1", segment_id="N3",
                                reference="166", name="ELEMENT_TOO_LONG")
    assert odd == "element too long in N3 element 166: its value (9 characters withheld) is not shown"
