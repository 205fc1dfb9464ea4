"""Closed accounting periods: after finance closes a month, nothing posts into it.

The one place an entry's date is decided against the closed periods is
:func:`route_dates`, which :func:`edi_posting.ledger.journal.write_entries` (the only
writer of ``journal_entries``) calls on every batch: an entry whose effective date falls
in a closed period is dated on the first day of the first open period after it, and its
memo keeps the original date and names the closed period
(``dated 2026-11-15 in closed period 2026-11; posted 2026-12-01``), so the month-end
figures of a closed month never move and the late entry is still traceable.  The memo is
part of what the transaction's audit event vouches for.  The closed periods are read once
per database transaction, whatever the number of batches written in it.

Why re-date rather than refuse: an 835 paid in November can arrive in December; refusing
it would strand the cash, while posting it into the open period is what a bookkeeper does
by hand with a late item.  The caller owns the transaction; nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, insert, select, update

from edi_posting.db.base import table_of
from edi_posting.db.periods import AccountingPeriod, PeriodStatus

if TYPE_CHECKING:
    from edi_posting.ledger.journal import EntryDraft

__all__ = ["LATE_MARK", "Period", "PeriodError", "close_period", "closed_periods", "first_open_day",
           "list_periods", "reopen_period", "route_dates"]

_PERIOD = table_of(AccountingPeriod)
_CACHE = "edi_closed_periods"
_FORMAT = re.compile(r"^(\d{4})-(\d{2})$")
LATE_MARK = "in closed period"  # in the memo of every entry moved out of a closed period


class PeriodError(ValueError):
    """A period request that cannot be done (bad name, not over yet, not closed): exit 2."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        found = _FORMAT.match(text.strip())
        if found is None or not 1 <= int(found.group(2)) <= 12:
            raise PeriodError(f"period {text!r} is not a month: write it YYYY-MM, e.g. 2026-11")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.following().first_day - dt.timedelta(days=1)

    def following(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def closed_periods(conn: Connection) -> frozenset[str]:
    """The periods closed now (``YYYY-MM``), read once per transaction of ``conn``."""
    transaction = conn.get_transaction()
    cached = conn.info.get(_CACHE)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return frozenset(cached[1])
    closed = frozenset(conn.execute(select(_PERIOD.c.period).where(
        _PERIOD.c.status == PeriodStatus.CLOSED)).scalars())
    conn.info[_CACHE] = (transaction, closed)
    return closed


def _forget(conn: Connection) -> None:
    conn.info.pop(_CACHE, None)


def first_open_day(day: dt.date, closed: frozenset[str]) -> dt.date:
    """``day`` itself when its period is open, else the first day of the next open one."""
    period = Period.of(day)
    if str(period) not in closed:
        return day
    while str(period) in closed:
        period = period.following()
    return period.first_day


def route_dates(conn: Connection, drafts: Sequence[EntryDraft]) -> list[EntryDraft]:
    """The drafts as they may post: any dated in a closed period moves to the first open
    day, its memo keeping the original date and the closed period's name."""
    closed = closed_periods(conn) if drafts else frozenset()
    if not closed:
        return list(drafts)
    routed: list[EntryDraft] = []
    for draft in drafts:
        day = first_open_day(draft.effective_date, closed)
        if day != draft.effective_date:
            note = (f"dated {draft.effective_date.isoformat()} {LATE_MARK} "
                    f"{Period.of(draft.effective_date)}; posted {day.isoformat()}")
            draft = replace(draft, effective_date=day,
                            memo=f"{draft.memo}; {note}" if draft.memo else note)
        routed.append(draft)
    return routed


def _row(conn: Connection, period: Period) -> Any:
    return conn.execute(select(_PERIOD).where(_PERIOD.c.period == str(period))).first()


def close_period(conn: Connection, text: str, reason: str | None, *, actor: str,
                 today: dt.date | None = None) -> dict[str, Any]:
    """Close a month that is over; :class:`PeriodError` when it is not, or is closed."""
    period = Period.parse(text)
    today = today or dt.date.today()
    if period.following().first_day > today:
        raise PeriodError(f"period {period} is not over yet: it can be closed from "
                          f"{period.following().first_day.isoformat()}")
    row = _row(conn, period)
    if row is not None and row.status == PeriodStatus.CLOSED:
        raise PeriodError(f"period {period} is closed already (by {row.closed_by})")
    values = {"status": PeriodStatus.CLOSED.value, "closed_by": actor, "close_reason": reason,
              "reopened_by": None, "reopened_at": None, "reopen_reason": None}
    if row is None:
        conn.execute(insert(_PERIOD).values(period=str(period), **values))
    else:
        conn.execute(update(_PERIOD).where(_PERIOD.c.id == row.id)
                     .values(closed_at=func.now(), **values))
    _forget(conn)
    return _as_dict(_row(conn, period))


def reopen_period(conn: Connection, text: str, reason: str, *, actor: str) -> dict[str, Any]:
    """Open a closed month again (entries dated in it post there again); a reason is
    required because the month's reported figures may change."""
    period = Period.parse(text)
    if not reason.strip():
        raise PeriodError("a reason is required to reopen a period")
    row = _row(conn, period)
    if row is None or row.status != PeriodStatus.CLOSED:
        raise PeriodError(f"period {period} is not closed")
    conn.execute(update(_PERIOD).where(_PERIOD.c.id == row.id).values(
        status=PeriodStatus.REOPENED.value, reopened_by=actor, reopened_at=func.now(),
        reopen_reason=reason))
    _forget(conn)
    return _as_dict(_row(conn, period))


def list_periods(conn: Connection) -> list[dict[str, Any]]:
    """Every period ever closed, newest first, with its latest state."""
    rows = conn.execute(select(_PERIOD).order_by(_PERIOD.c.period.desc())).all()
    return [_as_dict(row) for row in rows]


def _as_dict(row: Any) -> dict[str, Any]:
    return {"period": row.period, "status": row.status, "closed_by": row.closed_by,
            "closed_at": row.closed_at, "close_reason": row.close_reason,
            "reopened_by": row.reopened_by, "reopened_at": row.reopened_at,
            "reopen_reason": row.reopen_reason}
