"""Importing 837 files end to end: the corpus, re-imports, and the CLI's exact output."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import JournalEntry, JournalLine
from edi_posting.importing.pipeline import import_file
from edi_posting.importing.units import ImportOptions
from tests.corpus_manifest import CORPUS, count_segments, manifest_rows
from tests.x12build import build_x12
from tests.x837 import HEADER, claim, subscriber

ROWS = manifest_rows("837")


@pytest.mark.skipif(not ROWS, reason="the shared corpus is not beside the checkout")
def test_every_corpus_837_imports_its_claims_or_is_rejected_with_a_problem(database_url: str) -> None:
    engine = make_engine(database_url)
    options = ImportOptions(actor="tester")
    mismatches = []
    for row in ROWS:
        path = CORPUS / row["file"]
        result = import_file(engine, path, options)
        expected = count_segments(path, "CLM")
        if result.status == "rejected":
            assert result.problems and result.problems[0].severity.value == "FATAL", row["file"]
            continue
        if result.claims != expected and not any(p.is_fatal for p in result.problems):
            mismatches.append((row["file"], expected, result.claims, result.status))
    assert mismatches == []
    with engine.connect() as conn:
        entries = conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one()
        assert conn.execute(select(func.coalesce(func.sum(JournalLine.amount_cents), 0))).scalar_one() == 0
    for row in ROWS:
        again = import_file(engine, CORPUS / row["file"], options)
        assert (again.status, again.posted) == ("already_imported", 0), row["file"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == entries
    engine.dispose()


FIXTURE = """ISA*00*          *00*          *ZZ*SUBMIT01       *ZZ*RECV01         *260301*1200*^*00501*000000101*0*T*:~
GS*HC*SUBMIT01*RECV01*20260301*1200*101*X*005010X222A1~
ST*837*0001*005010X222A1~
BHT*0019*00*BATCH1*20260301*1200*CH~
NM1*41*2*GOOD HEALTH CLINIC*****46*SUBMIT01~
NM1*40*2*ACME CLEARING*****46*RECV01~
HL*1**20*1~
NM1*85*2*GOOD HEALTH CLINIC*****XX*1234567893~
HL*2*1*22*0~
SBR*P*18*GRP77******CI~
NM1*IL*1*ZQCANARY*ALBA****MI*ZQM000111~
DMG*D8*19800115*F~
NM1*PR*2*ACME HEALTH*****PI*ACME01~
CLM*PCN-1001*125.50***11:B:1*Y*A*Y*Y~
HI*ABK:J449~
LX*1~
SV1*HC:99213:25*100*UN*1***1~
DTP*472*D8*20260220~
REF*6R*L1~
LX*2~
SV1*HC:85025*25.50*UN*1***1~
DTP*472*D8*20260220~
SE*21*0001~
GE*1*101~
IEA*1*000000101~
"""


def test_import_then_claim_show_prints_the_claim_its_ledger_and_balances(tmp_path: Path) -> None:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}", "EDI_POSTING_ACTOR": "poster1"}
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "file        kind  status    transaction_sets  claims  posted  queued  paid  unapplied  "
        "problems\n"
        "clinic.837  837P  imported  1                 1       1       0       0.00  0.00       "
        "0\n"
    )
    shown = runner.invoke(main, ["claim", "show", "pcn-1001"], env=env)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == (
        "Claim PCN-1001 (id 1, type P, frequency 1, active)\n"
        "Patient: ZQCANARY, ALBA  Account: 1234567893-1  Payer: ACME HEALTH\n"
        "Charge 125.50  Balances: insurance 125.50  patient 0.00  total 125.50\n"
        "\nLines:\n"
        "ordinal  procedure    charge  units  service_date  line_item_control_number\n"
        "1        HC:99213:25  100.00  1      2026-02-20    L1\n"
        "2        HC:85025     25.50   1      2026-02-20\n"
        "\nJournal:\n"
        "entry_id  date        kind    account        amount   reason_code  reverses_entry_id  source_file  source_segment  actor\n"
        "1         2026-03-01  charge  insurance_ar   100.00                                   clinic.837   14              poster1\n"
        "1         2026-03-01  charge  gross_charges  -100.00                                  clinic.837   14              poster1\n"
        "1         2026-03-01  charge  insurance_ar   25.50                                    clinic.837   14              poster1\n"
        "1         2026-03-01  charge  gross_charges  -25.50                                   clinic.837   14              poster1\n"
        "\nReview items:\n(none)\n"
        "\nAdjudicated by:\n(none)\n"
        "\nOpen items:\n(none)\n"
    )
    again = runner.invoke(main, ["import", "--format", "json", str(path)], env=env)
    assert again.exit_code == 0
    assert '"status": "already_imported"' in again.stdout
    account = runner.invoke(main, ["account", "show", "1234567893-1", "--format", "json"], env=env)
    assert '"total": "125.50"' in account.stdout


def test_import_of_a_missing_file_exits_66(tmp_path: Path) -> None:
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    result = CliRunner().invoke(main, ["import", str(tmp_path / "nope.837")], env=env)
    assert result.exit_code == 66
    assert result.output.endswith("nope.837: no such file or directory\n")


def test_import_of_a_file_that_is_not_x12_exits_65_and_queues_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not X12\n")
    env = {"EDI_POSTING_DATABASE_URL": f"sqlite:///{tmp_path / 'edi.db'}"}
    result = CliRunner().invoke(main, ["import", str(path)], env=env)
    assert result.exit_code == 65
    assert "notes.txt  unknown  rejected" in result.stdout
    assert "UNSUPPORTED_FILE" in result.stderr


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    result = CliRunner().invoke(main, ["--db", db, "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "clinic.837  837P  would import  1                 1       1 " in result.stdout
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one() == 0
    engine.dispose()


@pytest.mark.skipif(not ROWS, reason="the shared corpus is not beside the checkout")
def test_a_corpus_837_imported_as_a_new_user_would_shows_its_charges(database_url: str) -> None:
    path = CORPUS / "837/Inteligenz__X12Parser/837P___5010__Example1_HealthInsurance.txt"
    runner = CliRunner()
    imported = runner.invoke(main, ["--db", database_url, "import", str(path), "--format", "json"])
    assert imported.exit_code == 0, imported.output
    claim = runner.invoke(main, ["--db", database_url, "claim", "show", "26463774"])
    assert claim.stdout.splitlines()[:3] == [
        "Claim 26463774 (id 1, type P, frequency 1, active)",
        "Patient: SMITH, TED  Account: 9876543210-1  Payer: KEY INSURANCE COMPANY",
        "Charge 100.00  Balances: insurance 100.00  patient 0.00  total 100.00",
    ]
    account = runner.invoke(main, ["--db", database_url, "account", "show", "9876543210-1"])
    assert account.stdout.splitlines()[1] == "Balances: insurance 100.00  patient 0.00  total 100.00"
    assert "26463774                active  100.00        100.00     0.00" in account.stdout


def _claims_837(tmp_path: Path, name: str, fault: Callable[[str], str]) -> Path:
    """An 837P of one claim, spoiled by ``fault`` (a function of the file's text)."""
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("99213", "100"))
    text = build_x12(body, functional_id="HC", transaction_id="837",
                     version="005010X222A1", interchange_control="000000001")
    path = tmp_path / name
    path.write_text(fault(text))
    return path


@pytest.mark.parametrize(("fault", "code", "element"), [
    (lambda t: re.sub(r"SE\*(\d+)\*", lambda m: f"SE*{int(m[1]) + 3}*", t),
     "SEGMENT_COUNT_MISMATCH", "SE01"),
    (lambda t: re.sub(r"SE\*(\d+)\*0001", r"SE*\1*0002", t),
     "TRANSACTION_CONTROL_MISMATCH", "SE02"),
])
def test_an_837_whose_trailer_disagrees_with_its_set_says_so_and_still_imports_its_claims(
        database_url: str, tmp_path: Path, fault: Callable[[str], str], code: str,
        element: str) -> None:
    """As an 835's set does: the set's SE01 count or SE02 control number is the sender's
    error to hear of (the claims themselves are whole, so they are billed)."""
    path = _claims_837(tmp_path, "trailer.837", fault)
    result = import_file(make_engine(database_url), path, ImportOptions(actor="tester"))
    assert (result.status, result.claims) == ("imported", 1)
    said = [(p.code.value, p.element, p.severity.value) for p in result.problems]
    assert (code, element, "ERROR") in said
