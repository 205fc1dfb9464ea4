"""`deposits import` and `deposits list` (issue 25): BAI2 and mapped CSV bank files are
archived, checked and stored once per bank reference; what does not add up is rejected
naming the record and what differs."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

import edi_posting
from edi_posting.cli import main
from tests.api_staff import staffed
from tests.bank import bai2, csv_file, detail, write_bank


def cli(database_url: str, *args: str, actor: str = "pat") -> Result:
    """The command as the poster ``pat`` (importing needs ``import``)."""
    return CliRunner().invoke(main, ["--db", database_url, "--actor", actor, *args])


def test_bai2_details_keep_reference_text_and_the_ccd_trace_of_a_continued_addendum(
        database_url: str, tmp_path: Path) -> None:
    text = bai2(detail("165", 12500, "B1001", "ACME HEALTH HCCLAIMPMT", customer="C-1",
                       continued="TRN*1*0012-3456*1512345678\\"),
                detail("301", 4000, "B1002", "CHECK 0000777", funds="V",
                       customer="777") [0:1],
                as_of="260311")
    text = text.replace("16,301,4000,V,B1002", "16,301,4000,V,260312,1200,B1002")
    with staffed(database_url) as staff:
        [result] = edi_posting.import_deposits(staff["pat"], [write_bank(tmp_path, text)])
        rows = edi_posting.list_deposits(staff["sam"])

    assert (result.format, result.read, result.added, result.problems) == ("bai2", 2, 2, ())
    assert [(r["date"], r["amount"], r["reference"], r["trace"], r["type"], r["description"])
            for r in rows] == [
        ("2026-03-11", "125.00", "B1001", "123456", "165",
         "ACME HEALTH HCCLAIMPMT TRN*1*0012-3456*1512345678\\"),
        ("2026-03-11", "40.00", "B1002", "777", "301", "CHECK 0000777")]


def test_a_bai2_account_whose_control_total_does_not_add_up_is_rejected_naming_the_record(
        database_url: str, tmp_path: Path) -> None:
    path = write_bank(tmp_path, bai2(detail("165", 12500, "B1", "X"),
                                     detail("165", 100, "B2", "Y"), account_total=25100))
    with staffed(database_url) as staff:
        result = cli(database_url, "deposits", "import", str(path))
        rows = edi_posting.list_deposits(staff["sam"])

    assert result.exit_code == 65
    assert result.stderr.splitlines() == [
        (f"{path.name}: record 6 49 account control total: FATAL BANK_CONTROL_MISMATCH: "
         "record 6: 49 account control total is 25100, the records add up to 25200"),
        "edi-posting: 1 file(s) rejected: nothing stored from them"]
    assert rows == []


def test_a_file_trailer_counting_the_wrong_number_of_records_is_rejected(
        database_url: str, tmp_path: Path) -> None:
    path = write_bank(tmp_path, bai2(detail("165", 500, "B1", "X"), file_records=9))
    with staffed(database_url) as staff:
        [result] = edi_posting.import_deposits(staff["pat"], [path])

    assert result.rejected and result.added == 0
    [problem] = result.problems
    assert (problem.code, problem.source.segment_position if problem.source else None,
            problem.element) == ("BANK_CONTROL_MISMATCH", 7, "99 number of records")
    assert problem.message == "record 7: 99 number of records is 9, the records add up to 7"


def test_the_same_bank_lines_imported_again_from_any_file_add_nothing(
        database_url: str, tmp_path: Path) -> None:
    first = write_bank(tmp_path, bai2(detail("165", 12500, "B1", "ACME"),
                                      detail("301", 4000, "B2", "CHECK 9")))
    again = write_bank(tmp_path, csv_file(("2026-03-12", "125.00", "B1", "ACME"),
                                          ("2026-03-12", "40.00", "B2", "CHECK 9"),
                                          ("2026-03-12", "7.00", "B3", "NEW")), "csv")
    with staffed(database_url) as staff:
        results = edi_posting.import_deposits(staff["pat"], [first, first, again])
        rows = edi_posting.list_deposits(staff["sam"])

    assert [(r.added, r.known) for r in results] == [(2, 0), (0, 2), (1, 2)]
    assert [r["reference"] for r in rows] == ["B1", "B2", "B3"]


def test_the_same_line_twice_in_one_file_is_kept_once_and_flagged(
        database_url: str, tmp_path: Path) -> None:
    path = write_bank(tmp_path, csv_file(("2026-03-12", "125.00", "B1", "ACME"),
                                         ("2026-03-12", "125.00", "B1", "ACME")), "csv")
    with staffed(database_url) as staff:
        result = cli(database_url, "deposits", "import", str(path))
        rows = edi_posting.list_deposits(staff["sam"])

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        (f"{path.name}: record 3 reference: WARNING DUPLICATE_DEPOSIT_LINE: record 3 "
         "repeats record 2 (reference B1, 125.00): kept once")]
    assert len(rows) == 1


def test_a_csv_row_that_cannot_be_read_rejects_the_file_naming_row_and_column(
        database_url: str, tmp_path: Path) -> None:
    path = write_bank(tmp_path, csv_file(("2026-03-12", "125.00", "B1", "ACME"),
                                         ("2026-03-12", "12x.00", "B2", "ACME")), "csv")
    with staffed(database_url) as staff:
        [result] = edi_posting.import_deposits(staff["pat"], [path])

    [problem] = result.problems
    assert (result.added, problem.code, problem.element) == (0, "BANK_RECORD_INVALID", "amount")
    assert problem.message.startswith("row 3, column 'amount': ")


def test_the_bank_export_mapping_reads_its_columns_and_marks_returned_items(
        database_url: str, tmp_path: Path) -> None:
    path = write_bank(tmp_path, csv_file(
        ("03/12/2026", "125.00", "B1", "ACME", "0012345678", "CREDIT"),
        ("03/13/2026", "40.00", "B9", "RETURNED CHECK 9", "0012345678", "RETURN"),
        header="Posting Date,Amount,Reference,Description,Account,Type"), "csv")
    with staffed(database_url):
        wrong = cli(database_url, "deposits", "import", str(path))
        right = cli(database_url, "deposits", "import", "--mapping", "bank-export", str(path))
        listed = cli(database_url, "deposits", "list", "--format", "csv")

    assert wrong.exit_code == 65
    assert "the header lacks 'date', 'amount', 'reference', 'description'" in wrong.stderr
    assert right.exit_code == 0, right.output
    assert listed.stdout.splitlines() == [
        "id,date,amount,reference,trace,type,returned,description,matched",
        "1,2026-03-12,125.00,B1,B1,,no,ACME,",
        "2,2026-03-13,-40.00,B9,B9,,yes,RETURNED CHECK 9,"]
