"""`remit list` and `remit show`: one row per check or EFT, and one of them whole (BPR,
TRN, payer and payee, its claims with their posting state and money, its PLB, the items it
raised, the file and set it came from); `remit show` takes the id or the trace `remit list`
prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import edi_posting
from tests.api_staff import refusals, staffed
from tests.test_claim_find import billed_and_paid_day, cli
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc

LIST_HEADER = "id,payment_date,payer,amount,method,trace,claims,posted,held,denied,items"


def test_remit_list_prints_one_row_per_remittance_and_its_filters_narrow_it(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        listed = cli(database_url, "remit", "list", "--format", "csv")
        sam = staff["sam"]
        [row] = edi_posting.list_remittances(sam)
        narrowed = {
            "trace": edi_posting.list_remittances(sam, trace="EFT-5501"),
            "other trace": edi_posting.list_remittances(sam, trace="EFT-0000"),
            "amount": edi_posting.list_remittances(sam, amount_cents=7500),
            "other amount": edi_posting.list_remittances(sam, amount_cents=7501),
            "payer": edi_posting.list_remittances(sam, payer="acme"),
            "other payer": edi_posting.list_remittances(sam, payer="zenith"),
            "dates": edi_posting.list_remittances(sam, paid_from="2026-03-01",
                                                  paid_to="2026-03-10"),
            "later": edi_posting.list_remittances(sam, paid_from="2026-03-11"),
        }

    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        LIST_HEADER, f"{row['id']},2026-03-10,ACME HEALTH,75.00,ACH,EFT-5501,2,1,0,1,1"]
    assert {name: len(rows) for name, rows in narrowed.items()} == {
        "trace": 1, "other trace": 0, "amount": 1, "other amount": 0, "payer": 1,
        "other payer": 0, "dates": 1, "later": 0}


def test_remit_show_takes_the_id_or_the_trace_remit_list_prints(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        [row] = edi_posting.list_remittances(staff["sam"])
        by_id = cli(database_url, "remit", "show", str(row["id"]), "--format", "json")
        by_trace = cli(database_url, "remit", "show", "EFT-5501", "--format", "json")
        table = cli(database_url, "remit", "show", "EFT-5501")
        looks = edi_posting.audit_log(staff["aud"], action="remit.show")

    assert (by_id.exit_code, by_trace.exit_code, table.exit_code) == (0, 0, 0), table.output
    detail = json.loads(by_id.stdout)
    assert detail == json.loads(by_trace.stdout)
    assert detail["bpr"]["amount"] == "75.00" and detail["bpr"]["method"] == "ACH"
    assert detail["trn"]["trace_number"] == "EFT-5501"
    assert detail["payee"]["name"] == "GOOD HEALTH CLINIC"
    assert [(c["pcn"], c["status_code"], c["posting_state"], c["paid"], c["patient"],
             c["adjustment"]) for c in detail["claims"]] == [
        ("PCN-A1", "1", "posted", "80.00", "0.00", "20.00"),
        ("PCN-B2", "4", "denied", "0.00", "0.00", "200.00")]
    assert [(p["reason"], p["reference"], p["amount"], p["claim_pcn"])
            for p in detail["provider_adjustments"]] == [("CS", "ICN-A1", "5.00", "PCN-A1")]
    assert [(i["kind"], i["pcn"]) for i in detail["review_items"]] == [("denial", "PCN-B2")]
    assert detail["source"]["file_name"].endswith("day.835")
    assert detail["source"]["st02"] == "0001"
    assert isinstance(detail["source"]["transaction_set_id"], int)
    assert detail["deposits"] == []  # no bank line has met it (issue 25: reconcile)
    lines = table.stdout.splitlines()
    assert lines[0] == (f"Remittance {row['id']}: ACH 75.00 (C) paid 2026-03-10, "
                        "trace EFT-5501 (originator 1512345678)")
    assert "\nClaims:\n" in table.stdout and "\nProvider adjustments (PLB):\n" in table.stdout
    assert "\nReview items raised:\n" in table.stdout
    assert [e["object_id"] for e in looks] == [str(row["id"]), "EFT-5501", "EFT-5501"]


@pytest.mark.parametrize("key", ["NO-SUCH-TRACE", "999999"])
def test_remit_show_of_an_unknown_key_exits_66(database_url: str, tmp_path: Path,
                                               key: str) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        result = cli(database_url, "remit", "show", key)
    assert (result.exit_code, result.stdout) == (66, "")
    assert f"no remittance with id or trace number {key!r}" in result.stderr


def test_remit_list_with_a_bad_date_is_a_usage_error(database_url: str) -> None:
    with staffed(database_url):
        result = cli(database_url, "remit", "list", "--from", "March")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--from" in result.stderr


def test_a_key_that_is_one_remittances_id_and_anothers_trace_is_refused_naming_both(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        [first] = edi_posting.list_remittances(staff["sam"])
        key = str(first["id"])
        # a second check whose trace number happens to be the first one's id
        second = build_x12(remit("0", clp("PCN-Z9", "4", "10.00", "0", "0", "ICN-Z9",
                                          svc("99213", "10.00", "0", "CO*16*10")),
                                 trace=key, method="NON"), interchange_control="000000703")
        edi_posting.import_files(staff["pat"], [write_x12(tmp_path, second, "second.835")])
        result = cli(database_url, "remit", "show", key)
        ids = sorted(r["id"] for r in edi_posting.list_remittances(staff["sam"]))

    assert (result.exit_code, result.stdout) == (2, "")
    assert (f"edi-posting: {key!r} names 2 remittances (ids {ids[0]}, {ids[1]}): give the id"
            in result.stderr)


def test_remit_show_under_mask_phi_shows_initials_and_a_refused_look_is_audited(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        masked = cli(database_url, "--mask-phi", "remit", "show", "EFT-5501", "--format", "json")
        found = cli(database_url, "--mask-phi", "claim", "find", "--name", "zqcanary")
        edi_posting.add_user(staff["ada"], "ivy", "auditor")
        edi_posting.disable_user(staff["ada"], "ivy")
        ivy = edi_posting.open_session(database_url, actor="ivy")
        try:
            with pytest.raises(edi_posting.PermissionDeniedError):
                edi_posting.show_remittance(ivy, "EFT-5501")
        finally:
            ivy.close()
        refused = refusals(staff["aud"], "remit.show")

    assert masked.exit_code == 0 and found.exit_code == 0, masked.output + found.output
    assert "O'NEIL" not in masked.stdout and "ZQM-0042" not in masked.stdout
    assert [c["patient_name"] for c in json.loads(masked.stdout)["claims"]] == ["O.", "Z."]
    assert "ZQCANARY" not in found.stdout and "Z." in found.stdout
    assert [e["actor"] for e in refused] == ["ivy"]
