"""The three balancing levels, written as 835 scenarios; nothing is ever fabricated."""

from __future__ import annotations

import io

from edi_posting.records.problems import Severity
from edi_posting.records.remittance import ClaimPaymentRecord, RemittanceRecord
from edi_posting.x12.remit835.parser import parse_835
from tests.x12build import build_x12

HEADER = "BPR*I*{bpr}*C*CHK************20260105~TRN*1*CHK1*1512345678~N1*PR*PLAN~N1*PE*DOC*XX*1~"


def remittance(body: str, bpr: str = "80") -> RemittanceRecord:
    text = build_x12(HEADER.format(bpr=bpr) + body)
    return parse_835(io.BytesIO(text.encode())).remittances[0]


def claim_of(body: str, bpr: str = "80") -> ClaimPaymentRecord:
    return remittance(body, bpr).claims[0]


def test_balanced_claim_with_lines_has_no_problems() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*80*10~SVC*HC:99213*100*80~CAS*CO*45*10~CAS*PR*3*10~")
    assert claim.problems == ()


def test_service_line_imbalance_names_level_segment_and_difference() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*80~SVC*HC:99213*100*80~CAS*CO*45*15~")
    service = next(p for p in claim.problems if p.code == "SERVICE_UNBALANCED")
    assert service.severity is Severity.ERROR and service.element == "SVC03"
    assert service.details == {"level": "service", "segment_position": "10", "expected": "85.00",
                               "actual": "80.00", "difference": "-5.00"}
    assert "expected 85.00, got 80.00 (difference -5.00) at segment 10" in service.message
    assert service.source is not None and service.source.segment_position == 10


def test_claim_level_adds_claim_and_line_adjustments() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*70~CAS*OA*23*10~SVC*HC:99213*100*80~CAS*CO*45*20~")
    assert claim.problems == ()  # 100 - (10 + 20) = 70 at the claim; 100 - 20 = 80 on the line
    claim = claim_of("LX*1~CLP*P1*1*100*75~CAS*OA*23*10~SVC*HC:99213*100*80~CAS*CO*45*20~",
                     bpr="75")
    problem = next(p for p in claim.problems if p.code == "CLAIM_UNBALANCED")
    assert problem.details["expected"] == "70.00" and problem.details["difference"] == "5.00"
    assert problem.details["segment_position"] == "9" and problem.element == "CLP04"


def test_claim_without_lines_balances_on_claim_adjustments_only() -> None:
    assert claim_of("LX*1~CLP*P1*1*100*80~CAS*CO*45*20~").problems == ()
    problems = claim_of("LX*1~CLP*P1*1*100*80~CAS*CO*45*25~").problems
    assert [p.code for p in problems] == ["CLAIM_UNBALANCED"]


def test_patient_responsibility_mismatch_is_a_warning() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*80*15~CAS*PR*1*20~")
    assert [(p.code, p.severity) for p in claim.problems] == [
        ("PATIENT_RESPONSIBILITY_MISMATCH", Severity.WARNING)]
    assert claim.problems[0].details["expected"] == "20.00"


def test_negative_adjustments_increase_payment() -> None:
    assert claim_of("LX*1~CLP*P1*1*100*110~CAS*CO*144*-10~", bpr="110").problems == ()


def test_transaction_level_subtracts_plb_from_claim_payments() -> None:
    body = "LX*1~CLP*P1*1*100*80~CAS*CO*45*20~PLB*1*20261231*WO:ICN*30*L6*-5~"
    assert remittance(body, bpr="55").totals.is_transaction_balanced is True
    unbalanced = remittance(body, bpr="60")
    problem = unbalanced.problems[0]
    assert (problem.code, problem.element, problem.details["level"]) == (
        "TRANSACTION_UNBALANCED", "BPR02", "transaction")
    assert problem.details["expected"] == "55.00" and problem.details["actual"] == "60.00"
    assert problem.details["segment_position"] == "4"
    assert unbalanced.totals.is_transaction_balanced is False


def test_amt_and_qty_never_enter_balancing() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*80~AMT*AU*55~QTY*CA*3~SVC*HC:99213*100*80~"
                     "CAS*CO*45*20~AMT*B6*999~")
    assert claim.problems == ()


def test_unbalanced_items_are_never_given_a_balancing_adjustment() -> None:
    claim = claim_of("LX*1~CLP*P1*1*100*50~SVC*HC:99213*100*50~CAS*CO*45*20~", bpr="50")
    assert [a.amount_cents for a in claim.service_lines[0].adjustments] == [2000]
    assert claim.adjustments == ()


def test_the_parser_checks_all_three_levels_of_a_remittance() -> None:
    parsed = remittance("LX*1~CLP*P1*1*100*80~SVC*HC:99213*100*80~CAS*CO*45*15~", bpr="90")
    codes = sorted(p.code for p in (*parsed.problems, *(q for c in parsed.claims
                                                         for q in c.problems)))
    assert codes == ["CLAIM_UNBALANCED", "SERVICE_UNBALANCED", "TRANSACTION_UNBALANCED"]
