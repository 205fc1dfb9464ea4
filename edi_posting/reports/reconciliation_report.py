"""``report reconciliation``: each day's deposits against the money received, from the
deposit lines, their matches, the open deposit items and the cash-clearing account.

The day rows are ``reconcile status``'s (one computation, :mod:`edi_posting.reconciliation.status`)
with the items still open beside them: silent ERAs by the remittance's payment date and
lonely deposits by the deposit's date, so a lead sees which day is not yet balanced.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import Deposit, Remittance, ReviewItem
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.reconciliation.status import (
    cash_clearing_cents,
    cash_clearing_difference,
    day_figures,
)
from edi_posting.records.states import ReviewKind
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["reconciliation_report"]

_D, _R, _I = table_of(Deposit), table_of(Remittance), table_of(ReviewItem)
_C, _N = ColumnKind.CENTS, ColumnKind.COUNT
_COLUMNS = (
    Column("date", "Date", ColumnKind.DATE), Column("deposits", "Deposits", _N),
    Column("deposited", "Deposited", _C), Column("remittances_met", "Remittances met", _N),
    Column("variances", "Variances", _N), Column("silent_eras", "Silent ERAs", _N),
    Column("lonely_deposits", "Lonely deposits", _N),
    Column("unmatched_deposit_amount", "Deposits unmatched", _C),
    Column("unmatched_remittances", "Remittances awaiting", _N),
    Column("unmatched_remittance_amount", "Awaiting deposit", _C),
    Column("cash_clearing", "Cash clearing", _C),
)
_SUMMED = ("deposits", "deposited", "remittances_met", "variances", "silent_eras",
           "lonely_deposits", "unmatched_deposit_amount", "unmatched_remittances",
           "unmatched_remittance_amount")


def reconciliation_report(conn: Connection, query: ReportQuery) -> Report:
    """Per day: deposits, remittances met, variances, silent ERAs, lonely deposits, what
    awaits deposit and the cash-clearing balance at the day's end."""
    rows = day_figures(conn, date_from=query.date_from, date_to=query.date_to)
    silent, lonely = _open_items_by_day(conn)
    for row in rows:
        row["silent_eras"], row["lonely_deposits"] = silent[row["date"]], lonely[row["date"]]
    for day in sorted((set(silent) | set(lonely)) - {r["date"] for r in rows}):
        if _within(day, query):  # an item's day with no deposit or receipt left in it
            rows.append({"date": day, **dict.fromkeys(_SUMMED, 0), "silent_eras": silent[day],
                         "lonely_deposits": lonely[day],
                         "cash_clearing": cash_clearing_cents(conn, day)})
    rows.sort(key=lambda r: r["date"])
    totals = {"date": None, **{k: sum(r[k] for r in rows) for k in _SUMMED},
              "cash_clearing": rows[-1]["cash_clearing"] if rows else 0}
    difference = cash_clearing_difference(conn)
    summary = {"days": len(rows), "deposits": totals["deposits"],
               "deposited_cents": totals["deposited"], "variances": totals["variances"],
               "silent_eras": totals["silent_eras"], "lonely_deposits": totals["lonely_deposits"],
               "awaiting_deposit_cents": totals["unmatched_remittance_amount"],
               "cash_clearing_cents": cash_clearing_cents(conn),
               "cash_clearing_ties": difference is None, "difference": difference}
    return Report("reconciliation", "Reconciliation by day", query,
                  (Section("by_day", "By day", _COLUMNS, rows, totals),), summary)


def _open_items_by_day(conn: Connection) -> tuple[Counter[dt.date], Counter[dt.date]]:
    """Open silent ERAs by payment date, open lonely deposits by deposit date."""
    silent: Counter[dt.date] = Counter()
    lonely: Counter[dt.date] = Counter()
    open_ = _I.c.status.in_([s.value for s in OPEN_STATES])
    for day, count in conn.execute(
            select(_R.c.payment_date, func.count()).join(_I, _I.c.remittance_id == _R.c.id)
            .where(open_, _I.c.kind == ReviewKind.SILENT_ERA).group_by(_R.c.payment_date)):
        if day is not None:
            silent[day] += int(count)
    for day, count in conn.execute(
            select(_D.c.deposit_date, func.count()).join(_I, _I.c.deposit_id == _D.c.id)
            .where(open_, _I.c.kind == ReviewKind.LONELY_DEPOSIT).group_by(_D.c.deposit_date)):
        lonely[day] += int(count)
    return silent, lonely


def _within(day: dt.date, query: ReportQuery) -> bool:
    return ((query.date_from is None or day >= query.date_from)
            and (query.date_to is None or day <= query.date_to))
