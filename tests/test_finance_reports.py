"""The finance and audit reports of issue 26 on the generator's data, every total
recomputed here independently from journal lines (and the queue's rows) and equal to the
cent: ``month-end``, ``unapplied``, ``denials``, ``credit-balances``, ``refunds``,
``productivity`` and ``posting-audit``.  The generator's 200 claims are imported, then
people work the queue through the public API (a duplicate payment applied, its credit
refunded with a second person's approval, the refund paid; a denial written off; notes),
so the reports see manual actions.  On SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

import edi_posting
from edi_posting.audit.writes import write_transaction
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Remittance,
    ReviewItem,
    ReviewItemEvent,
)
from edi_posting.importing.pipeline import import_paths
from edi_posting.importing.units import ImportOptions
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.reports.finance_catalog import FINANCE_REPORTS
from edi_posting.reports.report_model import Report, ReportQuery
from edi_posting.testdata.generator import generate
from tests.x835 import Practice

SEED = 3
EVERYTHING = ReportQuery(date_from=dt.date(2020, 1, 1), date_to=dt.date.today())


@dataclass
class Worked:
    engine: Engine
    credit_item: int
    written_off: int


@dataclass(frozen=True)
class Line:
    entry_id: int
    kind: str
    day: dt.date
    account: str
    cents: int
    payer_id: int | None
    claim_id: int | None


def _lines(engine: Engine) -> list[Line]:
    with engine.connect() as conn:
        rows = conn.execute(select(
            JournalLine.entry_id, JournalEntry.kind, JournalEntry.effective_date,
            LedgerAccount.code, JournalLine.amount_cents, JournalLine.payer_id,
            JournalLine.submitted_claim_id)
            .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
            .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)).all()
    return [Line(*r) for r in rows]


def _item_id(engine: Engine, kind: str, problem: str | None = None) -> int:
    query = select(ReviewItem.id).where(ReviewItem.kind == kind).order_by(ReviewItem.id)
    if problem:
        query = query.where(ReviewItem.problem_code == problem, ReviewItem.amount_cents > 0)
    with engine.connect() as conn:
        return int(conn.execute(query).scalars().first())  # type: ignore[arg-type]


def _pcn_of(engine: Engine, item_id: int) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(ClaimPayment.patient_control_number)
                                .join(ReviewItem, ReviewItem.claim_payment_id == ClaimPayment.id)
                                .where(ReviewItem.id == item_id)).scalar_one())


def _run(engine: Engine, name: str, query: ReportQuery = EVERYTHING) -> Report:
    with engine.connect() as conn:
        return FINANCE_REPORTS[name](conn, query)


@pytest.fixture
def worked(practice: Practice, as_user: Any, tmp_path: Path) -> Worked:
    """The generator's day imported, then a duplicate payment applied (a credit), a
    denial written off and a note: the queue worked by people through the API."""
    out = tmp_path / "gen"
    generate(out, claims=200, seed=SEED)
    import_paths(practice.engine, [out / "837", out / "835"], ImportOptions(actor="poster1"))
    engine = practice.engine
    duplicate = _item_id(engine, "unmatched_payment", "DUPLICATE_PAYMENT")
    applied = edi_posting.apply_cash(as_user("sam"), duplicate, _pcn_of(engine, duplicate),
                                     confirm=True)
    [credit] = applied.opened_item_ids
    edi_posting.set_write_off_limit(as_user("ada"), 10_000_000)
    denial = _item_id(engine, "denial")
    edi_posting.note_item(as_user("sam"), denial, "called the payer: timely filing")
    edi_posting.write_off(as_user("sam"), denial, "CO-29")
    return Worked(engine, credit, denial)


def test_month_end_ties_opening_plus_movement_to_closing_for_every_month(
        worked: Worked) -> None:
    lines = _lines(worked.engine)
    months = sorted({(ln.day.year, ln.day.month) for ln in lines})
    assert len(months) >= 2
    for year, month in months:
        report = _run(worked.engine, "month-end",
                      ReportQuery(options={"period": f"{year:04d}-{month:02d}"}))
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        trial = {r["account"]: r for r in report.sections[0].rows}
        for account, row in trial.items():
            mine = [ln for ln in lines if ln.account == account]
            opening = sum(ln.cents for ln in mine if ln.day < first)
            moved = [ln.cents for ln in mine if first <= ln.day <= last]
            assert (row["opening_cents"], row["debits_cents"], row["credits_cents"]) == (
                opening, sum(c for c in moved if c > 0), -sum(c for c in moved if c < 0))
            assert row["opening_cents"] + row["debits_cents"] - row["credits_cents"] == (
                row["closing_cents"]) == sum(ln.cents for ln in mine if ln.day <= last)
            by_kind = sum(r["net_cents"] for r in report.sections[1].rows
                          if r["account"] == account)
            assert row["opening_cents"] + by_kind == row["closing_cents"]
        assert report.sections[0].totals == {
            "account": "total", "opening_cents": 0, "debits_cents": sum(
                ln.cents for ln in lines if first <= ln.day <= last and ln.cents > 0),
            "credits_cents": -sum(ln.cents for ln in lines
                                  if first <= ln.day <= last and ln.cents < 0),
            "closing_cents": 0}
        assert report.summary["ties"] is True
        period = [ln for ln in lines if first <= ln.day <= last]
        assert report.summary["charges_cents"] == -sum(
            ln.cents for ln in period if ln.account == "gross_charges")
        assert report.summary["contractual_cents"] == sum(
            ln.cents for ln in period if ln.account == "contractual_adjustments")
        assert report.summary["write_offs_cents"] == sum(
            ln.cents for ln in period if ln.account == "other_adjustments"
            and ln.kind == "write_off")
        assert report.summary["interest_cents"] == -sum(
            ln.cents for ln in period if ln.account == "interest_income")


def test_unapplied_aging_totals_equal_the_unapplied_cash_balance_and_the_queue(
        worked: Worked) -> None:
    report = _run(worked.engine, "unapplied")
    balance = -sum(ln.cents for ln in _lines(worked.engine) if ln.account == "unapplied_cash")
    with worked.engine.connect() as conn:
        held = sum(i.amount_cents for i in conn.execute(
            select(ReviewItem.kind, ReviewItem.claim_payment_id, ReviewItem.amount_cents)
            .where(ReviewItem.status.in_(("open", "in_progress", "escalated"))))
            if holds_unapplied(i.kind, i.claim_payment_id))
    assert report.summary["total_cents"] == balance == held != 0
    by_payer, by_reason = report.sections
    assert by_payer.totals is not None and by_reason.totals is not None
    assert by_payer.totals["total_cents"] == by_reason.totals["total_cents"] == balance
    assert sum(report.summary[f"{b}_cents"] for b in ("0-30", "31-60", "61-90", "90+")) == balance
    for row in (*by_payer.rows, *by_reason.rows):
        assert sum(row[f"b{i}_cents"] for i in range(4)) == row["total_cents"]
    [chart] = report.charts
    assert sum(sum(values) for values in chart.series.values()) == balance
    before = _run(worked.engine, "unapplied", ReportQuery(date_to=dt.date(2020, 1, 1)))
    assert before.summary["total_cents"] == 0 and before.sections[0].rows == []


def test_denials_count_rate_and_dollars_at_risk_recomputed_from_the_ledger(
        worked: Worked) -> None:
    report = _run(worked.engine, "denials")
    lines = _lines(worked.engine)
    with worked.engine.connect() as conn:
        denials = conn.execute(select(ReviewItem.id, ReviewItem.submitted_claim_id,
                                      ReviewItem.payer_id, ReviewItem.status,
                                      ReviewItem.claim_payment_id)
                               .where(ReviewItem.kind == "denial")).all()
        duplicates = set(conn.execute(select(Adjustment.claim_payment_id)
                                      .where(Adjustment.reason_code == "18")).scalars())
        adjudicated = conn.execute(select(ClaimPayment.id).join(
            Remittance, Remittance.id == ClaimPayment.remittance_id).where(
            ClaimPayment.status_code != "22")).scalars().all()
    counted = [d for d in denials if d.claim_payment_id not in duplicates]
    at_risk = 0
    for d in counted:
        owed = sum(ln.cents for ln in lines if ln.claim_id == d.submitted_claim_id
                   and ln.account == "insurance_ar" and ln.payer_id == d.payer_id)
        at_risk += max(owed, 0)
    adjudicated_count = len([a for a in adjudicated if a not in duplicates])
    assert report.summary["denials"] == len(counted) > 0
    assert report.summary["at_risk_cents"] == at_risk
    assert report.summary["adjudicated"] == adjudicated_count
    assert report.summary["denial_rate"] == round(
        __import__("decimal").Decimal(len(counted)) / adjudicated_count, 4)
    assert report.summary["open"] == len([d for d in counted if d.status == "open"])
    sections = {s.key: s for s in report.sections}
    for key in ("by_payer", "by_provider", "by_week"):
        totals = sections[key].totals
        assert totals is not None
        assert (totals["denials"], totals["at_risk_cents"]) == (len(counted), at_risk), key
    assert sum(r["denials"] for r in sections["root_causes"].rows) == len(counted)
    assert all(r["carc_description"] for r in sections["by_code"].rows)
    assert [c.key for c in report.charts] == ["denials_by_carc", "denials_by_payer",
                                              "denials_by_week"]
    assert sum(report.charts[1].series["denials"]) == len(counted)


def test_credit_balance_refund_moves_from_requested_to_approved_to_paid(
        worked: Worked, as_user: Any) -> None:
    engine = worked.engine
    credits = _run(engine, "credit-balances")
    [row] = credits.sections[0].rows
    lines = _lines(engine)
    claim_sides: dict[tuple[int | None, str, int | None], int] = defaultdict(int)
    for ln in lines:
        if ln.account in ("insurance_ar", "patient_ar") and ln.claim_id is not None:
            payer = ln.payer_id if ln.account == "insurance_ar" else None
            claim_sides[ln.claim_id, ln.account, payer] += ln.cents
    in_credit = -sum(v for v in claim_sides.values() if v < 0)
    assert credits.summary["credit_cents"] == row["credit_cents"] == in_credit > 0
    assert (row["item"], row["refund_status"]) == (worked.credit_item, "none")
    assert row["cause"]

    edi_posting.set_refund_limit(as_user("ada"), 100)
    asked = edi_posting.refund_credit(as_user("sam"), worked.credit_item, "paid twice")
    assert asked.status != "resolved"
    assert _run(engine, "credit-balances").sections[0].rows[0]["refund_status"] == "requested"
    [requested] = _run(engine, "refunds").sections[0].rows
    assert (requested["status"], requested["amount_cents"], requested["requested_by"]) == (
        "requested", in_credit, "sam")

    [approval] = edi_posting.list_approvals(as_user("leo"))
    edi_posting.approve(as_user("leo"), approval["id"])
    refunds = _run(engine, "refunds")
    [approved] = refunds.sections[0].rows
    assert (approved["status"], approved["approved_by"], approved["paid_cents"]) == (
        "approved", "leo", 0)
    payable = -sum(ln.cents for ln in _lines(engine) if ln.account == "refunds_payable")
    assert refunds.summary["outstanding_cents"] == refunds.summary[
        "refunds_payable_cents"] == payable == in_credit
    assert _run(engine, "credit-balances").sections[0].rows == []

    claim = next(ln.claim_id for ln in _lines(engine) if ln.account == "refunds_payable")
    with write_transaction(engine) as conn:  # finance cut the refund check
        write_entries(conn, [EntryDraft("refund-paid-1", "refund_paid", dt.date.today(), (
            Posting("refunds_payable", in_credit, submitted_claim_id=claim),
            Posting("cash_clearing", -in_credit)))], "finance")
    paid = _run(engine, "refunds")
    assert (paid.sections[0].rows[0]["status"], paid.sections[0].rows[0]["paid_cents"]) == (
        "paid", in_credit)
    assert paid.summary["outstanding_cents"] == paid.summary["refunds_payable_cents"] == 0


def test_productivity_and_posting_audit_count_every_entry_and_manual_action(
        worked: Worked) -> None:
    today = ReportQuery(date_from=dt.date.today(), date_to=dt.date.today())
    report = _run(worked.engine, "productivity", today)
    audit = _run(worked.engine, "posting-audit", today)
    lines = _lines(worked.engine)
    with worked.engine.connect() as conn:
        entries = conn.execute(select(JournalEntry.id, JournalEntry.actor,
                                      JournalEntry.kind)).all()
        events = conn.execute(select(ReviewItemEvent.actor, ReviewItemEvent.action,
                                     ReviewItemEvent.to_status)).all()
        items = conn.execute(select(ReviewItem.kind)).scalars().all()
    reversal_kinds = {"reversal", "charge_reversal", "undo"}
    debits = sum(ln.cents for ln in lines if ln.cents > 0)
    manual = [e for e in events if e.action not in
              {"opened", "amount_changed", "side_recorded", "auto_resolved"}]
    people = {r["person"]: r for r in report.sections[0].rows}
    assert people["sam"]["manual_actions"] == len([e for e in manual if e.actor == "sam"]) >= 3
    assert people["sam"]["items_closed"] == len(
        [e for e in manual if e.actor == "sam" and e.to_status in ("resolved", "dismissed")])
    assert report.summary["postings"] == len([e for e in entries
                                              if e.kind not in reversal_kinds])
    assert report.summary["reversals"] == len([e for e in entries if e.kind in reversal_kinds])
    assert report.summary["debits_cents"] == audit.summary["debits_cents"] == debits
    assert report.summary["manual_actions"] == len(manual)
    assert report.summary["items_opened"] == len(items)
    by_kind = {r["kind"]: r for r in report.sections[1].rows}
    assert by_kind["denial"]["closed"] == 1 and by_kind["denial"]["median_days_to_close"] >= 0
    assert audit.summary["entries"] == len(entries)
    assert audit.summary["item_events"] == len(events)
    sam_ledger = sum(r["count"] for r in audit.sections[0].rows
                     if r["person"] == "sam" and r["source"] == "ledger")
    assert sam_ledger == len([e for e in entries if e.actor == "sam"]) == 2


def test_a_closed_months_month_end_does_not_move_when_late_payments_arrive(
        practice: Practice, as_user: Any) -> None:
    from tests.x835 import clp, remit, svc

    practice.bill(("PCN1", (("HC:99213", "100"),)))
    edi_posting.close_period(as_user("ada"), "2026-03", "March books closed")
    march = ReportQuery(options={"period": "2026-03"})
    before = _run(practice.engine, "month-end", march)
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     *svc("99213", "100", "80", "CO*45*20").splitlines())))
    assert _run(practice.engine, "month-end", march).sections == before.sections
    april = _run(practice.engine, "month-end", ReportQuery(options={"period": "2026-04"}))
    assert april.summary["payments_cents"] == 8000
    assert april.summary["contractual_cents"] == 2000
    assert (april.summary["late_entries"], before.summary["late_entries"]) == (1, 0)


def test_denials_leave_duplicates_out_of_the_rate_and_describe_their_codes(
        practice: Practice, as_user: Any) -> None:
    from tests.x835 import clp, remit, svc

    practice.bill(("PCN1", (("HC:99213", "100"),)), ("PCN2", (("HC:99214", "150"),)),
                  ("PCN3", (("HC:99213", "100"),)))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                     *svc("99213", "100", "80", "CO*45*20").splitlines()),
                           clp("PCN2", "4", "150", "0", "0", "ICN2",
                               *(svc("99214", "150", "0", "CO*29*150") + "LQ*HE*M62~")
                               .splitlines()),
                           clp("PCN3", "4", "100", "0", "0", "ICN3",
                               *svc("99213", "100", "0", "CO*18*100").splitlines())))
    report = _run(practice.engine, "denials",
                  ReportQuery(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31)))
    assert {k: report.summary[k] for k in ("denials", "adjudicated", "duplicates_excluded",
                                           "at_risk_cents")} == {
        "denials": 1, "adjudicated": 2, "duplicates_excluded": 1, "at_risk_cents": 15000}
    assert str(report.summary["denial_rate"]) == "0.5000"
    sections = {s.key: s for s in report.sections}
    [code] = sections["by_code"].rows
    assert (code["group"], code["carc"], code["rarc"], code["denials"], code["adjusted_cents"],
            code["at_risk_cents"]) == ("CO", "29", "M62", 1, 15000, 15000)
    assert code["carc_description"] == "The time limit for filing has expired."
    assert code["rarc_description"] and code["group_description"] == "Contractual Obligations"
    assert [(r["procedure"], r["denials"]) for r in sections["by_procedure"].rows] == [
        ("99214", 1)]
    [cause] = sections["root_causes"].rows
    assert (cause["rank"], cause["carc"], str(cause["share"])) == (1, "29", "1.0000")
    elsewhere = _run(practice.engine, "denials",
                     ReportQuery(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31),
                                 payer="NO SUCH PAYER"))
    assert (elsewhere.summary["denials"], elsewhere.summary["adjudicated"]) == (0, 0)
