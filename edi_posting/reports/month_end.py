"""``month-end``: a period's trial balance by account and its movement by kind.

For the period (``options["period"]`` = ``2026-11``, or ``--from``/``--to``) every account's
opening balance (lines dated before the first day), debits and credits in the period and
closing balance, so that opening + debits - credits = closing to the cent; then the
movement by entry kind and account (the rows of one account add up to its movement), and
the headline figures finance asks for (charges, payments, contractual, patient transfers,
write-offs, refunds, reversals, PLB, interest).  Amounts are signed as the ledger keeps
them: debit positive, credit negative.  Dates are effective dates: an entry dated in a
closed period was posted into the first open one (``ledger/periods.py``), so a closed
month's figures never move; ``late_entries`` counts those the period received.  ``--payer``
keeps the lines carrying that payer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, case, func, select, true

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import JournalEntry, JournalLine
from edi_posting.ledger.periods import LATE_MARK
from edi_posting.reports.finance_query import account_codes, date_range, payer_ids
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["HEADLINES", "month_end_report"]

_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)
_C = ColumnKind.CENTS

# headline -> (entry kinds, or None for any; account whose net movement it is; sign shown)
HEADLINES: dict[str, tuple[frozenset[EntryKind] | None, AccountCode, int]] = {
    "charges": (frozenset({EntryKind.CHARGE, EntryKind.CHARGE_REVERSAL}),
                AccountCode.GROSS_CHARGES, -1),
    "payments": (frozenset({EntryKind.PAYMENT, EntryKind.UNAPPLIED}),
                 AccountCode.CASH_CLEARING, 1),
    "contractual": (None, AccountCode.CONTRACTUAL_ADJUSTMENTS, 1),
    "patient_transfers": (None, AccountCode.PATIENT_AR, 1),
    "write_offs": (frozenset({EntryKind.WRITE_OFF}), AccountCode.OTHER_ADJUSTMENTS, 1),
    "refunds": (frozenset({EntryKind.REFUND, EntryKind.RETURN}), AccountCode.REFUNDS_PAYABLE, -1),
    "refunds_paid": (frozenset({EntryKind.REFUND_PAID}), AccountCode.REFUNDS_PAYABLE, 1),
    "reversals": (frozenset({EntryKind.REVERSAL}), AccountCode.CASH_CLEARING, 1),
    "plb": (None, AccountCode.PROVIDER_ADJUSTMENTS, 1),
    "interest": (None, AccountCode.INTEREST_INCOME, -1),
}


def month_end_report(conn: Connection, query: ReportQuery) -> Report:
    first, last = date_range(query)
    payers = payer_ids(conn, query.payer)
    codes = account_codes(conn)
    opening = _opening(conn, first, payers)
    movement = _movement(conn, first, last, payers)
    trial = _trial_rows(codes, opening, movement)
    kinds = _kind_rows(codes, movement)
    headlines = _headlines(codes, movement)
    sections = (
        Section("trial_balance", "Trial balance", _TRIAL_COLUMNS, trial, _totals(trial)),
        Section("movement", "Movement by kind and account", _KIND_COLUMNS, kinds,
                _kind_totals(kinds)),
        Section("headlines", "Movement in the period",
                (Column("figure", "Figure"), Column("amount_cents", "Amount", _C)),
                [{"figure": k, "amount_cents": v} for k, v in headlines.items()]))
    summary: dict[str, Any] = {"from": first.isoformat(), "to": last.isoformat(),
                               **{f"{k}_cents": v for k, v in headlines.items()},
                               "ties": all(r["opening_cents"] + r["debits_cents"]
                                           - r["credits_cents"] == r["closing_cents"]
                                           for r in trial),
                               "late_entries": _late_entries(conn, first, last)}
    return Report("month-end", f"Month end {first.isoformat()} to {last.isoformat()}", query,
                  sections, summary)


_TRIAL_COLUMNS = (Column("account", "Account"), Column("opening_cents", "Opening", _C),
                  Column("debits_cents", "Debits", _C), Column("credits_cents", "Credits", _C),
                  Column("closing_cents", "Closing", _C))
_KIND_COLUMNS = (Column("kind", "Entry kind"), Column("account", "Account"),
                 Column("entries", "Entries", ColumnKind.COUNT),
                 Column("debits_cents", "Debits", _C), Column("credits_cents", "Credits", _C),
                 Column("net_cents", "Net", _C))


def _payer_filter(payers: frozenset[int] | None) -> Any:
    return true() if payers is None else _LINE.c.payer_id.in_(sorted(payers) or [-1])


def _late_entries(conn: Connection, first: dt.date, last: dt.date) -> int:
    """Entries dated in a closed period and posted into this one instead (their memo
    keeps the original date)."""
    return int(conn.execute(select(func.count()).select_from(_ENTRY).where(
        _ENTRY.c.effective_date >= first, _ENTRY.c.effective_date <= last,
        _ENTRY.c.memo.contains(LATE_MARK))).scalar_one())


def _opening(conn: Connection, first: dt.date, payers: frozenset[int] | None) -> dict[int, int]:
    rows = conn.execute(
        select(_LINE.c.account_id, func.sum(_LINE.c.amount_cents))
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(_ENTRY.c.effective_date < first, _payer_filter(payers))
        .group_by(_LINE.c.account_id))
    return {int(a): int(s or 0) for a, s in rows}


def _movement(conn: Connection, first: dt.date, last: dt.date,
              payers: frozenset[int] | None) -> list[Any]:
    """(kind, account id, entries, debits, credits) of the period's lines."""
    amount = _LINE.c.amount_cents
    return list(conn.execute(
        select(_ENTRY.c.kind, _LINE.c.account_id,
               func.count(func.distinct(_ENTRY.c.id)).label("entries"),
               func.sum(case((amount > 0, amount), else_=0)).label("debits"),
               func.sum(case((amount < 0, -amount), else_=0)).label("credits"))
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(_ENTRY.c.effective_date >= first, _ENTRY.c.effective_date <= last,
               _payer_filter(payers))
        .group_by(_ENTRY.c.kind, _LINE.c.account_id)))


def _trial_rows(codes: dict[int, AccountCode], opening: dict[int, int],
                movement: list[Any]) -> list[dict[str, Any]]:
    debits: dict[int, int] = defaultdict(int)
    credits: dict[int, int] = defaultdict(int)
    for row in movement:
        debits[row.account_id] += int(row.debits or 0)
        credits[row.account_id] += int(row.credits or 0)
    rows = []
    for ident, code in sorted(codes.items(), key=lambda kv: list(AccountCode).index(kv[1])):
        start = opening.get(ident, 0)
        rows.append({"account": code.value, "opening_cents": start,
                     "debits_cents": debits[ident], "credits_cents": credits[ident],
                     "closing_cents": start + debits[ident] - credits[ident]})
    return rows


def _kind_rows(codes: dict[int, AccountCode], movement: list[Any]) -> list[dict[str, Any]]:
    rows = [{"kind": r.kind, "account": codes[r.account_id].value, "entries": int(r.entries),
             "debits_cents": int(r.debits or 0), "credits_cents": int(r.credits or 0),
             "net_cents": int(r.debits or 0) - int(r.credits or 0)} for r in movement]
    return sorted(rows, key=lambda r: (list(EntryKind).index(EntryKind(r["kind"])),
                                       list(AccountCode).index(AccountCode(r["account"]))))


def _headlines(codes: dict[int, AccountCode], movement: list[Any]) -> dict[str, int]:
    figures = dict.fromkeys(HEADLINES, 0)
    for row in movement:
        for name, (kinds, account, sign) in HEADLINES.items():
            if codes[row.account_id] == account and (kinds is None or row.kind in kinds):
                figures[name] += sign * (int(row.debits or 0) - int(row.credits or 0))
    return figures


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("opening_cents", "debits_cents", "credits_cents", "closing_cents")
    return {"account": "total", **{k: sum(r[k] for r in rows) for k in keys}}


def _kind_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """(An entry touching several accounts is on several rows: no entry count here.)"""
    return {"kind": "total", "account": "", "entries": None,
            **{k: sum(r[k] for r in rows) for k in ("debits_cents", "credits_cents",
                                                     "net_cents")}}
