"""The case's raw X12 segments element by element (issue 27, the case screen): each
element with its reference, its name in the implementation guide (pyx12's maps, the name
the element has in its loop), its value as sent (masked under ``--mask-phi``, the names
kept), and the element a problem of the case names marked as failing."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from click.testing import CliRunner

import edi_posting
from edi_posting.cli import main
from edi_posting.x12.validation.element_names import ElementName, Guide, name_elements
from tests.keyed import eob_csv, line
from tests.test_queue_money import item_id
from tests.x12build import build_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

OFFICE_VISIT = (("HC:99213", "100"),)


def _segments(practice: Practice, ident: int, *, mask: bool = False) -> list[dict[str, Any]]:
    session = edi_posting.Session(practice.engine, mask_phi=mask)
    return list(edi_posting.show_queue_item(session, ident)["case"]["segments"])


def _named(segment: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    return [(e["ref"], e["name"], e["value"]) for e in segment["elements"]]


def _segment(segments: list[dict[str, Any]], text: str) -> dict[str, Any]:
    return next(s for s in segments if s["segment"].startswith(text))


def test_a_claim_balancing_failure_marks_clp04_failing_with_its_problem(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1", "CAS*CO*45*10~",
                                     svc("99213", "100", "70", "CO*45*30"))))
    ident = item_id(practice, "balancing_failure")
    segments = _segments(practice, ident)
    found = _segment(segments, "CLP*")
    assert (found["id"], found["separator"], found["terminator"]) == ("CLP", "*", "~")
    assert _named(found)[3] == ("CLP04", "Claim Payment Amount", "70")
    failing = [e for s in segments for e in s["elements"] if e["failing"]]
    assert [(e["ref"], e["value"]) for e in failing] == [("CLP04", "70")]
    assert failing[0]["problem"].startswith("claim level does not balance")
    assert not any(e["failing"] for e in _segment(segments, "SVC*")["elements"])


def test_a_set_balancing_failure_marks_bpr02_in_the_held_set(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("90", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20"))))
    segments = _segments(practice, item_id(practice, "balancing_failure"))
    bpr = _segment(segments, "BPR*")
    assert _named(bpr)[1] == ("BPR02", "Total Actual Provider Payment Amount", "90")
    assert [e["ref"] for s in segments for e in s["elements"] if e["failing"]] == ["BPR02"]
    assert _named(_segment(segments, "ST*"))[2] == (
        "ST03", "Implementation Convention Reference", "005010X221A1")


def test_an_unmatched_payment_names_the_clp_and_the_patients_nm1_elements(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                                 "NM1*82*1*HOUSE*GREG****XX*1234567893~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    segments = _segments(practice, item_id(practice, "unmatched_payment"))
    assert _named(_segment(segments, "CLP*"))[:4] == [
        ("CLP01", "Patient Control Number", "WRONG9"), ("CLP02", "Claim Status Code", "1"),
        ("CLP03", "Total Claim Charge Amount", "100"), ("CLP04", "Claim Payment Amount", "80")]
    patient = _named(_segment(segments, "NM1*QC*"))
    assert patient[2] == ("NM103", "Patient Last Name", "ZQCANARY")
    assert patient[8] == ("NM109", "Patient Identifier", "ZQM999999")
    assert _named(_segment(segments, "NM1*82*"))[2] == (
        "NM103", "Rendering Provider Last or Organization Name", "HOUSE")
    assert _named(_segment(segments, "CAS*"))[1] == ("CAS02", "Adjustment Reason Code", "45")
    assert not any(e["failing"] for s in segments for e in s["elements"])


def test_masked_segments_keep_their_element_names_and_mask_the_values(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    segments = _segments(practice, item_id(practice, "unmatched_payment"), mask=True)
    patient = _segment(segments, "NM1*QC*")
    assert [(ref, name) for ref, name, _ in _named(patient)][2] == ("NM103", "Patient Last Name")
    assert "ZQCANARY" not in json.dumps(segments) and "ZQM999999" not in json.dumps(segments)
    assert patient["elements"][2]["value"] == patient["segment"].split("*")[3]


def test_queue_show_json_gives_each_segment_its_elements(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1", "CAS*CO*45*10~",
                                     svc("99213", "100", "70", "CO*45*30"))))
    ident = item_id(practice, "balancing_failure")
    url = practice.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", url, "queue", "show", str(ident),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    clp04 = json.loads(result.stdout)["case"]["segments"][0]["elements"][3]
    assert {k: clp04[k] for k in ("ref", "name", "value", "failing")} == {
        "ref": "CLP04", "name": "Claim Payment Amount", "value": "70", "failing": True}


def test_a_billed_claims_clm_loop_is_named_from_the_837_guide(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    again = HEADER.split("~", 1)[1].replace("BATCH1", "BATCH2") + subscriber(2) + claim(
        "PCN1", ("HC:99213", "100"))
    practice.import_text(build_x12(again, functional_id="HC", transaction_id="837",
                                   version="005010X222A1", interchange_control="000000777"),
                         "again.837")
    segments = _segments(practice, item_id(practice, "duplicate_claim"))
    assert _named(segments[0])[:2] == [("CLM01", "Patient Control Number", "PCN1"),
                                       ("CLM02", "Total Claim Charge Amount", "100")]
    assert _named(_segment(segments, "SV1*"))[1] == ("SV102", "Line Item Charge Amount", "100")


def test_a_rejected_837_segment_is_named_and_its_failing_element_marked(
        practice: Practice) -> None:
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    text = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1")
    practice.options = replace(practice.options, validate=True)
    practice.import_text(text.replace("DTP*472*D8*20260220", "DTP*472*D8*20261350"), "bad.837")
    [st] = _segments(practice, item_id(practice, "rejected_file"))
    assert _named(st) == [("ST01", "Transaction Set Identifier Code", "837"),
                          ("ST02", "Transaction Set Control Number", "0001"),
                          ("ST03", "Implementation Convention Reference", "005010X222A1")]
    [failing] = [e for e in st["elements"] if e["failing"]]
    assert failing["ref"] == "ST02" and "rejected by implementation-guide" in failing["problem"]


def test_an_837_claim_problem_marks_the_element_its_problem_names(practice: Practice) -> None:
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    text = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1")
    practice.import_text(text.replace("CLM*PCN1*100", "CLM*PCN1*1O0"), "amount.837")
    segments = _segments(practice, item_id(practice, "claim_problem"))
    assert _named(segments[0])[1] == ("CLM02", "Total Claim Charge Amount", "1O0")
    assert [e["ref"] for s in segments for e in s["elements"] if e["failing"]] == ["CLM02"]


def test_a_keyed_eob_has_its_rows_problems_and_no_segments(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.import_text(eob_csv(line(line_paid="8O.00")), "eob.csv")
    case = edi_posting.show_queue_item(edi_posting.Session(practice.engine),
                                       item_id(practice, "eob_error"))["case"]
    assert case["segments"] == [] and case["keyed_problems"][0]["column"] == "line_paid"


def test_an_element_is_named_in_the_loop_its_qualifier_and_the_segment_before_it_open() -> None:
    guide = Guide("00501", "HC", "005010X222A1")
    segments = [["NM1", "IL", "1", "DOE"], ["N3", "9 ELM ST"], ["NM1", "QC", "1", "ROE"],
                ["N3", "1 OAK ST"]]
    named = [[(n.ref, n.name) for n in s] for s in name_elements(guide, segments)]
    assert named[0][2] == ("NM103", "Subscriber Last Name")
    assert named[1] == [("N301", "Subscriber Address Line")]
    assert named[2][2] == ("NM103", "Patient Last Name")
    assert named[3] == [("N301", "Patient Address Line")]


def test_an_element_the_maps_lack_keeps_its_plain_reference() -> None:
    guide = Guide("00501", "HP", "005010X221A1")
    [clp, unknown] = name_elements(guide, [["CLP", "P1", "1"] + [""] * 13, ["ZZZ", "1"]])
    assert clp[-1] == ElementName("CLP15", None)  # beyond the segment's last element
    assert unknown == [ElementName("ZZZ01", None)]
    assert name_elements(None, [["CLP", "P1"]]) == [[ElementName("CLP01", None)]]


def test_dental_5010_without_a_pyx12_map_is_named_from_the_4010_dental_map() -> None:
    [too] = name_elements(Guide("00501", "HC", "005010X224A2"), [["TOO", "JP", "3"]])
    assert too[1] == ElementName("TOO02", "Tooth Code")
