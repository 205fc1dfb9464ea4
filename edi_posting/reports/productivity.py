"""``productivity`` and ``posting-audit``: who did what, and when, from the ledger and queue.

Both read the work as it was done (``journal_entries.posted_at`` and ``actor``, and
``review_item_events.at`` and ``actor``), not the effective dates of the money, so a day
is the day people worked.  ``productivity`` gives, per person and day, the entries posted,
the reversals (835 reversals, replaced claims, undos), the manual actions on review items
(anything a person does to an item: notes, assignments, money actions, dismissals; never
what the engine does on its own: opening, amount changes, auto-resolution) and the items
they closed; then, per review kind, items opened and closed in the period and the median
time from opening to closing.  ``posting-audit`` lists the same work one line per person,
day and action, with the cents each set of entries debited, for an auditor to trace.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, case, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import EntryKind
from edi_posting.db.models import JournalEntry, JournalLine, ReviewItem, ReviewItemEvent
from edi_posting.db.workflow import CLOSED_STATES, OPEN_STATES, ItemAction
from edi_posting.reports.finance_query import as_date, date_range, median_days
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["ENGINE_ACTIONS", "REVERSAL_KINDS", "posting_audit_report", "productivity_report"]

_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)
_ITEM, _EVENT = table_of(ReviewItem), table_of(ReviewItemEvent)
_C, _N = ColumnKind.CENTS, ColumnKind.COUNT

REVERSAL_KINDS = frozenset({EntryKind.REVERSAL, EntryKind.CHARGE_REVERSAL, EntryKind.UNDO})
# item events the engine records on its own: not a person's manual action
ENGINE_ACTIONS = frozenset({ItemAction.OPENED, ItemAction.AMOUNT_CHANGED,
                            ItemAction.SIDE_RECORDED, ItemAction.AUTO_RESOLVED})


def _bounds(query: ReportQuery) -> tuple[dt.date, dt.date, dt.datetime, dt.datetime]:
    first, last = date_range(query)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    return first, last, start, start + dt.timedelta(days=(last - first).days + 1)


def entry_work(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """(day, actor, kind, entries, debits) of entries posted in [start, end)."""
    amount = _LINE.c.amount_cents
    debits = (select(_LINE.c.entry_id, func.sum(case((amount > 0, amount), else_=0))
                     .label("debits")).group_by(_LINE.c.entry_id).subquery())
    rows = conn.execute(
        select(_ENTRY.c.posted_at, _ENTRY.c.actor, _ENTRY.c.kind, debits.c.debits)
        .join(debits, debits.c.entry_id == _ENTRY.c.id)
        .where(_ENTRY.c.posted_at >= start, _ENTRY.c.posted_at < end))
    table: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        cell = table[_utc_day(r.posted_at), r.actor, r.kind]
        cell[0], cell[1] = cell[0] + 1, cell[1] + int(r.debits or 0)
    return [(day, actor, kind, n, cents) for (day, actor, kind), (n, cents) in
            sorted(table.items())]


def event_work(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """(day, actor, action, events, items closed) of item events in [start, end)."""
    rows = conn.execute(select(_EVENT.c.at, _EVENT.c.actor, _EVENT.c.action,
                               _EVENT.c.to_status)
                        .where(_EVENT.c.at >= start, _EVENT.c.at < end))
    table: dict[tuple[dt.date, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        cell = table[_utc_day(r.at), r.actor, r.action]
        cell[0] += 1
        cell[1] += int(r.to_status in CLOSED_STATES)
    return [(day, actor, action, n, closed) for (day, actor, action), (n, closed) in
            sorted(table.items())]


def productivity_report(conn: Connection, query: ReportQuery) -> Report:
    first, last, start, end = _bounds(query)
    people: dict[tuple[dt.date, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("postings", "reversals", "manual_actions", "items_closed",
                               "debits_cents"), 0))
    for day, actor, kind, n, cents in entry_work(conn, start, end):
        row = people[day, actor]
        row["reversals" if kind in REVERSAL_KINDS else "postings"] += n
        row["debits_cents"] += cents
    for day, actor, action, n, closed in event_work(conn, start, end):
        row = people[day, actor]
        if action not in ENGINE_ACTIONS:
            row["manual_actions"] += n
            row["items_closed"] += closed
    rows: list[dict[str, Any]] = [{"day": day, "person": actor, **counts}
                                  for (day, actor), counts in sorted(people.items())]
    keys = ("postings", "reversals", "manual_actions", "items_closed", "debits_cents")
    kinds = _by_kind(conn, start, end)
    person_columns = (Column("day", "Day", ColumnKind.DATE), Column("person", "Person"),
                      Column("postings", "Entries posted", _N),
                      Column("reversals", "Reversals", _N),
                      Column("manual_actions", "Manual actions", _N),
                      Column("items_closed", "Items closed", _N),
                      Column("debits_cents", "Debits posted", _C))
    kind_columns = (Column("kind", "Review kind"), Column("opened", "Opened", _N),
                    Column("closed", "Closed", _N), Column("open_now", "Open now", _N),
                    Column("median_days_to_close", "Median days to close", ColumnKind.DAYS))
    totals: dict[str, Any] = {"day": None, "person": "total",
                              **{k: sum(int(r[k]) for r in rows) for k in keys}}
    kind_totals = {"kind": "total", **{k: sum(int(r[k]) for r in kinds)
                                       for k in ("opened", "closed", "open_now")}}
    return Report(
        "productivity", f"Productivity {first.isoformat()} to {last.isoformat()}", query,
        (Section("by_person_day", "By person and day", person_columns, rows, totals),
         Section("by_kind", "Review items by kind", kind_columns, kinds, kind_totals)),
        {"from": first.isoformat(), "to": last.isoformat(),
         **{k: totals[k] for k in keys},
         "items_opened": kind_totals["opened"], "items_closed_in_period": kind_totals["closed"]})


def _by_kind(conn: Connection, start: dt.datetime, end: dt.datetime) -> list[dict[str, Any]]:
    items = conn.execute(select(_ITEM.c.kind, _ITEM.c.status, _ITEM.c.created_at,
                                _ITEM.c.resolved_at)).all()
    table: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"opened": 0, "closed": 0, "open_now": 0, "waits": []})
    for item in items:
        row = table[item.kind]
        created, resolved = _aware(item.created_at), _aware(item.resolved_at)
        row["opened"] += int(start <= created < end)
        row["open_now"] += int(item.status in OPEN_STATES)
        if resolved is not None and item.status in CLOSED_STATES and start <= resolved < end:
            row["closed"] += 1
            row["waits"].append(resolved - created)
    return [{"kind": kind, "opened": r["opened"], "closed": r["closed"],
             "open_now": r["open_now"], "median_days_to_close": median_days(r["waits"])}
            for kind, r in sorted(table.items()) if r["opened"] or r["closed"] or r["open_now"]]


def _utc_day(value: dt.datetime) -> dt.date:
    """The UTC day of a stored time (the day bounds of the query are UTC days too)."""
    return as_date(_aware(value).astimezone(dt.UTC))


def _aware(value: dt.datetime | None) -> Any:
    """A stored time, as UTC (SQLite hands back naive UTC, PostgreSQL aware times)."""
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def posting_audit_report(conn: Connection, query: ReportQuery) -> Report:
    first, last, start, end = _bounds(query)
    rows = [{"day": day, "person": actor, "source": "ledger", "action": kind, "count": n,
             "debits_cents": cents, "items_closed": 0}
            for day, actor, kind, n, cents in entry_work(conn, start, end)]
    rows += [{"day": day, "person": actor, "source": "queue", "action": action, "count": n,
              "debits_cents": 0, "items_closed": closed}
             for day, actor, action, n, closed in event_work(conn, start, end)]
    rows.sort(key=lambda r: (r["day"], r["person"], r["source"], r["action"]))
    columns = (Column("day", "Day", ColumnKind.DATE), Column("person", "Person"),
               Column("source", "Source"), Column("action", "Entry kind or item action"),
               Column("count", "Count", _N), Column("debits_cents", "Debits", _C),
               Column("items_closed", "Items closed", _N))
    totals = {"day": None, "person": "total",
              **{k: sum(r[k] for r in rows) for k in ("count", "debits_cents", "items_closed")}}
    entries = sum(r["count"] for r in rows if r["source"] == "ledger")
    return Report("posting-audit", f"Posting audit {first.isoformat()} to {last.isoformat()}",
                  query, (Section("work", "Work by person, day and action", columns, rows,
                                  totals),),
                  {"from": first.isoformat(), "to": last.isoformat(), "entries": entries,
                   "item_events": totals["count"] - entries,
                   "debits_cents": totals["debits_cents"]})
