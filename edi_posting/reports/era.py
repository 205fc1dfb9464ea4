"""The ``era`` report: one row per check or EFT, what it paid and what posting did with it.

Read-only over the stored 835 rows and the journal.  What the payer sent comes from the
remittance rows (BPR02, ΣCLP04 of its claim payments, ΣPLB04 and each PLB reason); what it
did comes from the journal (cash clearing of the remittance's entries: what went to claims,
what waits in unapplied cash) and from each claim payment's ``posting_state`` (paid,
denied, reversed, held).  No figure is copied: each is a sum over rows the import wrote.

``balanced`` is the 835's own check: ΣCLP04 - ΣPLB04 = BPR02.  ``posted + unapplied - plb``
always equals BPR02 in the ledger (``ledger check`` proves it per remittance).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Select, func, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Payer,
    ProviderAdjustment,
    Remittance,
)
from edi_posting.reconciliation.matches import deposits_of_remittances
from edi_posting.records.remittance_parts import signed_payment_cents
from edi_posting.records.states import PostingState
from edi_posting.reports.remits import RemitQuery, remit_conditions
from edi_posting.reports.report_model import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportQuery,
    Section,
)

__all__ = ["COUNTED_STATES", "ERA_COLUMNS", "deposit_of", "era_report"]

_REMIT, _CP, _PLB = table_of(Remittance), table_of(ClaimPayment), table_of(ProviderAdjustment)
_E, _L, _A = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)

#: which claim payments each count of a row counts, by posting state
COUNTED_STATES: dict[str, frozenset[PostingState]] = {
    "paid": frozenset({PostingState.POSTED, PostingState.APPLIED, PostingState.REVERSED}),
    "denied": frozenset({PostingState.DENIED}),
    "reversed": frozenset({PostingState.REVERSAL, PostingState.REVERSED_AWAITING_CORRECTION}),
    "held": frozenset({PostingState.HELD, PostingState.UNMATCHED, PostingState.DUPLICATE}),
}
_C, _N, _T = ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.TEXT
ERA_COLUMNS = (
    Column("id", "ID", _N), Column("payment_date", "Paid on", ColumnKind.DATE),
    Column("payer", "Payer"), Column("trace", "Trace"), Column("method", "Method"),
    Column("payment", "BPR02", _C), Column("claims_paid", "Sum CLP04", _C),
    Column("plb", "PLB", _C), Column("paid", "Paid", _N), Column("denied", "Denied", _N),
    Column("reversed", "Reversed", _N), Column("held", "Held", _N),
    Column("balanced", "Balanced"), Column("posted", "Posted", _C),
    Column("unapplied", "Unapplied", _C), Column("deposit", "Deposit"),
)
_SUMMED = ("payment", "claims_paid", "plb", "paid", "denied", "reversed", "held", "posted",
           "unapplied")
PLB_COLUMNS = (Column("id", "ID", _N), Column("trace", "Trace"), Column("reason", "Reason"),
               Column("description", "Description"), Column("count", "PLBs", _N),
               Column("amount", "Amount", _C))


def era_report(conn: Connection, query: ReportQuery) -> Report:
    """Per check/EFT: payer, trace, date, method, BPR02, ΣCLP04, PLB by reason, claims
    paid / denied / reversed / held, balanced or not, posted and unapplied, deposit."""
    chosen = _chosen(query)
    remits = conn.execute(chosen.order_by(_REMIT.c.payment_date, _REMIT.c.id)).all()
    ids = select(chosen.subquery().c.id)
    clp04, states = _claim_figures(conn, ids)
    plb = _plb_by_reason(conn, ids)
    cash = _cash_by_kind(conn, ids)
    deposits = deposit_of(conn, [r.id for r in remits])
    rows = [_row(r, clp04.get(r.id, 0), states.get(r.id, {}), plb.get(r.id, {}),
                 cash.get(r.id, {}), deposits.get(r.id)) for r in remits]
    totals = {key: sum(row[key] for row in rows) for key in _SUMMED}
    plb_rows = [{"id": r.id, "trace": r.trace_number, "reason": reason,
                 "description": describe_code(CodeListName.PLB_REASON, reason),
                 "count": count, "amount": cents}
                for r in remits for reason, (count, cents) in sorted(plb.get(r.id, {}).items())]
    return Report(
        "era", "Remittances (ERA) by check and EFT", query,
        (Section("remittances", "Checks and EFTs", ERA_COLUMNS, rows, totals),
         Section("plb_by_reason", "Provider-level adjustments by reason", PLB_COLUMNS,
                 plb_rows, {"count": sum(r["count"] for r in plb_rows),
                            "amount": sum(r["amount"] for r in plb_rows)})),
        summary={"remittances": len(rows), **{k: totals[k] for k in _SUMMED[:3]},
                 "posted": totals["posted"], "unapplied": totals["unapplied"],
                 "unbalanced": sum(1 for row in rows if not row["balanced"])},
        charts=(_daily_cash(rows),),
        summary_kinds={"remittances": _N, "payment": _C, "claims_paid": _C, "plb": _C,
                       "posted": _C, "unapplied": _C, "unbalanced": _N},
    )


def _chosen(query: ReportQuery) -> Select[Any]:
    filters = RemitQuery(query.payer, query.date_from, query.date_to)
    return (select(_REMIT.c.id, _REMIT.c.payment_date, _REMIT.c.trace_number,
                   _REMIT.c.payment_method, _REMIT.c.payment_cents, _REMIT.c.credit_debit,
                   func.coalesce(Payer.name, _REMIT.c.payer_name).label("payer"))
            .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
            .where(*remit_conditions(filters)))


def _claim_figures(conn: Connection, ids: Select[Any]
                   ) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """ΣCLP04 and the count of claim payments per posting state, per remittance."""
    clp04: dict[int, int] = defaultdict(int)
    states: dict[int, dict[str, int]] = defaultdict(dict)
    for remittance_id, state, count, paid in conn.execute(
            select(_CP.c.remittance_id, _CP.c.posting_state, func.count(),
                   func.sum(_CP.c.paid_cents))
            .where(_CP.c.remittance_id.in_(ids))
            .group_by(_CP.c.remittance_id, _CP.c.posting_state)):
        clp04[remittance_id] += int(paid)
        states[remittance_id][state] = int(count)
    return clp04, states


def _plb_by_reason(conn: Connection, ids: Select[Any]) -> dict[int, dict[str, tuple[int, int]]]:
    """Per remittance, per PLB reason: (how many, ΣPLB04)."""
    found: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for remittance_id, reason, count, cents in conn.execute(
            select(_PLB.c.remittance_id, _PLB.c.reason_code, func.count(),
                   func.sum(_PLB.c.amount_cents))
            .where(_PLB.c.remittance_id.in_(ids))
            .group_by(_PLB.c.remittance_id, _PLB.c.reason_code)):
        found[remittance_id][reason] = (int(count), int(cents))
    return found


def _cash_by_kind(conn: Connection, ids: Select[Any]) -> dict[int, dict[str, int]]:
    """Per remittance, the cash-clearing movement of its entries by entry kind."""
    cash_account = select(_A.c.id).where(_A.c.code == AccountCode.CASH_CLEARING).scalar_subquery()
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for remittance_id, kind, cents in conn.execute(
            select(_E.c.remittance_id, _E.c.kind, func.sum(_L.c.amount_cents))
            .join(_L, _L.c.entry_id == _E.c.id)
            .where(_E.c.remittance_id.in_(ids), _L.c.account_id == cash_account)
            .group_by(_E.c.remittance_id, _E.c.kind)):
        found[remittance_id][kind] = int(cents)
    return found


def deposit_of(conn: Connection, remittance_ids: Iterable[int]) -> dict[int, str]:
    """The bank deposits each remittance was reconciled to, as the ``deposit`` column shows
    them (remittance id -> "deposit 7 on 2025-03-20"; a split lists each; none: absent)."""
    return {remittance_id: "; ".join(f"deposit {d['deposit_id']} on {d['date']}"
                                     + (f" ({d['met']})" if len(lines) > 1 else "")
                                     for d in lines)
            for remittance_id, lines in deposits_of_remittances(conn, remittance_ids).items()}


def _row(r: Any, clp04: int, states: Mapping[str, int], plb: Mapping[str, tuple[int, int]],
         cash: Mapping[str, int], deposit: str | None) -> dict[str, Any]:
    payment = signed_payment_cents(r.payment_cents, r.credit_debit)
    plb_cents = sum(cents for _, cents in plb.values())
    counts = {name: sum(states.get(s, 0) for s in wanted)
              for name, wanted in COUNTED_STATES.items()}
    unapplied = cash.get(EntryKind.UNAPPLIED, 0)
    posted = sum(cents for kind, cents in cash.items()
                 if kind not in (EntryKind.UNAPPLIED, EntryKind.PLB))
    return {"id": r.id, "payment_date": r.payment_date, "payer": r.payer,
            "trace": r.trace_number, "method": r.payment_method, "payment": payment,
            "claims_paid": clp04, "plb": plb_cents, **counts,
            "balanced": clp04 - plb_cents == payment, "posted": posted,
            "unapplied": unapplied, "deposit": deposit}


def _daily_cash(rows: list[dict[str, Any]]) -> Chart:
    """Payments (BPR02) by payment date."""
    by_day: dict[dt.date | None, int] = defaultdict(int)
    for row in rows:
        by_day[row["payment_date"]] += row["payment"]
    days = sorted(by_day, key=lambda d: (d is None, d or dt.date.min))
    return Chart("daily_cash", "Daily cash (payments by day)", ChartKind.BAR,
                 [d.isoformat() if d else "no date" for d in days],
                 {"payments": [by_day[d] for d in days]})
