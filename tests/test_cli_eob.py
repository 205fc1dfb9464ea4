"""`edi-posting eob template` and `edi-posting import` of keyed paper EOBs from the command
line: exact output and exit codes, then the database through the API."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import edi_posting
from edi_posting.cli import main
from edi_posting.keyed.template import COLUMNS
from tests.keyed import eob_csv, line
from tests.x12build import build_x12, write_x12
from tests.x837 import HEADER, claim, subscriber


def test_eob_template_csv_prints_the_header_row() -> None:
    result = CliRunner().invoke(main, ["eob", "template"])
    assert result.exit_code == 0
    assert result.stdout == (
        "record,payer,check_number,payment_date,payment_amount,payment_method,claim_pcn,"
        "claim_status,claim_charge,claim_paid,patient_responsibility,payer_claim_number,"
        "patient_name,member_id,procedure,modifiers,service_date,line_charge,allowed,line_paid,"
        "units,adj1_group,adj1_carc,adj1_amount,adj2_group,adj2_carc,adj2_amount,adj3_group,"
        "adj3_carc,adj3_amount,adj4_group,adj4_carc,adj4_amount,adj5_group,adj5_carc,"
        "adj5_amount,adj6_group,adj6_carc,adj6_amount,remarks,plb_reason,plb_reference,"
        "plb_amount\n")
    assert result.stdout.rstrip("\n").split(",") == list(COLUMNS)


def test_eob_template_json_prints_a_skeleton_with_every_field() -> None:
    result = CliRunner().invoke(main, ["eob", "template", "--format", "json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "format": "edi-posting keyed eob 1",
        "checks": [{
            "payer": "", "check_number": "", "payment_date": "", "payment_amount": "",
            "payment_method": "",
            "claims": [{
                "pcn": "", "status": "", "charge": "", "paid": "", "patient_responsibility": "",
                "payer_claim_number": "", "patient_name": "", "member_id": "",
                "lines": [{
                    "procedure": "", "modifiers": "", "service_date": "", "charge": "",
                    "allowed": "", "paid": "", "units": "", "remarks": "",
                    "adjustments": [{"group": "", "carc": "", "amount": ""}]}]}],
            "plb": [{"reason": "", "reference": "", "amount": ""}]}]}
    assert result.stdout.startswith('{\n  "format": "edi-posting keyed eob 1",\n')


def test_eob_template_refuses_a_form_it_has_not() -> None:
    result = CliRunner().invoke(main, ["eob", "template", "--format", "xml"])
    assert result.exit_code == 2


def _day(tmp_path: Path) -> Path:
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    return write_x12(tmp_path, build_x12(body, functional_id="HC", transaction_id="837",
                                         version="005010X222A1"), "day.837")


def test_import_of_a_keyed_csv_prints_its_row_like_an_835s(tmp_path: Path) -> None:
    claims = _day(tmp_path)
    paper = tmp_path / "paper.csv"
    paper.write_text(eob_csv(line()))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    result = CliRunner().invoke(main, ["--db", db, "import", str(claims), str(paper)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "file       kind  status    transaction_sets  claims  posted  queued  paid   "
        "unapplied  problems\n"
        "day.837    837P  imported  1                 1       1       0       0.00   "
        "0.00       0\n"
        "paper.csv  eob   imported  1                 1       1       0       80.00  "
        "0.00       0\n")
    assert result.stderr.splitlines()[-1] == (
        "paper.csv: transaction set 1: posted, 1 claims, 1 posted, 0 queued")
    session = edi_posting.open_session(db, actor="tester")
    assert edi_posting.check_ledger(session).violations == []


def test_import_of_a_keyed_csv_with_errors_exits_65_naming_each_row_and_column(
        tmp_path: Path) -> None:
    claims = _day(tmp_path)
    paper = tmp_path / "bad.csv"
    paper.write_text(eob_csv(line(line_paid="8O.00", service_date="2026-13-01")))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    assert CliRunner().invoke(main, ["--db", db, "import", str(claims)]).exit_code == 0
    result = CliRunner().invoke(main, ["--db", db, "import", str(paper)])
    assert result.exit_code == 65
    assert result.stdout == (
        "file     kind  status    transaction_sets  claims  posted  queued  paid  unapplied  "
        "problems\n"
        "bad.csv  eob   rejected  0                 0       0       1       0.00  0.00       "
        "2\n")
    assert result.stderr.splitlines()[1:] == [
        ("bad.csv: row 2 service_date: ERROR INVALID_DATE: bad.csv row 2 column service_date: "
         "not a date (YYYY-MM-DD or MM/DD/YYYY) ('2026-13-01')"),
        ("bad.csv: row 2 line_paid: ERROR INVALID_AMOUNT: bad.csv row 2 column line_paid: "
         "not an amount with at most two decimals (e.g. 1234.50) ('8O.00')"),
        "edi-posting: 1 file(s) rejected in whole or in part"]
    session = edi_posting.open_session(db, actor="tester")
    [item] = edi_posting.list_queue(session)
    assert item["kind"] == "eob_error"
    shown = edi_posting.show_queue_item(session, item["id"])
    assert [p["row"] for p in shown["evidence"]["problems"]] == [2, 2]
    assert edi_posting.check_ledger(session).violations == []


def test_claim_show_and_remit_show_name_a_keyed_source_by_file_row_and_keyer(
        tmp_path: Path) -> None:
    claims = _day(tmp_path)
    paper = tmp_path / "paper.csv"
    paper.write_text(eob_csv(line()))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "--actor", "kim", "import", str(claims),
                                str(paper)]).exit_code == 0
    shown = runner.invoke(main, ["--db", db, "claim", "show", "PCN1"]).stdout
    assert ("remittance 1, trace CHK100, paid 2026-03-10 by ACME HEALTH (paper.csv row 2, "
            "keyed by kim)") in shown
    journal = shown.split("Journal:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert next(ln.split()[-4:] for ln in journal[1:] if "paper.csv" in ln) == [
        "paper.csv", "row", "2", "kim"]
    remit = runner.invoke(main, ["--db", db, "remit", "show", "CHK100"]).stdout
    assert "From: paper.csv (keyed EOB, row 2, keyed by kim, sha256 " in remit
    document = json.loads(runner.invoke(main, ["--db", db, "remit", "show", "CHK100",
                                               "--format", "json"]).stdout)
    assert (document["source"]["keyed_by"], document["source"]["row"]) == ("kim", 2)


def test_queue_show_of_a_keyed_claim_held_names_its_rows_and_shows_them_as_keyed(
        tmp_path: Path) -> None:
    claims = _day(tmp_path)
    paper = tmp_path / "paper.csv"
    paper.write_text(eob_csv(line(paid="70.00", line_paid="80.00", payment_amount="70.00")))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "--actor", "kim", "import", str(claims),
                                str(paper)]).exit_code == 0
    shown = runner.invoke(main, ["--db", db, "queue", "show", "1"]).stdout
    assert "  posting state: held; file paper.csv, row 2, keyed by kim\n" in shown
    assert "  claim level at row 2 (CLP04): expected 80.00, got 70.00, difference -10.00\n" \
        in shown
    rows = shown.split("raw rows (as keyed):\n", 1)[1].splitlines()
    assert rows[0] == "       1  " + ",".join(COLUMNS)
    assert rows[1].startswith("       2  line,ACME01,CHK100,2026-03-10,70.00,check,PCN1,")


def test_queue_show_of_an_eob_error_lists_every_problem_by_row_and_column(
        tmp_path: Path) -> None:
    paper = tmp_path / "bad.csv"
    paper.write_text(eob_csv(line(line_paid="8O.00", service_date="2026-13-01")))
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    runner = CliRunner()
    runner.invoke(main, ["--db", db, "import", str(_day(tmp_path)), str(paper)])
    shown = runner.invoke(main, ["--db", db, "queue", "show", "1"]).stdout
    assert ("keyed rows to fix:\n"
            "  row 2 service_date: ERROR INVALID_DATE ('2026-13-01')\n"
            "  row 2 line_paid: ERROR INVALID_AMOUNT ('8O.00')\n") in shown
