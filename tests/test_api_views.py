"""Claim and account views through the public API: read_phi checked, every read audited,
PHI masked for a session that masks it."""

from __future__ import annotations

from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import bill, pay, refusals, staffed


def test_a_claim_shows_its_payment_balances_codes_and_history(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7101"),
                                                pay(tmp_path, "PCN-7101")])
        detail = edi_posting.show_claim(staff["sam"], "PCN-7101")
        account = edi_posting.show_account(staff["sam"], detail["account_number"])
        timeline = edi_posting.claim_history(staff["sam"], "PCN-7101")
        reads = [(e["actor"], e["action"], e["object_id"])
                 for e in edi_posting.audit_log(staff["aud"], action="*.show")]

    assert detail["balances"] == {"insurance": "0.00", "patient": "0.00", "total": "0.00"}
    assert {"list": "CARC", "code": "45"}.items() <= detail["codes"][0].items()
    assert [c["patient_control_number"] for c in account["claims"]] == ["PCN-7101"]
    assert [row["what"] for row in timeline][:1] == ["charge"]
    assert reads == [("sam", "claim.show", "PCN-7101"),
                     ("sam", "account.show", detail["account_number"])]


def test_a_masking_session_sees_initials_not_names(database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [bill(tmp_path, "PCN-7102")])
        masked = edi_posting.open_session(database_url, actor="sam", mask_phi=True)
        try:
            patient = edi_posting.show_claim(masked, "PCN-7102")["patient"]
        finally:
            masked.close()
    assert "ZQCANARY" not in str(patient)


def test_an_unknown_claim_is_not_found_and_its_look_is_still_audited(database_url: str) -> None:
    with staffed(database_url) as staff:
        with pytest.raises(edi_posting.NotFoundError):
            edi_posting.claim_history(staff["sam"], "PCN-NONE")
        looks = edi_posting.audit_log(staff["aud"], action="history.claim")
    assert [(e["actor"], e["object_id"], e["outcome"]) for e in looks] == [
        ("sam", "PCN-NONE", "ok")]


def test_a_user_without_read_phi_is_refused_and_the_refusal_is_audited(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.add_user(staff["ada"], "ivy", "poster")
        edi_posting.set_role(staff["ada"], "ivy", "auditor")
        edi_posting.disable_user(staff["ada"], "ivy")
        ivy = edi_posting.open_session(database_url, actor="ivy")
        try:
            with pytest.raises(edi_posting.PermissionDeniedError, match="disabled"):
                edi_posting.show_account(ivy, "1234567893-1")
        finally:
            ivy.close()
        assert [e["actor"] for e in refusals(staff["aud"], "account.show")] == ["ivy"]


def test_show_claim_has_the_835s_that_adjudicated_it_denials_included_and_its_open_items(
        database_url: str, tmp_path: Path) -> None:
    from tests.test_claim_find import billed_and_paid_day

    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        denied = edi_posting.show_claim(staff["sam"], "PCN-B2")
        paid = edi_posting.show_claim(staff["sam"], "PCN-A1")

    [adjudication] = denied["adjudications"]
    assert (adjudication["trace_number"], adjudication["status_code"],
            adjudication["status_description"], adjudication["posting_state"],
            adjudication["paid"], adjudication["payer_claim_number"]) == (
        "EFT-5501", "4", "Denied", "denied", "0.00", "ICN-B2")
    [line] = adjudication["lines"]
    assert [(a["group"], a["group_description"], a["carc"], a["carc_description"],
             a["amount"]) for a in line["adjustments"]] == [
        ("CO", "Contractual Obligations", "16",
         "Claim/service lacks information or has submission/billing error(s).", "200.00")]
    assert line["rarcs_descriptions"] == {
        "M62": "Missing/incomplete/invalid treatment authorization code."}
    assert [(i["kind"], i["status"]) for i in denied["open_items"]] == [("denial", "open")]
    assert [(a["posting_state"], a["paid"]) for a in paid["adjudications"]] == [
        ("posted", "80.00")]
    assert paid["open_items"] == []


def test_show_claim_also_lists_a_payment_of_its_pcn_held_without_a_link(
        database_url: str) -> None:
    demo = edi_posting.demo_directory()
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [demo / "837", demo / "835"])
        detail = edi_posting.show_claim(staff["sam"], "A11732C0000004")

    # the demo day's payer pays A11732C0000004 a second time: held as a duplicate, linked
    # to no claim, yet it is the claim's own PCN the specialist needs to see
    assert [(a["posting_state"], a["paid"], a["linked"]) for a in detail["adjudications"]] == [
        ("posted", "88.75", True), ("duplicate", "88.75", False)]
