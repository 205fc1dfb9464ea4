"""Every figure of the era, plb and era-pdf reports on the generator's day, recomputed
here independently, from journal lines and stored remittance rows read whole and summed in
Python, and equal to the cent; the reports' figures tie to each other and to BPR02."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import edi_posting
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    ProviderAdjustment,
    Remittance,
    ServiceLinePayment,
)
from tests.api_staff import staffed

SEED = 26


@pytest.fixture
def generated_day(database_url: str, tmp_path: Path) -> Any:
    edi_posting.generate_test_files(tmp_path / "day", 200, seed=SEED)
    with staffed(database_url) as staff:
        edi_posting.import_files(staff["pat"], [tmp_path / "day" / "837",
                                                tmp_path / "day" / "835"])
        yield staff


def _ledger_cash(session: edi_posting.Session) -> dict[int, dict[str, int]]:
    """Per remittance, per entry kind: the cash-clearing lines of its entries, summed here."""
    with session.engine.connect() as conn:
        accounts = dict(conn.execute(select(LedgerAccount.id, LedgerAccount.code)).all())
        kinds = {e.id: (e.remittance_id, e.kind) for e in conn.execute(
            select(JournalEntry.id, JournalEntry.remittance_id, JournalEntry.kind))}
        lines = conn.execute(select(JournalLine.entry_id, JournalLine.account_id,
                                    JournalLine.amount_cents)).all()
    cash: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry_id, account_id, cents in lines:
        remittance_id, kind = kinds[entry_id]
        if remittance_id is not None and accounts[account_id] == "cash_clearing":
            cash[remittance_id][kind] += cents
    return cash


def _rows(session: edi_posting.Session, model: Any) -> list[Any]:
    with session.engine.connect() as conn:
        return list(conn.execute(select(model)).all())


def test_era_report_figures_equal_the_journal_and_the_remittance_rows_to_the_cent(
        generated_day: Any) -> None:
    sam = generated_day["sam"]
    report = edi_posting.run_report(sam, "era")
    remits = {r.id: r for r in _rows(sam, Remittance)}
    payments, plbs = _rows(sam, ClaimPayment), _rows(sam, ProviderAdjustment)
    cash = _ledger_cash(sam)
    rows = {row["id"]: row for row in report.sections[0].rows}

    assert set(rows) == set(remits) and len(rows) > 5
    for rid, row in rows.items():
        sign = -1 if remits[rid].credit_debit == "D" else 1
        assert row["payment"] == sign * remits[rid].payment_cents
        assert row["payment"] == sum(cash[rid].values())  # what the ledger moved: BPR02
        assert row["claims_paid"] == sum(p.paid_cents for p in payments if p.remittance_id == rid)
        assert row["plb"] == sum(p.amount_cents for p in plbs if p.remittance_id == rid)
        assert row["plb"] == -cash[rid].get("plb", 0)
        assert row["unapplied"] == cash[rid].get("unapplied", 0)
        assert row["posted"] + row["unapplied"] - row["plb"] == row["payment"]
        states = Counter(p.posting_state for p in payments if p.remittance_id == rid)
        assert (row["paid"] + row["denied"] + row["reversed"] + row["held"]
                == sum(states.values()) - states["recorded"])
    totals = report.sections[0].totals or {}
    assert totals["payment"] == report.summary["payment"] == sum(
        c for by_kind in cash.values() for c in by_kind.values())
    assert totals["claims_paid"] == sum(p.paid_cents for p in payments)
    assert totals["plb"] == sum(p.amount_cents for p in plbs)
    assert report.sections[1].totals == {"count": len(plbs),
                                         "amount": sum(p.amount_cents for p in plbs)}
    assert report.summary["unbalanced"] == sum(1 for row in rows.values() if not row["balanced"])
    [chart] = report.charts
    assert sum(chart.series["payments"]) == totals["payment"]


def test_plb_report_total_equals_the_stored_plbs_and_the_ledger(generated_day: Any) -> None:
    sam = generated_day["sam"]
    report = edi_posting.run_report(sam, "plb")
    plbs = _rows(sam, ProviderAdjustment)
    cash = _ledger_cash(sam)

    assert len(plbs) > 0
    assert report.summary["total"] == sum(p.amount_cents for p in plbs)
    assert report.summary["total"] == -sum(k.get("plb", 0) for k in cash.values())
    assert report.summary["adjustments"] == len(report.sections[0].rows) == len(plbs)
    for section in report.sections[1:]:
        assert sum(r["amount"] for r in section.rows) == report.summary["total"]
        assert sum(r["count"] for r in section.rows) == len(plbs)
    era = edi_posting.run_report(sam, "era")
    assert era.summary["plb"] == report.summary["total"]


def test_era_pdf_totals_equal_the_remittance_rows_of_each_check(generated_day: Any) -> None:
    sam = generated_day["sam"]
    payments, lines = _rows(sam, ClaimPayment), _rows(sam, ServiceLinePayment)
    plbs = _rows(sam, ProviderAdjustment)
    for remit in _rows(sam, Remittance)[:5]:
        report = edi_posting.run_report(sam, "era-pdf", subject=str(remit.id))
        mine = [p for p in payments if p.remittance_id == remit.id]
        ids = {p.id for p in mine}
        claims, advice_lines = report.sections[0], report.sections[1]
        assert report.summary["total_paid"] == sum(p.paid_cents for p in mine)
        assert report.summary["total_charge"] == sum(p.charge_cents for p in mine)
        assert report.summary["total_plb"] == sum(p.amount_cents for p in plbs
                                                  if p.remittance_id == remit.id)
        assert (report.summary["total_paid"] - report.summary["total_plb"]
                == report.summary["amount"])
        assert (claims.totals or {})["paid"] == report.summary["total_paid"]
        assert len(advice_lines.rows) == sum(1 for ln in lines if ln.claim_payment_id in ids)
        assert sum(r["paid"] for r in advice_lines.rows) == sum(
            ln.paid_cents for ln in lines if ln.claim_payment_id in ids)


def test_era_exports_of_the_generated_day_read_back_with_the_same_totals(
        generated_day: Any, tmp_path: Path) -> None:
    import io

    import openpyxl
    import pypdf

    report = edi_posting.run_report(generated_day["sam"], "era")
    path = tmp_path / "era.xlsx"
    path.write_bytes(edi_posting.render_report(report, "xlsx"))  # type: ignore[arg-type]
    sheet = openpyxl.load_workbook(path)["Checks and EFTs"]
    header = [c.value for c in sheet[1]]
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    body, total = values[:-1], values[-1]
    paid = header.index("BPR02")
    assert len(body) == len(report.sections[0].rows)
    assert round(sum(row[paid] for row in body) * 100) == report.summary["payment"]
    assert round(total[paid] * 100) == report.summary["payment"]
    pdf = edi_posting.render_report(report, "pdf")
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]  # type: ignore[arg-type]
    assert len(pages) > 1 and all(f"Page {n}" in t for n, t in enumerate(pages, start=1))
    totals = report.sections[0].totals or {}
    assert f"{totals['payment'] // 100}.{totals['payment'] % 100:02d}" in "".join(pages)
