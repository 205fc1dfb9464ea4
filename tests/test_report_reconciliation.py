"""``report reconciliation`` and the ``deposit`` column of ``report era``, on the
generator's day with its planted missing, extra and bulk deposits: every figure
recomputed from the deposit lines, the matches and the cash-clearing journal lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

import edi_posting
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Deposit, DepositMatch, JournalLine, LedgerAccount, ReviewItem
from edi_posting.money import format_cents
from edi_posting.reports.report_model import ReportQuery
from edi_posting.testdata.generator import generate
from tests.x835 import Practice

Sessions = Callable[[str], edi_posting.Session]


def _reconciled_day(practice: Practice, as_user: Sessions, tmp_path: Path) -> None:
    day = tmp_path / "day"
    generate(day, 60, seed=1)
    expected = json.loads((day / "expected.json").read_text())["deposits"]
    edi_posting.import_files(as_user("pat"), [day / "837", day / "835"])
    edi_posting.import_deposits(as_user("pat"), [day / expected["csv"]])
    edi_posting.reconcile(as_user("sam"))


def test_reconciliation_report_totals_equal_the_deposit_lines_and_cash_clearing(
        practice: Practice, as_user: Sessions, tmp_path: Path) -> None:
    _reconciled_day(practice, as_user, tmp_path)
    report = edi_posting.run_report(as_user("leo"), "reconciliation", ReportQuery())
    rendered = json.loads(edi_posting.render_report(report, "json"))
    with practice.engine.connect() as conn:
        lines = conn.execute(select(func.count(), func.sum(Deposit.amount_cents)).where(
            Deposit.amount_cents > 0, Deposit.is_return.is_(False))).one()
        clearing = conn.execute(
            select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
            .where(LedgerAccount.code == AccountCode.CASH_CLEARING)).scalar_one()
        open_kinds = dict(conn.execute(
            select(ReviewItem.kind, func.count()).where(
                ReviewItem.status.in_(["open", "in_progress", "escalated"]))
            .group_by(ReviewItem.kind)).all())
        met = conn.execute(select(func.count(func.distinct(DepositMatch.receipt_id)))).scalar()

    summary = report.summary
    assert (summary["deposits"], summary["deposited_cents"]) == (lines[0], lines[1])
    assert summary["cash_clearing_cents"] == clearing
    assert summary["cash_clearing_ties"] is True and summary["difference"] is None
    assert summary["silent_eras"] == open_kinds.get("silent_era", 0) > 0
    assert summary["lonely_deposits"] == open_kinds.get("lonely_deposit", 0) > 0
    rows = report.sections[0].rows
    assert sum(r["deposited"] for r in rows) == lines[1]
    assert 0 < sum(r["remittances_met"] for r in rows) <= met
    assert rendered["summary"]["cash_clearing_cents"] == format_cents(int(clearing))


def test_era_report_names_the_deposit_each_remittance_met(
        practice: Practice, as_user: Sessions, tmp_path: Path) -> None:
    _reconciled_day(practice, as_user, tmp_path)
    report = edi_posting.run_report(as_user("leo"), "era", ReportQuery())
    with practice.engine.connect() as conn:
        met = {r: sorted(d for d, in conn.execute(
                   select(DepositMatch.deposit_id).where(DepositMatch.receipt_id == r,
                                                         DepositMatch.receipt_kind == "remittance")))
               for r, in conn.execute(select(func.distinct(DepositMatch.receipt_id)).where(
                   DepositMatch.receipt_kind == "remittance"))}
    shown = {row["id"]: row["deposit"] for row in report.sections[0].rows}
    assert met and set(met) <= set(shown)
    for remittance_id, deposit in shown.items():
        if remittance_id in met:
            assert deposit is not None
            assert [int(part.split()[1]) for part in deposit.split("; ")] == met[remittance_id]
        else:
            assert deposit is None
