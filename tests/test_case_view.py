"""`queue show ID`: one readable case per kind, with everything that decides it (issue 23,
"See the case"): the 835's own facts, candidates by PCN, codes described, the difference,
the original and correction, the PLB, the credit, the differing fields, the findings and
the 999, the commands that finish it, and the raw segments read from the archive."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select, update

import edi_posting
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.models import ReceivedFile
from tests.test_queue_money import item_id
from tests.test_validation import BODY
from tests.test_validation import remit as validated_remit
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc
from tests.x837 import HEADER, claim, subscriber

OFFICE_VISIT = (("HC:99213", "100"),)
CASE_KEYS = ["payer_name", "claim", "payment", "adjudication", "candidates", "duplicate",
             "denial", "balancing", "reversal", "plb", "credit", "differences", "rejection",
             "billed_twice", "deposit", "actions", "segments", "keyed_rows", "keyed_problems"]


def _show(practice: Practice, ident: int, *args: str) -> Any:
    url = practice.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(main, ["--db", url, *args, "queue", "show", str(ident)])
    return result


def _text(practice: Practice, ident: int, *args: str) -> list[str]:
    result = _show(practice, ident, *args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _actions(lines: list[str]) -> dict[str, str]:
    """The "to finish it" section: command -> what it does (the preview under each
    command, indented further, is tests/test_case_preview.py's)."""
    start = lines.index("to finish it:") + 1
    found = {}
    for line in lines[start:]:
        if line.startswith("      "):
            continue
        if not line.startswith("  edi-posting "):
            break
        command, does = line.split("  # ", 1)
        found[command.strip()] = does
    return found


def _case(practice: Practice, ident: int) -> dict[str, Any]:
    detail = edi_posting.show_queue_item(edi_posting.Session(practice.engine), ident)
    assert list(detail["case"]) == CASE_KEYS
    return detail["case"]  # type: ignore[no-any-return]


def test_an_unmatched_payment_shows_the_835_facts_and_candidates_by_pcn(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20"), trace="EFT555"))
    ident = item_id(practice, "unmatched_payment")
    lines = _text(practice, ident)
    assert lines[:2] == [f"review item {ident}: unmatched_payment, open, priority 2",
                         "amount: 80.00"]
    assert any(line.startswith("payment (the 835 as sent): claim payment ") for line in lines)
    for expected in [
            "  patient control number (CLP01): WRONG9",
            "  claim status (CLP02): 1 (Processed as Primary)",
            "  payer claim number (CLP07): PAYER77",
            "  patient: ZQCANARY, ALBA; member ID: ZQM999999",
            "  service dates: 2026-02-20 to 2026-02-20",
            "  charge 100.00, paid 80.00, patient responsibility 0.00",
            "  check/EFT (TRN02): EFT555 (ACH) of 2026-03-10, remittance total 80.00",
            "  payer: ACME HEALTH",
            "candidates (by PCN):",
            "    balances: insurance 100.00, patient 0.00, total 100.00; already paid: no",
            ("    CO-45 20.00: Charge exceeds fee schedule/maximum allowable or contracted/"
            "legislated fee arrangement.")]:
        assert expected in lines
    [candidate] = [line for line in lines if line.startswith("  PCN1 (score ")]
    assert candidate.endswith("patient ZQCANARY, ALBA; payer ACME HEALTH; charge 100.00; "
                              "dates 2026-02-20 to 2026-02-20")
    assert _actions(lines)[f"edi-posting queue apply {ident} --claim PCN1"] == (
        "apply the payment to PCN1")
    assert _actions(lines)[f"edi-posting queue return {ident} --reason WHY --dry-run"] == (
        "see what returning the cash to its payer would post (money that is not ours)")
    assert "raw segments (as sent):" in lines
    assert any(line.endswith("  CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~") for line in lines)
    assert "codes:" in lines  # the 835's CARCs, though the item's evidence names none
    detail = edi_posting.show_queue_item(edi_posting.Session(practice.engine), ident)
    assert [(c["list"], c["code"]) for c in detail["codes"]] == [("CARC", "45")]
    case = _case(practice, ident)
    assert case["payment"]["member_id"] == "ZQM999999"
    assert [(c["patient_control_number"], c["already_paid"]) for c in case["candidates"]] == [
        ("PCN1", False)]
    assert "member ID" in case["candidates"][0]["differed"]
    assert case["segments"][0]["segment"] == "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~"


def test_phi_is_masked_in_the_case_and_its_raw_segments_under_mask_phi(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", "CLP*WRONG9*1*100*80*0*12*PAYER77*11*1~\n"
                                 "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM999999~\n"
                           + svc("99213", "100", "80", "CO*45*20")))
    lines = _text(practice, item_id(practice, "unmatched_payment"), "--mask-phi")
    assert "  patient: Z., A.; member ID: *****9999" in lines
    assert not [line for line in lines if "ZQCANARY" in line or "ZQM999999" in line]


def test_a_duplicate_payment_shows_both_payments_and_the_credit_it_would_create(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    practice.receive(remit("80", paid, trace="EFT1", date="20260310"))
    practice.receive(remit("80", paid, trace="EFT2", date="20260317"))
    ident = item_id(practice, "unmatched_payment")
    lines = _text(practice, ident)
    i = lines.index("duplicate payment (side by side):")
    assert lines[i + 1:i + 4] == ["  this payment: 835 EFT2 of 2026-03-17, paid 80.00",
                                  "  earlier payment: 835 EFT1 of 2026-03-10, paid 80.00",
                                  "  credit if applied: 80.00"]
    assert _actions(lines)[f"edi-posting queue apply {ident} --claim PCN1 --confirm"] == (
        "post its cash alone onto PCN1, leaving a credit of 80.00 to refund")
    case = _case(practice, ident)
    assert case["duplicate"]["credit_if_applied"] == "80.00"
    assert case["claim"]["balances"]["insurance"] == "0.00"


def test_a_denial_shows_codes_described_per_line_and_the_amount_at_risk(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100") + "LQ*HE*N822~\n"),
                           method="NON"))
    ident = item_id(practice, "denial")
    lines = _text(practice, ident)
    i = lines.index("  line 1 99213: charge 100.00, paid 0.00")
    assert lines[i + 1].startswith("    CO-16 100.00: Claim/service lacks information")
    assert lines[i + 2].startswith("    N822: ")
    assert lines[lines.index("denial:") + 1:lines.index("denial:") + 3] == [
        "  amount at risk: 100.00", "  payer claim number (CLP07): ICN1"]
    assert f"edi-posting queue write-off {ident} --reason CODE --note WHY" in _actions(lines)
    case = _case(practice, ident)
    assert case["denial"] == {"amount_at_risk": "100.00"}
    assert case["adjudication"]["lines"][0]["remarks"][0]["rarc"] == "N822"


def test_a_claim_balancing_failure_shows_level_segment_and_difference(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1", "CAS*CO*45*10~",
                                     svc("99213", "100", "70", "CO*45*30"))))
    ident = item_id(practice, "balancing_failure")
    lines = _text(practice, ident)
    i = lines.index("balancing:")
    clp_at = next(s["position"] for s in _case(practice, ident)["segments"]
                  if s["segment"].startswith("CLP*"))
    assert lines[i + 1] == (f"  claim level at segment {clp_at} (CLP04): expected 60.00, "
                            "got 70.00, difference 10.00")
    assert f"edi-posting queue post-as-sent {ident} --reason WHY" in _actions(lines)
    assert _case(practice, ident)["balancing"][0]["level"] == "claim"


def test_a_set_balancing_failure_shows_the_difference_and_the_set_header_as_sent(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("90", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT9"))
    ident = item_id(practice, "balancing_failure")
    lines = _text(practice, ident)
    i = lines.index("balancing:")
    assert lines[i + 1] == ("  transaction level at segment 4 (BPR02): expected 80.00, got 90.00, "
                            "difference 10.00")
    assert _actions(lines)[f"edi-posting queue apply {ident} --claim PCN"] == (
        "apply the held set's cash to its claims (--amount A per claim)")  # not post-as-sent
    segments = lines[lines.index("raw segments (as sent):") + 1:lines.index("events:") - 1]
    assert segments[0] == "       3  ST*835*0001*005010X221A1~"
    assert "      10  CLP*PCN1*1*100*80*0*12*ICN1*11*1~" in segments  # held: the whole set
    assert segments[-1].endswith("  CAS*CO*45*20~")
    assert _case(practice, ident)["balancing"][0]["level"] == "transaction"


def test_an_orphan_reversal_says_why_no_original_and_names_the_correction(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("-20",
                           clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                               svc("99213", "-100", "-80", "CO*45*-20")),
                           clp("PCN1", "1", "100", "60", "0", "ICN1",
                               svc("99213", "100", "60", "CO*45*40"))))
    ident = item_id(practice, "orphan_reversal")
    lines = _text(practice, ident)
    i = lines.index("reversal:")
    assert lines[i + 1] == "  payer claim number (CLP07): ICN1"
    assert lines[i + 2] == "  original: none found (no earlier payment of this claim was received)"
    assert lines[i + 3].startswith("  candidate correction: claim payment ")
    assert lines[i + 3].endswith("(PCN1), 835 TRACE1 of 2026-03-10, paid 60.00 (posted)")
    assert _actions(lines)[f"edi-posting queue apply {ident} --claim PCN1"] == (
        "take the reversal off PCN1: its balance is owed again")
    assert _case(practice, ident)["reversal"]["originals"] == []


def test_awaiting_correction_shows_the_original_payment_and_how_to_link_a_correction(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-80", clp("PCN1", "22", "-100", "-80", "0", "ICN1",
                                      svc("99213", "-100", "-80", "CO*45*-20")), trace="EFT2"))
    ident = item_id(practice, "awaiting_correction")
    lines = _text(practice, ident)
    [original] = [line for line in lines if line.startswith("  original: claim payment ")]
    assert original.endswith(", 835 EFT1 of 2026-03-10, paid 80.00 (reversed)")
    assert "  balances: insurance 100.00, patient 0.00, total 100.00" in lines
    assert ("  candidate correction: none received with the same payer claim number"
            in lines)
    case = _case(practice, ident)
    assert case["reversal"]["why_no_original"] is None
    assert case["actions"][-1]["command"] == f"edi-posting queue escalate {ident} --to lead --note WHY"


def test_an_unlinked_plb_shows_reason_reference_and_the_claims_it_may_belong_to(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("-15", trace="EFT2",
                           plb="PLB*1234567893*20261231*WO:NOSUCHREF*15~\n"))
    ident = item_id(practice, "unlinked_plb")
    lines = _text(practice, ident)
    i = lines.index("provider adjustment (PLB):")
    assert lines[i + 1].startswith("  reason WO (")
    assert lines[i + 1].endswith("), reference NOSUCHREF, amount 15.00, segment "
                                 + lines[i + 1].rsplit(" ", 1)[1])
    assert lines[i + 2] == "  may belong to: no claim of ours by PCN or payer claim number"
    assert any(line.endswith("  PLB*1234567893*20261231*WO:NOSUCHREF*15~") for line in lines)
    assert f"edi-posting queue place-plb {ident} --note WHY" in _actions(lines)
    assert _case(practice, ident)["plb"]["reference"] == "NOSUCHREF"


def test_an_unlinked_plb_names_a_claim_billed_since_by_its_pcn(practice: Practice) -> None:
    practice.receive(remit("-15", plb="PLB*1234567893*20261231*WO:LATE1 XYZ*15~\n"))
    practice.bill(("LATE1", OFFICE_VISIT))
    ident = item_id(practice, "unlinked_plb")
    lines = _text(practice, ident)
    assert ("  may belong to: LATE1 (by patient control number, payer ACME HEALTH)" in lines)
    assert _actions(lines)[f"edi-posting queue place-plb {ident} --claim LATE1"] == (
        "place it on LATE1 (its patient control number)")


def test_a_credit_balance_shows_its_side_cause_and_age(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20"))
    practice.receive(remit("80", paid, trace="EFT1"))
    practice.receive(remit("80", paid, trace="EFT2"))
    url = practice.engine.url.render_as_string(hide_password=False)
    duplicate = item_id(practice, "unmatched_payment")
    applied = CliRunner().invoke(main, ["--db", url, "queue", "apply", str(duplicate),
                                        "--claim", "PCN1", "--confirm"])
    assert applied.exit_code == 0, applied.output
    ident = item_id(practice, "credit_balance")
    lines = _text(practice, ident)
    i = lines.index("credit balance:")
    assert lines[i + 1] == "  side: insurance (ACME HEALTH)"
    assert lines[i + 2] == "  credit: 80.00"
    assert lines[i + 4].startswith("  since: ") and lines[i + 4].endswith(" days)")
    assert f"edi-posting queue refund {ident} --reason WHY" in _actions(lines)
    assert _case(practice, ident)["credit"]["side"] == "insurance"


def test_a_duplicate_conflict_shows_the_fields_that_differ(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     svc("99213", "100", "80", "CO*45*20")), trace="EFT1"))
    practice.receive(remit("70", clp("PCN1", "1", "100", "70", "0", "ICN1",
                                     svc("99213", "100", "70", "CO*45*30")), trace="EFT1"))
    ident = item_id(practice, "duplicate_conflict")
    lines = _text(practice, ident)
    i = lines.index("differences (stored set -> received set):")
    assert "  BPR02: 80.00 -> 70.00" in lines[i:]
    assert "  paid_total: 80.00 -> 70.00" in lines[i:]
    assert f"edi-posting queue dismiss {ident} --reason WHY" in _actions(lines)
    assert {"field": "BPR02", "stored": "80.00", "received": "70.00"} in _case(
        practice, ident)["differences"]


def test_a_rejected_set_shows_the_validation_findings_and_the_999_sent(
        practice: Practice, tmp_path: Path) -> None:
    bad = BODY.replace("20260105~", "20261350~").replace("EFT1", "EFT2")
    path = write_x12(tmp_path, validated_remit(bad), "bad.835")
    practice.options = replace(practice.options, validate=True)
    practice.import_text(path.read_text(), "bad.835")
    ident = item_id(practice, "rejected_file")
    lines = _text(practice, ident)
    i = lines.index("validation findings:")
    assert lines[i + 1].startswith("  FATAL REJECTED_BY_VALIDATION at segment ")
    assert "  999 sent (rejected):" in lines
    assert any(line.startswith("    IK5*R*") for line in lines)
    case = _case(practice, ident)
    assert case["rejection"]["acknowledgements"][0]["kind"] == "999"


def test_a_claim_billed_twice_shows_both_submissions_and_its_clm_loop(
        practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    again = HEADER.split("~", 1)[1].replace("BATCH1", "BATCH2") + subscriber(2) + claim(
        "PCN1", ("HC:99213", "100"))
    practice.import_text(build_x12(again, functional_id="HC", transaction_id="837",
                                   version="005010X222A1", interchange_control="000000777"),
                         "again.837")
    ident = item_id(practice, "duplicate_claim")
    lines = _text(practice, ident)
    i = lines.index("billed twice (side by side):")
    assert lines[i + 1].startswith("  earlier: claim 1, file ")
    assert lines[i + 2].startswith("  new: claim 2, file ")
    assert f"edi-posting queue dismiss {ident} --reason WHY" in _actions(lines)
    segments = lines[lines.index("raw segments (as sent):") + 1:lines.index("events:") - 1]
    assert segments[0].endswith("  CLM*PCN1*100***11:B:1*Y*A*Y*Y~")
    assert _case(practice, ident)["billed_twice"]["new"]["claim_id"] == 2


def test_show_refuses_a_tampered_archive_with_exit_65(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON"))
    ident = item_id(practice, "denial")
    with write_transaction(practice.engine) as conn:
        file_id = conn.execute(select(ReceivedFile.id).where(ReceivedFile.kind == "835")).scalar()
        conn.execute(update(ReceivedFile).where(ReceivedFile.id == file_id)
                     .values(content=b"ISA*tampered~"))
    result = _show(practice, ident)
    assert result.exit_code == 65
    assert "differ from the recorded SHA-256" in result.stderr
    assert result.stdout == ""


def test_show_json_keeps_the_item_keys_and_the_case(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    practice.receive(remit("0", clp("PCN1", "4", "100", "0", "0", "ICN1",
                                    svc("99213", "100", "0", "CO*16*100")), method="NON"))
    ident = item_id(practice, "denial")
    result = CliRunner().invoke(main, ["--db", practice.engine.url.render_as_string(
        hide_password=False), "queue", "show", str(ident), "--format", "json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert {"id", "kind", "status", "amount", "evidence", "codes", "events", "case"} <= set(shown)
    assert list(shown["case"]) == CASE_KEYS
