"""`validate` runs the parser's 835 checks (balancing, CLP05 vs PR) and checks the code
values (CAS groups, CARCs, RARCs in MOA/MIA/LQ, CLP02, PLB reasons) against the shipped
code lists, on the remittance's date, in the same problem shape as `parse` (no database).
"""

from __future__ import annotations

from pathlib import Path

from tests.test_validation import BODY, remit, tags, validate


def _codes(result: object) -> list[tuple[str, str, str | None]]:
    return [(p.code, p.severity.value, p.element) for p in result.problems]  # type: ignore[attr-defined]


def test_a_payment_that_does_not_match_its_claims_is_invalid(tmp_path: Path) -> None:
    body = (BODY.replace("BPR*I*80*", "BPR*I*132*")
            .replace("CLP*PCN1*1*100*80*10", "CLP*PCN1*1*600*500*10")
            .replace("SVC*HC:99213:25*100*80", "SVC*HC:99213:25*600*500")
            .replace("CAS*CO*45*10~", "CAS*CO*45*90~"))
    result = validate(tmp_path, remit(body))
    assert not result.valid
    assert ("TRANSACTION_UNBALANCED", "ERROR", "BPR02") in _codes(result)
    [problem] = [p for p in result.problems if p.code == "TRANSACTION_UNBALANCED"]
    assert problem.details["x12"] == "IK403=I12"
    assert set(result.set_status.values()) == {"R"}
    [ack] = result.acks
    assert "IK3*BPR*2**8" in tags(ack) and "IK4*2*782*I12" in tags(ack)


def test_a_claim_that_does_not_balance_is_noted_and_its_set_accepted_with_errors(
    tmp_path: Path,
) -> None:
    """The import holds that claim (balancing_failure) and posts the rest of the payment,
    so the 999 accepts the set with errors noted (IK5 E) rather than rejecting it."""
    body = BODY.replace("CAS*CO*45*10~", "CAS*CO*45*5~").replace("BPR*I*80*", "BPR*I*80*")
    result = validate(tmp_path, remit(body))
    assert ("CLAIM_UNBALANCED", "ERROR", "CLP04") in _codes(result)
    assert ("SERVICE_UNBALANCED", "ERROR", "SVC03") in _codes(result)
    assert set(result.set_status.values()) == {"E"} and result.valid
    [ack] = result.acks
    assert "IK5*E*5" in tags(ack) and "AK9*E*1*1*1" in tags(ack)


def test_moa_ma15_is_a_valid_remark_code(tmp_path: Path) -> None:
    body = BODY.replace("NM1*QC*1*DOE*JANE****MI*M1~", "NM1*QC*1*DOE*JANE****MI*M1~MOA***MA15~")
    result = validate(tmp_path, remit(body))
    assert result.valid, result.problems
    assert result.problems == []


def test_moa_n822_is_a_valid_remark_code(tmp_path: Path) -> None:
    body = BODY.replace("NM1*QC*1*DOE*JANE****MI*M1~", "NM1*QC*1*DOE*JANE****MI*M1~MOA***N822~")
    result = validate(tmp_path, remit(body))
    assert result.valid, result.problems


def test_an_unknown_adjustment_group_code_is_invalid(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY.replace("CAS*CO*45*10~", "CAS*XX*45*10~")))
    assert not result.valid
    assert ("UNKNOWN_ADJUSTMENT_GROUP", "ERROR", "CAS01") in _codes(result)
    [ack] = result.acks
    assert "IK4*1*1033*7*XX" in tags(ack)


def test_a_remark_code_that_cannot_exist_is_invalid(tmp_path: Path) -> None:
    body = BODY.replace("REF*6R*L1~", "REF*6R*L1~LQ*HE*ZZ9~")
    result = validate(tmp_path, remit(body))
    assert not result.valid
    assert ("INVALID_RARC", "ERROR", "LQ02") in _codes(result)


def test_a_plausible_carc_missing_from_the_curated_list_is_a_warning(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY.replace("CAS*CO*45*10~", "CAS*CO*P99*10~")))
    assert result.valid
    assert _codes(result) == [("UNKNOWN_CARC", "WARNING", "CAS02")]


def test_a_carc_that_cannot_exist_is_invalid(tmp_path: Path) -> None:
    result = validate(tmp_path, remit(BODY.replace("CAS*CO*45*10~", "CAS*CO*4500*10~")))
    assert not result.valid
    assert ("INVALID_CARC", "ERROR", "CAS02") in _codes(result)


def test_the_demo_day_is_valid(tmp_path: Path) -> None:
    from edi_posting.x12.validation.validator import validate_path

    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo" / "835"
    for path in sorted(demo.glob("*.835")):
        result = validate_path(path)
        assert result.valid, (path.name, [(p.code, p.element) for p in result.problems])


def test_a_claim_status_or_plb_reason_not_in_their_complete_lists_is_invalid(
    tmp_path: Path,
) -> None:
    result = validate(tmp_path, remit(BODY.replace("CLP*PCN1*1*", "CLP*PCN1*5*")))
    assert ("UNKNOWN_CLAIM_STATUS", "ERROR", "CLP02") in _codes(result)
    body = BODY.replace("BPR*I*80*", "BPR*I*70*") + "PLB*1234567893*20261231*QQ:X1*10~"
    result = validate(tmp_path, remit(body))
    assert not result.valid
    assert ("UNKNOWN_PLB_REASON", "ERROR", "PLB03-1") in _codes(result)  # pyx12's too
    [ack] = result.acks
    assert [t for t in tags(ack) if t.startswith("IK4")] == ["IK4*3:1*426*7*QQ"]


def test_codes_are_valid_on_the_remittances_date(tmp_path: Path) -> None:
    """CR (4010's corrections group) stopped on 2012-01-01: fine in a 2011 payment."""
    from edi_posting.codes.loader import load_list
    from edi_posting.codes.records import CodeListName

    group = load_list(CodeListName.GROUP)
    import datetime as dt

    assert group.verdict("CR", dt.date(2011, 6, 1)).value == "active"
    assert group.verdict("CR", dt.date(2012, 1, 1)).value == "retired"
    result = validate(tmp_path, remit(BODY.replace("CAS*PR*3*10~", "CAS*CR*3*10~")))
    assert ("RETIRED_ADJUSTMENT_GROUP", "ERROR", "CAS01") in _codes(result)
