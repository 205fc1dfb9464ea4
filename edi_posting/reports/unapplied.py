"""``unapplied``: unapplied cash aging by payer and by the reason holding it.

Read from the ledger, as of ``--to`` (or today): every ``unapplied_cash`` line dated on or
before that day, grouped by the claim payment whose cash it is (or, without one, its
remittance, else its entry), so cash held and later applied, returned or offset by a
recoupment nets out.  What remains is aged from its remittance's payment date (BPR16;
the entry's date when it has none) into 0-30, 31-60, 61-90 and 90+ days.  The reason is
the review item holding that claim payment's cash (its kind and problem code), since the
queue owns every unapplied dollar.  The total equals the ``unapplied_cash`` balance
(credit, shown positive) to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Remittance,
    ReviewItem,
)
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.reports.finance_query import (
    AGE_BUCKETS,
    NO_PAYER,
    age_bucket,
    as_of,
    payer_ids,
    payer_names,
)
from edi_posting.reports.report_model import (
    Chart,
    ChartKind,
    Column,
    ColumnKind,
    Report,
    ReportQuery,
    Section,
)

__all__ = ["HeldCash", "held_cash", "unapplied_report"]

_ENTRY, _LINE, _ACCOUNT = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)
_CP, _REMIT, _ITEM = table_of(ClaimPayment), table_of(Remittance), table_of(ReviewItem)
_C = ColumnKind.CENTS
NO_ITEM = "(no review item)"


@dataclass(frozen=True, slots=True)
class HeldCash:
    """Cash one claim payment (or remittance) still holds in unapplied cash on a day."""

    payer_id: int | None
    reason: str
    since: dt.date  # the payment date it ages from
    cents: int  # positive: cash held


def held_cash(conn: Connection, day: dt.date) -> list[HeldCash]:
    """What is held in unapplied cash on ``day``, per origin and payer (zero nets left out)."""
    rows = conn.execute(
        select(_LINE.c.amount_cents, _LINE.c.payer_id, _ENTRY.c.id.label("entry_id"),
               _ENTRY.c.effective_date, _ENTRY.c.remittance_id,
               func.coalesce(_ENTRY.c.claim_payment_id, _ITEM.c.claim_payment_id)
               .label("claim_payment_id"))
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .join(_ACCOUNT, _ACCOUNT.c.id == _LINE.c.account_id)
        .outerjoin(_ITEM, _ITEM.c.id == _ENTRY.c.review_item_id)
        .where(_ACCOUNT.c.code == AccountCode.UNAPPLIED_CASH, _ENTRY.c.effective_date <= day))
    sums: dict[tuple[Any, int | None], int] = defaultdict(int)
    facts: dict[Any, Any] = {}
    for row in rows:
        origin = (("cp", row.claim_payment_id) if row.claim_payment_id is not None else
                  ("remit", row.remittance_id) if row.remittance_id is not None else
                  ("entry", row.entry_id))
        sums[origin, row.payer_id] -= int(row.amount_cents)
        facts.setdefault(origin, row)
    dates, reasons = _payment_dates(conn, facts), _reasons(conn, facts)
    return [HeldCash(payer, reasons.get(origin, NO_ITEM),
                     dates.get(origin) or facts[origin].effective_date, cents)
            for (origin, payer), cents in sorted(sums.items(), key=lambda kv: str(kv[0]))
            if cents]


def _payment_dates(conn: Connection, facts: dict[Any, Any]) -> dict[Any, dt.date | None]:
    cps = [o[1] for o in facts if o[0] == "cp"]
    remits = {o[1] for o in facts if o[0] == "remit"}
    remits |= {r.remittance_id for o, r in facts.items() if r.remittance_id is not None}
    by_remit = {r.id: r.payment_date for r in conn.execute(
        select(_REMIT.c.id, _REMIT.c.payment_date).where(_REMIT.c.id.in_(sorted(remits))))}
    cp_remit = {r.id: r.remittance_id for r in conn.execute(
        select(_CP.c.id, _CP.c.remittance_id).where(_CP.c.id.in_(sorted(cps))))}
    dates: dict[Any, dt.date | None] = {}
    for origin, row in facts.items():
        remit = cp_remit.get(origin[1]) if origin[0] == "cp" else row.remittance_id
        dates[origin] = by_remit.get(remit) if remit is not None else None
    return dates


def _reasons(conn: Connection, facts: dict[Any, Any]) -> dict[Any, str]:
    """Origin -> the latest review item holding its cash: ``kind (PROBLEM_CODE)``."""
    cps = sorted(o[1] for o in facts if o[0] == "cp")
    found: dict[Any, str] = {}
    for item in conn.execute(select(_ITEM.c.kind, _ITEM.c.problem_code, _ITEM.c.claim_payment_id)
                             .where(_ITEM.c.claim_payment_id.in_(cps)).order_by(_ITEM.c.id)):
        if holds_unapplied(item.kind, item.claim_payment_id):
            code = f" ({item.problem_code})" if item.problem_code else ""
            found[("cp", item.claim_payment_id)] = f"{item.kind}{code}"
    return found


def unapplied_report(conn: Connection, query: ReportQuery) -> Report:
    day = as_of(query)
    payers = payer_ids(conn, query.payer)
    held = [h for h in held_cash(conn, day) if payers is None or h.payer_id in payers]
    names = payer_names(conn)
    by_payer = _aged(held, "payer", lambda h: names.get(h.payer_id, NO_PAYER), day)
    by_reason = _aged(held, "reason", lambda h: h.reason, day)
    columns = (*(Column(f"b{i}_cents", f"{b} days", _C) for i, b in enumerate(AGE_BUCKETS)),
               Column("total_cents", "Total", _C))
    chart = Chart("aging_by_payer", "Unapplied cash aging by payer", ChartKind.STACKED_BAR,
                  list(AGE_BUCKETS), {r["payer"]: [r[f"b{i}_cents"] for i in range(4)]
                                      for r in by_payer})
    total = sum(h.cents for h in held)
    return Report(
        "unapplied", f"Unapplied cash aging as of {day.isoformat()}", query,
        (Section("by_payer", "By payer", (Column("payer", "Payer"), *columns), by_payer,
                 _sum_row("payer", by_payer)),
         Section("by_reason", "By reason (the review item holding it)",
                 (Column("reason", "Reason"), *columns), by_reason,
                 _sum_row("reason", by_reason))),
        {"as_of": day.isoformat(), "total_cents": total,
         **{f"{b}_cents": sum(h.cents for h in held if age_bucket((day - h.since).days) == b)
            for b in AGE_BUCKETS}},
        (chart,))


def _aged(held: list[HeldCash], label: str, key: Callable[[HeldCash], str],
          day: dt.date) -> list[dict[str, Any]]:
    """One row per ``key(h)``: cents per age bucket and the total."""
    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for h in held:
        table[key(h)][AGE_BUCKETS.index(age_bucket((day - h.since).days))] += h.cents
    return [{label: name, **{f"b{i}_cents": v for i, v in enumerate(values)},
             "total_cents": sum(values)} for name, values in sorted(table.items())]


def _sum_row(label: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = [*(f"b{i}_cents" for i in range(4)), "total_cents"]
    return {label: "total", **{k: sum(r[k] for r in rows) for k in keys}}
