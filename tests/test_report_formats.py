"""Every report format from one Report: CSV and XLSX neutralise formula injection in text
cells only (money stays a number, its sign kept), XLSX reads back with openpyxl (numbers,
dates, frozen headers, a native chart), the PDF's text is extractable with its pages
numbered and a long table's header repeated on every page; the remittance advice prints
like a paper one."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pypdf

import edi_posting
from edi_posting.reports.report_model import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportQuery,
    Section,
)
from tests.api_staff import staffed
from tests.test_claim_find import billed_and_paid_day, cli
from tests.x12build import build_x12, write_x12
from tests.x835 import remit, svc
from tests.x837 import HEADER, claim, subscriber

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1:A9)", "\tTAB",
           "\rCR", "O'NEIL"]


def _report(rows: int = 0) -> Report:
    columns = (Column("name", "Name"), Column("amount", "Amount", ColumnKind.CENTS),
               Column("day", "Day", ColumnKind.DATE), Column("n", "Count", ColumnKind.COUNT))
    data = [{"name": text, "amount": -1234, "day": dt.date(2026, 3, 10), "n": 1}
            for text in HOSTILE]
    data += [{"name": f"row {i}", "amount": i, "day": None, "n": i} for i in range(rows)]
    return Report("test", "A test report", ReportQuery(payer="acme"),
                  (Section("names", "Names", columns, data,
                           {"amount": sum(r["amount"] for r in data)}),),
                  summary={"total": sum(r["amount"] for r in data)},
                  charts=(Chart("by_day", "By day", ChartKind.BAR, ["2026-03-10"],
                                {"paid": [-1234]}),),
                  summary_kinds={"total": ColumnKind.CENTS})


def test_csv_neutralises_text_cells_that_start_a_formula_but_keeps_money_numbers() -> None:
    text = edi_posting.render_report(_report(), "csv")
    assert isinstance(text, str)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["section", "name", "amount", "day", "n"]
    assert [r[1] for r in rows[1:8]] == [
        '\'=HYPERLINK("http://evil.example","x")', "'+1", "'-2+3", "'@SUM(A1:A9)", "'\tTAB",
        "'\rCR", "O'NEIL"]
    assert {r[2] for r in rows[1:8]} == {"-12.34"}  # a money cell is a number, sign kept
    assert rows[-1] == ["names:total", "", "-86.38", "", ""]


def test_json_prints_cents_as_strings_and_keeps_text_as_sent() -> None:
    document = json.loads(edi_posting.render_report(_report(), "json"))
    assert document["summary"] == {"total": "-86.38"}
    assert document["query"] == {"from": None, "to": None, "payer": "acme", "options": {}}
    [section] = document["sections"]
    assert section["rows"][0] == {"name": HOSTILE[0], "amount": "-12.34", "day": "2026-03-10",
                                  "n": 1}
    assert section["totals"] == {"name": None, "amount": "-86.38", "day": None, "n": None}


def test_xlsx_reads_back_with_numbers_dates_frozen_headers_text_never_a_formula(
        tmp_path: Path) -> None:
    data = edi_posting.render_report(_report(), "xlsx")
    assert isinstance(data, bytes)
    path = tmp_path / "r.xlsx"
    path.write_bytes(data)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Names", "Charts"]
    sheet = book["Names"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Name", "Amount", "Day", "Count"]
    names = [sheet.cell(row=r, column=1) for r in range(2, 9)]
    assert [c.data_type for c in names] == ["s"] * 7  # strings, never formulas ("f")
    assert [c.value for c in names][:4] == [
        '\'=HYPERLINK("http://evil.example","x")', "'+1", "'-2+3", "'@SUM(A1:A9)"]
    amount = sheet.cell(row=2, column=2)
    assert (amount.value, amount.number_format) == (-12.34, "#,##0.00")
    assert sheet.cell(row=2, column=3).value == dt.datetime(2026, 3, 10)
    assert [c.value for c in sheet[9]] == ["Total", -86.38, None, None]
    assert book["Summary"]["B4"].value == -86.38
    assert any(n.startswith("xl/charts/chart") for n in zipfile.ZipFile(path).namelist())


def test_pdf_splits_a_long_table_across_numbered_pages_repeating_its_header() -> None:
    data = edi_posting.render_report(_report(rows=300), "pdf")
    assert isinstance(data, bytes)
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages]
    assert len(pages) > 3
    assert "A test report" in pages[0] and "payer acme" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"Page {number}" in text
    table_pages = [t for t in pages if "row " in t]
    assert len(table_pages) > 2 and all("Amount" in t for t in table_pages)
    assert "row 299" in "".join(pages)


def test_charts_are_written_as_png_files(tmp_path: Path) -> None:
    written = edi_posting.write_report_charts(_report(), tmp_path / "charts")
    assert [p.name for p in written] == ["test-by_day.png"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _hostile_day(directory: Path) -> list[Path]:
    """A patient named as a formula, paid 80.00; a PLB whose reference is one, paying
    5.00 more (PLB04 -5.00): BPR02 85.00."""
    body = (HEADER.split("~", 1)[1]
            + subscriber(2, last='=HYPERLINK("http//evil")', first="+1", member="ZQM-0042")
            + claim("PCN-H1", ("HC:99213", "100.00"), dos="20260105"))
    bill = build_x12(body, functional_id="HC", transaction_id="837", version="005010X222A1",
                     interchange_control="000000801")
    paid = ("CLP*PCN-H1*1*100.00*80.00*0*12*ICN-H1*11*1~\n"
            'NM1*QC*1*=HYPERLINK("http//evil")*+1****MI*ZQM-0042~\n'
            + svc("99213", "100.00", "80.00", "CO*45*20", dos="20260105"))
    pay = build_x12(remit("85.00", paid, trace="EFT-7701",
                          plb="PLB*1234567893*20261231*CS:@SUM(1)*-5.00~\n"),
                    interchange_control="000000802")
    return [write_x12(directory, bill, "hostile.837"), write_x12(directory, pay, "hostile.835")]


def test_names_and_references_sent_as_formulas_are_neutralised_in_csv_exports(
        database_url: str, tmp_path: Path) -> None:
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], _hostile_day(tmp_path))
        advice = cli(database_url, "report", "era-pdf", "EFT-7701", "--format", "csv")
        plb = cli(database_url, "report", "plb", "--format", "csv")

    assert (advice.exit_code, plb.exit_code) == (0, 0), advice.output
    claims = [r for r in csv.DictReader(io.StringIO(advice.stdout)) if r["section"] == "claims"]
    assert [(r["patient_name"], r["paid"]) for r in claims] == [
        ('\'=HYPERLINK("http//evil"), +1', "80.00")]
    [row] = [r for r in csv.DictReader(io.StringIO(plb.stdout)) if r["section"] == "adjustments"]
    assert (row["reference"], row["amount"], row["status"]) == ("'@SUM(1)", "-5.00", "unlinked")


def test_era_pdf_prints_the_remittance_like_a_paper_advice(
        database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "era.pdf"
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], billed_and_paid_day(tmp_path))
        result = cli(database_url, "report", "era-pdf", "EFT-5501", "-o", str(out))
        looks = edi_posting.audit_log(staff["aud"], action="report.era-pdf")

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == f"wrote {out}\n"
    pages = [p.extract_text() for p in pypdf.PdfReader(out).pages]
    text = " ".join(" ".join(pages).split())
    assert "Page 1" in pages[0]
    for expected in ("Remittance advice", "ACME HEALTH", "GOOD HEALTH CLINIC (1234567893)",
                     "ACH 75.00", "EFT-5501", "2026-03-10",
                     ("Patient O'NEIL, JEAN-PAUL (member ZQM-0042) PCN PCN-A1 payer claim "
                      "number ICN-A1"), "PCN PCN-B2", "99213", "CO-45 20.00", "CO-16 200.00",
                     "RARC M62", "Claim total", "CS", "ICN-A1", "5.00",
                     "Check total: 75.00 (claims paid 80.00, PLB 5.00, 2 claims)",
                     "Contractual Obligations", "Charge exceeds fee schedule"):
        assert expected in text, expected
    assert [(e["actor"], e["object_id"]) for e in looks] == [("sam", "EFT-5501")]
