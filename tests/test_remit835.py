"""835 transaction sets -> records: one round trip per segment the posting engine uses."""

from __future__ import annotations

import datetime as dt
import io

from edi_posting.records.problems import Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    RemittanceEnd,
    RemittanceHeader,
    RemittanceRecord,
)
from edi_posting.records.remittance_codes import (
    AdjustmentGroup,
    ClaimStatus,
    PaymentHandling,
    PaymentMethod,
    ProviderAdjustmentReason,
)
from edi_posting.x12.remit835.parser import FileEnd, ParseResult, iter_remittances, parse_835
from tests.x12build import build_x12

HEADER = """
BPR*I*132*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*888888888*DA*654321*20260105~
TRN*1*EFT12345*1512345678*SUPP~
REF*EV*RECEIVER01~
DTM*405*20260102~
N1*PR*ACME HEALTH PLAN~
N3*1 MAIN ST*SUITE 2~
N4*ANYTOWN*PA*17111~
REF*2U*99999~
PER*CX*CLAIMS DEPT*TE*8005551212*EM*claims@example.com~
PER*BL*TECH*TE*8005550000~
N1*PE*ACME CLINIC*XX*1234567893~
REF*TJ*123456789~
"""
CLAIM = """
LX*1~
CLP*PCN-1*1*200*132*20*12*ICN0001*11*1~
NM1*QC*1*DOE*JANE*Q***MI*M123~
SVC*HC:99213:25*200*132**1~
DTM*472*20251215~
CAS*CO*45*48~
CAS*PR*3*20~
REF*6R*LINE-1~
"""


def parse(*bodies: str, **kwargs: str) -> ParseResult:
    return parse_835(io.BytesIO(build_x12(*bodies, **kwargs).encode()), file_name="t.835")


def one(body: str, **kwargs: str) -> RemittanceRecord:
    result = parse(body, **kwargs)
    assert len(result.remittances) == 1
    return result.remittances[0]


def only_claim(body: str) -> ClaimPaymentRecord:
    remittance = one(HEADER + body)
    assert len(remittance.claims) == 1
    return remittance.claims[0]


def codes(problems: object) -> list[str]:
    return [p.code for p in problems]  # type: ignore[attr-defined]


def test_bpr_payment_fields_round_trip() -> None:
    payment = one(HEADER + CLAIM).header.payment
    assert payment is not None
    assert payment.handling is PaymentHandling.REMITTANCE_ONLY and payment.amount_cents == 13200
    assert (payment.credit_debit, payment.method, payment.format_code) == ("C", PaymentMethod.ACH,
                                                                           "CCP")
    assert (payment.sender_dfi_qualifier, payment.sender_dfi_id) == ("01", "999999999")
    assert (payment.sender_account_qualifier, payment.sender_account_number) == ("DA", "123456")
    assert payment.originating_company_id == "1512345678"
    assert (payment.receiver_dfi_id, payment.receiver_account_number) == ("888888888", "654321")
    assert payment.date == dt.date(2026, 1, 5) and payment.segment_position == 4


def test_unknown_codes_are_kept_raw_and_never_crash() -> None:
    header = HEADER.replace("BPR*I*132*C*ACH", "BPR*Q*132*C*ZZZ")
    remittance = one(header + CLAIM.replace("*1*200*132", "*77*200*132"))
    assert remittance.header.payment is not None
    assert remittance.header.payment.handling is None
    assert remittance.header.payment.handling_code == "Q"
    assert remittance.claims[0].status is None and remittance.claims[0].status_code == "77"


def test_trn_ref_dtm_header_round_trip() -> None:
    header = one(HEADER + CLAIM).header
    assert header.trace is not None
    assert (header.trace.trace_type, header.trace.trace_number) == ("1", "EFT12345")
    assert (header.trace.originator_id, header.trace.originator_supplemental_id) == (
        "1512345678", "SUPP")
    assert [(r.qualifier, r.value) for r in header.references] == [("EV", "RECEIVER01")]
    assert header.production_date == dt.date(2026, 1, 2)


def test_n1_payer_and_payee_with_address_refs_and_contacts() -> None:
    header = one(HEADER + CLAIM).header
    payer, payee = header.payer, header.payee
    assert payer is not None and payee is not None
    assert payer.name == "ACME HEALTH PLAN" and payer.address_lines == ("1 MAIN ST", "SUITE 2")
    assert (payer.city, payer.state, payer.postal_code) == ("ANYTOWN", "PA", "17111")
    assert payer.reference("2U") == "99999"
    assert [c.function_code for c in payer.contacts] == ["CX", "BL"]
    assert payer.contacts[0].numbers == (("TE", "8005551212"), ("EM", "claims@example.com"))
    assert (payee.id_qualifier, payee.identifier, payee.reference("TJ")) == (
        "XX", "1234567893", "123456789")


def test_clp_all_elements_round_trip() -> None:
    claim = only_claim("LX*1~CLP*PCN-9*2*1000.5*600*100*MC*ICN9*13*7*01*470*1.2345*0.5*Y~"
                       "CAS*CO*45*300.5~")
    assert (claim.patient_control_number, claim.status) == ("PCN-9", ClaimStatus.SECONDARY)
    assert (claim.charge_cents, claim.paid_cents, claim.patient_responsibility_cents) == (
        100050, 60000, 10000)
    assert (claim.filing_indicator, claim.payer_claim_control_number) == ("MC", "ICN9")
    assert (claim.facility_type, claim.frequency, claim.patient_status) == ("13", "7", "01")
    assert (claim.drg_code, claim.drg_weight, claim.discharge_fraction) == ("470", "1.2345", "0.5")
    assert claim.yes_no_condition == "Y"


def test_cas_keeps_all_six_triplets_with_quantities() -> None:
    claim = only_claim("LX*1~CLP*P*1*100*0~"
                       "CAS*CO*45*10*1*253*20**59*30*2*97*15**18*5**4*20*3~")
    found = [(a.group, a.reason_code, a.amount_cents, a.quantity) for a in claim.adjustments]
    assert found == [(AdjustmentGroup.CONTRACTUAL, "45", 1000, "1"), (AdjustmentGroup.CONTRACTUAL,
                     "253", 2000, None), (AdjustmentGroup.CONTRACTUAL, "59", 3000, "2"),
                     (AdjustmentGroup.CONTRACTUAL, "97", 1500, None),
                     (AdjustmentGroup.CONTRACTUAL, "18", 500, None),
                     (AdjustmentGroup.CONTRACTUAL, "4", 2000, "3")]
    assert claim.problems == ()


def test_nm1_names_with_id_qualifiers() -> None:
    claim = only_claim(CLAIM.replace("SVC*", "NM1*IL*1*ROE*RICHARD****MI*SUB1~"
                       "NM1*74*1******C*NEWID~NM1*82*1*SMITH*JOHN****XX*1234567893~"
                       "NM1*TT*2*CROSSOVER CO*****PI*CX1~NM1*PR*2*NEXT PAYER*****PI*NP1~"
                       "NM1*GB*1*OTHER*SUB****MI*OS1~SVC*"))
    by_entity = {n.entity_code: n for n in claim.names}
    assert list(by_entity) == ["QC", "IL", "74", "82", "TT", "PR", "GB"]
    patient = claim.name("QC")
    assert patient is not None
    assert (patient.last_name, patient.first_name, patient.middle_name) == ("DOE", "JANE", "Q")
    assert (by_entity["74"].id_qualifier, by_entity["74"].identifier) == ("C", "NEWID")
    assert by_entity["TT"].last_name == "CROSSOVER CO" and by_entity["TT"].entity_type == "2"


def test_moa_and_mia_with_remark_codes() -> None:
    claim = only_claim(CLAIM.replace("SVC*", "MOA*0.8*12.5*MA01*MA18*N387***3.25*4~SVC*"))
    assert claim.outpatient is not None
    assert claim.outpatient.remark_codes == ("MA01", "MA18", "N387")
    assert (claim.outpatient.reimbursement_rate, claim.outpatient.hcpcs_payable_cents) == (
        "0.8", 1250)
    assert (claim.outpatient.esrd_payment_cents,
            claim.outpatient.nonpayable_professional_cents) == (325, 400)
    claim = only_claim("LX*1~CLP*P*1*100*100~MIA*5*10*2*300*MA15*1" + "*" * 14 + "N1*N2***7~")
    assert claim.inpatient is not None
    assert (claim.inpatient.covered_days, claim.inpatient.pps_operating_outlier_cents) == ("5",
                                                                                           1000)
    assert claim.inpatient.drg_amount_cents == 30000
    assert claim.inpatient.remark_codes == ("MA15", "N1", "N2")
    assert dict(claim.inpatient.other_amounts_cents) == {"MIA06": 100, "MIA24": 700}


def test_claim_ref_dtm_per_amt_qty_round_trip() -> None:
    claim = only_claim(CLAIM.replace("LX*1~", "LX*1~").replace(
        "NM1*QC", "REF*1L*GROUP1~REF*F8*ORIGINAL~DTM*232*20251201~DTM*233*20251231~"
        "PER*CX*DESK*TE*8005551111~AMT*AU*150~AMT*I*1.5~QTY*CA*2~NM1*QC"))
    assert [(r.qualifier, r.value) for r in claim.references] == [("1L", "GROUP1"),
                                                                   ("F8", "ORIGINAL")]
    assert [(d.qualifier, d.date) for d in claim.dates] == [("232", dt.date(2025, 12, 1)),
                                                            ("233", dt.date(2025, 12, 31))]
    assert claim.contacts[0].name == "DESK"
    assert [(a.qualifier, a.amount_cents) for a in claim.amounts] == [("AU", 15000), ("I", 150)]
    assert [(q.qualifier, q.quantity) for q in claim.quantities] == [("CA", "2")]


def test_svc_composite_modifiers_description_and_svc06() -> None:
    claim = only_claim("LX*1~CLP*P*1*100*80~"
                       "SVC*HC:99214:25:59:GT:95:OFFICE VISIT*100*80*0450*2*HC:99215:25*3~"
                       "CAS*CO*45*20~")
    line = claim.service_lines[0]
    assert (line.procedure.qualifier, line.procedure.code) == ("HC", "99214")
    assert line.procedure.modifiers == ("25", "59", "GT", "95")
    assert line.procedure_description == "OFFICE VISIT"
    assert (line.charge_cents, line.paid_cents, line.revenue_code) == (10000, 8000, "0450")
    assert (line.paid_units, line.original_units) == ("2", "3")
    assert line.original_procedure is not None
    assert (line.original_procedure.code, line.original_procedure.modifiers) == ("99215", ("25",))
    assert claim.problems == ()


def test_service_line_dtm_cas_ref_amt_qty_lq_round_trip() -> None:
    claim = only_claim("LX*1~CLP*P*1*100*80~SVC*NU:0450*100*80~DTM*150*20251201~"
                       "DTM*151*20251203~CAS*CO*45*20~REF*6R*L1~REF*LU*OFFICE~AMT*B6*80~"
                       "QTY*ZK*1~LQ*HE*N130~LQ*HE*M15~LQ*RX*70~")
    line = claim.service_lines[0]
    assert line.procedure.qualifier == "NU" and line.service_date == dt.date(2025, 12, 1)
    assert line.line_control_number == "L1"
    assert [a.reason_code for a in line.adjustments] == ["45"]
    assert [(a.qualifier, a.amount_cents) for a in line.amounts] == [("B6", 8000)]
    assert [(q.qualifier, q.quantity) for q in line.quantities] == [("ZK", "1")]
    assert [(r.qualifier, r.code) for r in line.remark_codes] == [("HE", "N130"), ("HE", "M15"),
                                                                  ("RX", "70")]


def test_plb_keeps_every_reason_reference_amount_pair() -> None:
    remittance = one(HEADER.replace("BPR*I*132", "BPR*I*82") + CLAIM
                     + "PLB*1234567893*20261231*WO:ICN0001*100*L6*-25*FB:FCN7*-5*CS:PCN-1*-20~")
    found = [(a.reason, a.reference_id, a.amount_cents) for a in remittance.provider_adjustments]
    assert found == [(ProviderAdjustmentReason.OVERPAYMENT_RECOVERY, "ICN0001", 10000),
                     (ProviderAdjustmentReason.INTEREST_OWED, None, -2500),
                     (ProviderAdjustmentReason.FORWARDING_BALANCE, "FCN7", -500),
                     (ProviderAdjustmentReason.ADJUSTMENT, "PCN-1", -2000)]
    first = remittance.provider_adjustments[0]
    assert (first.provider_id, first.fiscal_period_date) == ("1234567893", dt.date(2026, 12, 31))
    assert remittance.totals.is_transaction_balanced is True and remittance.problems == ()


def test_lx_ts3_ts2_summaries_are_informational() -> None:
    body = HEADER + CLAIM.replace("LX*1~", "LX*1~TS3*1234567893*11*20261231*1*200*****50~TS2*5~")
    remittance = one(body)
    summary = remittance.summaries[0]
    assert (summary.number, summary.provider_id, summary.claim_count) == ("1", "1234567893", "1")
    assert summary.fiscal_period_end == dt.date(2026, 12, 31) and summary.total_charge_cents == 20000
    assert dict(summary.other_amounts_cents) == {"TS310": 5000, "TS201": 500}


def test_bad_amount_is_an_error_on_its_element_and_never_rounded() -> None:
    claim = only_claim(CLAIM.replace("*200*132*20*", "*200.005*132*20*"))
    problem = claim.problems[0]
    assert (problem.code, problem.severity, problem.element) == ("INVALID_AMOUNT",
                                                                 Severity.ERROR, "CLP03")
    assert claim.charge_cents == 0 and "CLAIM_UNBALANCED" not in codes(claim.problems)
    claim = only_claim(CLAIM.replace("CAS*CO*45*48", "CAS*CO*45*4X"))
    assert [(p.code, p.element) for p in claim.problems] == [("INVALID_AMOUNT", "CAS03")]


def test_bad_date_is_an_error_on_the_element_and_the_date_stays_none() -> None:
    claim = only_claim(CLAIM.replace("DTM*472*20251215", "DTM*472*20251340"))
    assert claim.service_lines[0].dates[0].date is None
    assert [(p.code, p.element) for p in claim.problems] == [("INVALID_DATE", "DTM02")]


def test_gs01_must_be_hp() -> None:
    remittance = one(HEADER + CLAIM, functional_id="HC")
    assert [(p.code, p.severity) for p in remittance.problems] == [("GS01_NOT_HP", Severity.ERROR)]


def test_4010_files_are_read_like_5010() -> None:
    remittance = one(HEADER + CLAIM.replace("CAS*PR*3*20", "CAS*CR*3*20"), version="004010X091A1")
    assert remittance.problems == () and len(remittance.claims) == 1
    assert remittance.claims[0].service_lines[0].adjustments[1].group is (
        AdjustmentGroup.CORRECTION_REVERSAL)


def test_a_fatal_set_does_not_stop_the_others() -> None:
    result = parse(CLAIM, HEADER + CLAIM)
    first, second = result.remittances
    assert "MISSING_BPR" in codes(first.problems) and not first.is_usable
    assert second.is_usable and len(second.claims) == 1 and not result.is_rejected


def test_a_non_835_set_is_fatal_and_skipped() -> None:
    result = parse("BHT*0019*00*1*20260101~", transaction_id="837", functional_id="HC",
                   version="005010X222A1")
    assert codes(result.remittances[0].problems) == ["NOT_835"] and result.is_rejected


def test_streaming_yields_header_then_claims_then_end_then_file_end() -> None:
    text = build_x12(HEADER + CLAIM + CLAIM.replace("PCN-1", "PCN-2").replace("LX*1~", ""))
    events = list(iter_remittances(io.BytesIO(text.encode())))
    assert [type(e) for e in events] == [RemittanceHeader, ClaimPaymentRecord, ClaimPaymentRecord,
                                         RemittanceEnd, FileEnd]
    end = events[3]
    assert isinstance(end, RemittanceEnd) and end.totals.claim_count == 2
    assert isinstance(events[-1], FileEnd) and len(events[-1].sha256) == 64


def test_reversal_and_correction_keep_their_own_claims() -> None:
    body = HEADER.replace("BPR*I*132", "BPR*I*0") + """
    LX*1~CLP*PCN-1*22*-200*-132*-20*12*ICN0001~CAS*CO*45*-48~CAS*PR*3*-20~
    CLP*PCN-1*1*200*132*20*12*ICN0002~CAS*CO*45*48~CAS*PR*3*20~"""
    remittance = one(body)
    assert [c.status for c in remittance.claims] == [ClaimStatus.REVERSED, ClaimStatus.PRIMARY]
    assert remittance.claims[0].is_reversal and remittance.claims[0].paid_cents == -13200
    assert remittance.totals.is_transaction_balanced is True
    assert all(c.problems == () for c in remittance.claims)


def test_claim_source_names_the_clp_segment() -> None:
    claim = one(HEADER + CLAIM).claims[0]
    assert claim.source.segment_position == 17
    assert claim.source.transaction_set_control_number == "0001"
    assert claim.service_lines[0].source.segment_position == 19
