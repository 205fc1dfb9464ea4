"""`edi-posting import` of 835s and `edi-posting demo` from the command line: exact output,
exit codes, then the database through the API."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ClaimPayment, JournalEntry, ReviewItem
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit, svc
from tests.x837 import HEADER, claim, subscriber


def _files(tmp_path: Path) -> tuple[Path, Path]:
    body = HEADER.split("~", 1)[1] + subscriber(2) + claim("PCN1", ("HC:99213", "100"))
    claims = write_x12(tmp_path, build_x12(body, functional_id="HC", transaction_id="837",
                                           version="005010X222A1"), "day.837")
    # STRANGER is a patient we never billed (PCN1's own patient would be matched to PCN1 by
    # the scored fallback, with the payer the set's PCN1 match names)
    remits = write_x12(tmp_path, build_x12(remit("130", clp(
        "PCN1", "1", "100", "80", "0", "ICN1", svc("99213", "100", "80", "CO*45*20")),
        "CLP*STRANGER*1*70*50*0*12*ICN2*11*1~\nNM1*QC*1*ZQOTHER*NAME****MI*ZQX999~\n"
        + svc("99214", "70", "50", "CO*45*20"))), "day.835")
    return claims, remits


def test_import_json_reports_files_and_totals_with_payment_and_unapplied(tmp_path: Path) -> None:
    claims, remits = _files(tmp_path)
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    result = CliRunner().invoke(main, ["--db", db, "import", "--format", "json", str(remits),
                                       str(claims)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(f["kind"], f["status"], f["claims"], f["posted"], f["queued"])
            for f in document["files"]] == [("837P", "imported", 1, 1, 0),
                                            ("835", "imported", 2, 1, 1)]  # 837s first
    assert set(document["files"][1]) == {
        "path", "sha256", "kind", "status", "transaction_sets", "claims", "posted", "queued",
        "payment_total", "unapplied_total", "problems"}
    assert document["totals"] == {
        "files": 2, "claims": 3, "posted": 2, "queued": 1, "already_imported": 0,
        "rejected": 0, "failed": 0, "payment_total": "130.00",
        "unapplied_total": "50.00"}
    again = CliRunner().invoke(main, ["--db", db, "import", "--format", "json", str(remits)])
    assert json.loads(again.stdout)["totals"]["already_imported"] == 1
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one() == 2
        assert conn.execute(select(ReviewItem.kind)).scalars().all() == ["unmatched_payment"]
    engine.dispose()


def test_dry_run_prints_each_claims_entries_and_items_and_writes_nothing(tmp_path: Path) -> None:
    claims, remits = _files(tmp_path)
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "import", str(claims)]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "import", "--dry-run", str(remits)])
    assert result.exit_code == 0, result.output
    plan = result.stdout.split("(dry run, nothing written):\n", 1)[1]
    assert plan.splitlines()[0].split() == ["claim", "status", "paid", "decision", "entries",
                                            "reviews"]
    rows = [line.split() for line in plan.splitlines()[1:]]
    assert rows[0][:5] == ["PCN1", "1", "80.00", "would", "post"]
    assert "contractual_adjustments 20.00;" in plan.splitlines()[1]
    assert rows[1][:4] == ["STRANGER", "1", "50.00", "unmatched"]
    assert rows[1][-1] == "unmatched_payment"
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one() == 0
        kinds = conn.execute(select(JournalEntry.kind)).scalars().all()
    assert kinds == ["charge"]
    engine.dispose()


def test_demo_imports_the_demo_day_and_lists_the_open_items(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(main, ["--db", db, "demo", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["totals"]["files"] == 13
    assert document["totals"]["already_imported"] == 1  # the resent file
    assert {i["kind"] for i in document["open_review_items"]} >= {
        "denial", "orphan_reversal", "unmatched_payment", "balancing_failure"}
    assert any("already carries this payer's adjudication" in i["message"]  # paid twice: held
               for i in document["open_review_items"])
    shown = CliRunner().invoke(main, ["--db", db, "claim", "show", "A31715C0000023",
                                      "--format", "json"])
    detail = json.loads(shown.stdout)
    kinds = [line["kind"] for line in detail["journal"]]
    assert kinds.count("reversal") == 8 and kinds.count("payment") == 12  # journal lines
    reversed_ids = {line["reverses_entry_id"] for line in detail["journal"]
                    if line["kind"] == "reversal"}
    first_payment = min(line["entry_id"] for line in detail["journal"]
                        if line["kind"] == "payment")
    assert reversed_ids == {first_payment}
    assert detail["balances"] == {"insurance": "0.00", "patient": "0.00", "total": "0.00"}
    check = CliRunner().invoke(main, ["--db", db, "ledger", "check"])
    assert check.exit_code == 0 and "no violations" in check.output
    again = CliRunner().invoke(main, ["--db", db, "demo", "--format", "json"])
    assert json.loads(again.stdout)["totals"]["already_imported"] == 13
