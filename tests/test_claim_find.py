"""`claim find`: billed claims by patient name (names.py rules), member ID, payer claim
number (CLP07), PLB reference, date of service and amount, the filters combined; every PCN
(and claim id) it prints is what `claim show` takes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import create_engine, event

import edi_posting
from edi_posting.cli import main
from edi_posting.reports.find import ClaimQuery, find_claims
from tests.api_staff import staffed
from tests.x12build import build_x12, write_x12
from tests.x835 import remit, svc
from tests.x837 import HEADER, claim, subscriber

HEADER_COLUMNS = ("pcn,claim_id,patient_name,payer,service_from,service_to,charge,paid,"
                  "insurance_balance,patient_balance,status")


def billed_and_paid_day(directory: Path) -> list[Path]:
    """Two patients' claims (837) and one EFT (835) answering both: PCN-A1 paid 80.00 of
    100.00 (CO-45 20.00), PCN-B2 denied (CO-16, RARC M62), a CS PLB of 5.00 naming ICN-A1."""
    body = (HEADER.split("~", 1)[1]
            + subscriber(2, last="O'NEIL", first="JEAN-PAUL", member="ZQM-0042")
            + claim("PCN-A1", ("HC:99213", "100.00"), dos="20260105")
            + subscriber(3, last="ZQCANARY", first="ALBA", member="ZQM000111")
            + claim("PCN-B2", ("HC:99214", "200.00"), dos="20260220"))
    bill = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control="000000701")
    paid = ("CLP*PCN-A1*1*100.00*80.00*0*12*ICN-A1*11*1~\n"
            "NM1*QC*1*O'NEIL*JEAN-PAUL****MI*ZQM-0042~\n"
            + svc("99213", "100.00", "80.00", "CO*45*20", dos="20260105"))
    denied = ("CLP*PCN-B2*4*200.00*0*0*12*ICN-B2*11*1~\n"
              "NM1*QC*1*ZQCANARY*ALBA****MI*ZQM000111~\n"
              + svc("99214", "200.00", "0", "CO*16*200") + "LQ*HE*M62~\n")
    pay = build_x12(remit("75.00", paid, denied, trace="EFT-5501",
                          plb="PLB*1234567893*20261231*CS:ICN-A1*5.00~\n"),
                    interchange_control="000000702")
    return [write_x12(directory, bill, "day.837"), write_x12(directory, pay, "day.835")]


def cli(database_url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", *args])


def _claim_ids(session: edi_posting.Session) -> dict[str, Any]:
    return {pcn: edi_posting.show_claim(session, pcn)["claim"]["id"]
            for pcn in ("PCN-A1", "PCN-B2")}


def test_claim_find_by_name_ignores_case_spaces_and_punctuation(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        ids = _claim_ids(staff["sam"])
        result = cli(database_url, "claim", "find", "--name", "oneil, jean paul",
                     "--format", "csv")
        looks = edi_posting.audit_log(staff["aud"], action="claim.find")

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        HEADER_COLUMNS,
        (f"PCN-A1,{ids['PCN-A1']},\"O'NEIL, JEAN-PAUL\",ACME HEALTH,2026-01-05,2026-01-05,"
         "100.00,80.00,0.00,0.00,active"),
    ]
    assert [(e["actor"], e["outcome"]) for e in looks] == [("sam", "ok")]


def test_claim_find_filters_each_find_their_claim_and_combine(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        sam = staff["sam"]

        def pcns(**filters: Any) -> list[str]:
            return [row["pcn"] for row in edi_posting.find_claims(sam, **filters)]

        assert pcns(member_id="zqm 0042") == ["PCN-A1"]
        assert pcns(payer_claim_number="ICN-B2") == ["PCN-B2"]
        assert pcns(plb_reference="ICN-A1") == ["PCN-A1"]
        assert pcns(service_from="2026-02-01", service_to="2026-02-28") == ["PCN-B2"]
        assert pcns(service_from="2026-01-05", service_to="2026-01-05") == ["PCN-A1"]
        assert pcns(amount_cents=20000) == ["PCN-B2"]  # the charge
        assert pcns(amount_cents=8000) == ["PCN-A1"]  # what was paid
        assert pcns(name="ZQCANARY") == ["PCN-B2"]
        assert pcns(name="zqcanary", service_from="2026-01-01", service_to="2026-01-31") == []
        assert pcns(name="O NEIL", amount_cents=10000) == ["PCN-A1"]


def test_every_pcn_and_claim_id_claim_find_prints_claim_show_takes(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        found = cli(database_url, "claim", "find", "--dos", "2026-01-01..2026-12-31",
                    "--format", "json")
        assert found.exit_code == 0, found.output
        rows = json.loads(found.stdout)
        assert [r["pcn"] for r in rows] == ["PCN-A1", "PCN-B2"]
        for row in rows:
            shown = cli(database_url, "claim", "show", row["pcn"], "--claim-id",
                        str(row["claim_id"]), "--format", "json")
            assert shown.exit_code == 0, shown.output
            assert json.loads(shown.stdout)["claim"]["id"] == row["claim_id"]


def test_claim_find_without_a_filter_or_with_a_bad_value_is_a_usage_error(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        bare = cli(database_url, "claim", "find")
        bad_date = cli(database_url, "claim", "find", "--dos", "2026-13-01")
        bad_amount = cli(database_url, "claim", "find", "--amount", "12.345")
        nothing = cli(database_url, "claim", "find", "--name", "NOBODY")
        no_letters = cli(database_url, "claim", "find", "--name", ", -")

    assert (bare.exit_code, bare.stdout) == (2, "")
    assert "give at least one filter" in bare.stderr
    assert (bad_date.exit_code, bad_date.stdout) == (2, "")
    assert "--dos" in bad_date.stderr
    assert (bad_amount.exit_code, bad_amount.stdout) == (2, "")
    assert "--amount" in bad_amount.stderr
    assert (no_letters.exit_code, no_letters.stdout) == (2, "")
    assert "--name: no letter or digit" in no_letters.stderr
    assert (nothing.exit_code, nothing.stdout.splitlines()) == (
        0, [HEADER_COLUMNS.replace(",", "  ")])


def test_claim_show_lists_the_835s_that_adjudicated_it_with_codes_and_open_items(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        table = cli(database_url, "claim", "show", "PCN-B2")

    assert table.exit_code == 0, table.output
    text = table.stdout
    assert "\nAdjudicated by:\n" in text
    assert "EFT-5501" in text and "denied" in text and "ICN-B2" in text
    assert ("  line 1 HC:99214: paid 0.00; CO-16 200.00 (Claim/service lacks information "
            "or has submission/billing error(s).); RARC M62") in text
    assert "\nOpen items:\n" in text
    open_section = text.split("\nOpen items:\n", 1)[1]
    assert "denial" in open_section.splitlines()[1]


def test_a_plb_reference_naming_a_held_payment_finds_the_claim_billed_under_its_pcn(
        database_url: str) -> None:
    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
    imported = cli(database_url, "import", str(demo / "837"), str(demo / "835"))
    assert imported.exit_code == 0, imported.output
    # PLB*...*WO:0125000000006 recovers a duplicate payment of A11732C0000004, which is
    # held (no claim linked): the claim is still what the specialist is looking for
    found = cli(database_url, "claim", "find", "--plb-reference", "0125000000006",
                "--format", "json")
    assert found.exit_code == 0, found.output
    assert [r["pcn"] for r in json.loads(found.stdout)] == ["A11732C0000004"]


def test_a_pcn_billed_twice_is_found_twice_and_claim_show_takes_either_claim_id(
        database_url: str, tmp_path: Path) -> None:
    body = HEADER.split("~", 1)[1] + subscriber(2, last="ZQREPEAT", first="ANA")
    original = build_x12(body + claim("PCN-R1", ("HC:99213", "100.00")), functional_id="HC",
                         transaction_id="837", version="005010X222A1",
                         interchange_control="000000711")
    replacement = build_x12(body.replace("BATCH1", "BATCH2")
                            + claim("PCN-R1", ("HC:99213", "120.00"), freq="7"),
                            functional_id="HC", transaction_id="837", version="005010X222A1",
                            interchange_control="000000712")
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [write_x12(tmp_path, original, "a.837"),
                                                write_x12(tmp_path, replacement, "b.837")])
        rows = edi_posting.find_claims(staff["sam"], name="zq repeat, ana")
        shown = [cli(database_url, "claim", "show", r["pcn"], "--claim-id", str(r["claim_id"]),
                     "--format", "json") for r in rows]

    assert [(r["pcn"], r["charge"], r["status"]) for r in rows] == [
        ("PCN-R1", "100.00", "replaced"), ("PCN-R1", "120.00", "active")]
    assert [json.loads(s.stdout)["claim"]["total_charge"] for s in shown] == ["100.00", "120.00"]


def test_claim_find_reads_balances_in_one_query_however_many_claims_it_lists(
        database_url: str, tmp_path: Path) -> None:
    """A listing of a thousand claims must not ask the ledger a thousand times."""
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
    engine = create_engine(database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counts = []
    with engine.connect() as conn:
        find_claims(conn, ClaimQuery(name="zqcanary"))  # warm the account-id cache
        for query in (ClaimQuery(name="zqcanary"), ClaimQuery(service_from=dt.date(2026, 1, 1))):
            statements.clear()
            counts.append((len(find_claims(conn, query)), len(statements)))
    engine.dispose()
    assert [rows for rows, _ in counts] == [1, 2]
    assert counts[0][1] == counts[1][1]
