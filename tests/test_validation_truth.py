"""Validation that tells the truth (issue 20): valid files accepted, invalid ones named.

Each test is a defect found in the field, written as X12 inside the test: a valid file
pyx12 refused, an invalid one that passed, or a wrong diagnosis.
"""

from __future__ import annotations

from pathlib import Path

from edi_posting.x12.remit835.parser import parse_835
from tests.test_validation import BODY, remit, tags, validate
from tests.x12build import build_x12

PLB_L6 = "PLB*1234567893*20261231*L6:PCN1*-5~"
PLB_WO = "PLB*1234567893*20261231*WO:PCN1*5~"
CLAIM_837 = """
BHT*0019*00*0123*20260101*1200*CH~
NM1*41*2*PREMIER BILLING*****46*TGJ23~
PER*IC*JERRY*TE*3055552222~
NM1*40*2*KEY INSURANCE*****46*66783JJT~
HL*1**20*1~
NM1*85*2*BEN KILDARE SERVICE*****XX*9876543210~
N3*234 SEAWAY ST~
N4*MIAMI*FL*33111~
REF*EI*587654321~
HL*2*1*22*0~
SBR*P*18*******CI~
NM1*IL*1*SMITH*TED****MI*000221111A~
N3*236 N MAIN ST~
N4*MIAMI*FL*33413~
DMG*D8*19430501*M~
NM1*PR*2*ACME PLAN*****PI*999996666~
CLM*26463774*100***11:B:1*Y*A*Y*I~
HI*ABK:J020~
LX*1~
SV1*HC:99213*100*UN*1***1~
DTP*472*D8*20260101~
"""


def claim_837(version: str) -> str:
    return build_x12(CLAIM_837, functional_id="HC", transaction_id="837", version=version)


# -- valid files refused -----------------------------------------------------------------


def test_835_with_two_plb_segments_is_valid(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY + PLB_L6 + PLB_WO))
    assert result.valid, [p.message for p in result.problems]
    assert "IK5*A" in tags(result.acks[0])


def test_corrected_plb_map_still_rejects_what_the_guide_forbids(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY + PLB_L6 + PLB_WO + "PLB*1234567893~"))
    assert not result.valid
    assert any(p.code == "REQUIRED_ELEMENT_MISSING" and p.element.startswith("PLB")
               for p in result.problems)


def test_837p_errata_x222a2_is_checked_with_the_x222a1_map_and_a_warning(
    tmp_path: Path,
) -> None:
    result = validate(tmp_path, claim_837("005010X222A2"), name="claims.837")
    assert result.valid, [p.message for p in result.problems]
    [note] = result.problems
    assert note.code == "GUIDE_SUBSTITUTED" and note.severity.name == "WARNING"
    assert "005010X222A2" in note.message and "005010X222A1" in note.message
    body = tags(result.acks[0])
    assert body[1:4] == ["AK1*HC*1*005010X222A2", "AK2*837*0001*005010X222A2", "IK5*A"]


def test_837p_errata_still_rejects_a_structural_error(tmp_path: Path) -> None:
    text = claim_837("005010X222A2").replace("DMG*D8*19430501*M~", "DMG*D8*19431301*M~")
    result = validate(tmp_path, text, name="claims.837")
    assert not result.valid
    assert any(p.code == "INVALID_DATE" for p in result.problems)


def test_837i_errata_x223a3_is_checked_with_the_x223a2_map(tmp_path: Path) -> None:
    result = validate(tmp_path, claim_837("005010X223A3"), name="claims.837")
    assert [p.code for p in result.problems if p.severity.name == "WARNING"] == [
        "GUIDE_SUBSTITUTED"]
    assert "005010X223A2" in result.problems[0].message


def test_837d_x224a2_has_no_map_and_is_accepted_with_a_warning(tmp_path: Path) -> None:
    result = validate(tmp_path, claim_837("005010X224A2"), name="claims.837")
    assert result.valid, [p.message for p in result.problems]
    [note] = result.problems
    assert note.code == "GUIDE_NOT_CHECKED" and "005010X224A2" in note.message
    body = tags(result.acks[0])
    assert body[1:5] == ["AK1*HC*1*005010X224A2", "AK2*837*0001*005010X224A2", "IK5*A",
                         "AK9*A*1*1*1"]


def test_an_invalid_code_value_is_shown_in_the_message(tmp_path: Path) -> None:
    """A code value is not PHI: pyx12's code-list findings and our own code lists both
    name the code (remark codes are checked by our lists, pyx12's 2014 list is dropped)."""
    text = remit(BODY.replace("NM1*QC*1*DOE*JANE****MI*M1~", "NM1*QC*9*DOE*JANE****MI*M1~"
                              "MOA***ZZ99~"))
    result = validate(tmp_path, text)
    [by_map] = [p for p in result.problems if p.code == "INVALID_CODE_VALUE"]
    assert by_map.message.startswith("NM102 9 is not a valid code"), by_map.message
    [by_list] = [p for p in result.problems if p.code == "INVALID_RARC"]
    assert by_list.message.startswith("MOA03 'ZZ99' cannot be a code"), by_list.message
    assert not any("withheld" in p.message for p in result.problems)


# -- wrong diagnosis -----------------------------------------------------------------------


def test_an_837_under_an_835_group_header_is_named_as_such(tmp_path: Path) -> None:
    text = build_x12(CLAIM_837, functional_id="HP", transaction_id="837",
                     version="005010X221A1")
    result = validate(tmp_path, text, name="claims.837")
    assert not result.valid
    [problem] = result.problems
    assert problem.code == "ST01_DOES_NOT_MATCH_GROUP" and problem.element == "ST"
    assert problem.details == {"x12": "IK502=1"}
    assert "ST01 837" in problem.message and "GS01 HP" in problem.message
    assert tags(result.acks[0])[1:5] == ["AK1*HP*1*005010X221A1", "AK2*837*0001*005010X221A1",
                                         "IK5*R*1", "AK9*R*1*1*0"]


def test_only_the_mismatched_set_of_a_group_is_rejected(tmp_path: Path) -> None:
    text = remit(BODY, BODY).replace("ST*835*0002", "ST*837*0002")
    result = validate(tmp_path, text)
    assert result.set_status == {("000000001", "1", "0001"): "A",
                                 ("000000001", "1", "0002"): "R"}
    assert [p.code for p in result.problems] == ["ST01_DOES_NOT_MATCH_GROUP"]


def test_an_835_under_an_837_group_header_is_a_wrong_functional_identifier(
        tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY, functional_id="HC"))
    assert not result.valid
    group = [p for p in result.problems if p.element == "GS"]
    assert [(p.code, p.details) for p in group] == [
        ("FUNCTIONAL_GROUP_NOT_SUPPORTED", {"x12": "AK905=1"})]
    assert "GS01 HC" in group[0].message and "HP" in group[0].message
    assert "version" not in group[0].message
    assert tags(result.acks[0])[1:3] == ["AK1*HC*1*005010X221A1", "AK9*R*1*1*0*1"]


def test_gs06_02_and_ge02_2_are_the_same_number(tmp_path: Path) -> None:
    """GS06 and GE02 are numeric (N0, element 28): X12 compares their values, and 02 = 2."""
    text = remit(BODY, group_control="02").replace("GE*1*02~", "GE*1*2~")
    result = validate(tmp_path, text)
    assert result.valid, [p.message for p in result.problems]
    assert tags(result.acks[0])[1] == "AK1*HP*02*005010X221A1"
    parsed = parse_835(tmp_path / "remit.835")
    assert [p.code for p in parsed.problems] == []


def test_a_ge02_of_another_number_still_mismatches(tmp_path: Path) -> None:
    text = remit(BODY, group_control="02").replace("GE*1*02~", "GE*1*3~")
    result = validate(tmp_path, text)
    assert "AK905=4" in [p.details.get("x12") for p in result.problems]


def test_a_4010_group_in_a_5010_interchange_is_checked_with_its_gs08_map(
        tmp_path: Path) -> None:
    text = remit(BODY, version="004010X091A1")
    assert "*00501*" in text and "GS*HP*SENDER*RECEIVER*20260101*1200*1*X*004010X091A1" in text
    result = validate(tmp_path, text)
    codes = [p.code for p in result.problems]
    assert "FUNCTIONAL_GROUP_VERSION_NOT_SUPPORTED" not in codes
    assert [a.kind for a in result.acks] == ["997"]
    assert "AK2*835*0001" in tags(result.acks[0])


def test_the_base_x222_guide_is_checked_with_the_x222a1_map(tmp_path: Path) -> None:
    result = validate(tmp_path, claim_837("005010X222"), name="claims.837")
    assert result.valid, [p.message for p in result.problems]
    assert [p.code for p in result.problems] == ["GUIDE_SUBSTITUTED"]


def test_an_837i_set_under_an_837p_gs08_is_named_as_such(tmp_path: Path) -> None:
    text = claim_837("005010X222A1").replace("ST*837*0001*005010X222A1",
                                             "ST*837*0001*005010X223A2")
    result = validate(tmp_path, text, name="claims.837")
    [problem] = result.problems
    assert (problem.code, problem.details) == ("ST03_DOES_NOT_MATCH_GS08", {"x12": "IK502=I6"})
    assert "005010X223A2" in problem.message and "005010X222A1" in problem.message
    assert "IK5*R*I6" in tags(result.acks[0])


def test_validate_names_a_misspelled_segment_id(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY + PLB_L6.replace("PLB*", "PLXX*")))
    messages = [p.message for p in result.problems if p.code == "UNRECOGNIZED_SEGMENT_ID"]
    assert 'Segment identifier "PLXX" is invalid' in messages
