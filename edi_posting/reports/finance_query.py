"""What the finance and audit reports share: the dates a query covers, the payer filter,
the chart of accounts by id, and the age buckets.

Every figure of those reports is read from the ledger (``journal_lines`` by effective
date) or the queue (``review_items`` and their events); nothing here keeps a second copy.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import LedgerAccount, Payer
from edi_posting.ledger.periods import Period
from edi_posting.queue.priorities import AGE_BUCKETS, age_bucket
from edi_posting.reports.report_model import ReportQuery

__all__ = ["AGE_BUCKETS", "NO_PAYER", "account_codes", "age_bucket", "as_date", "as_of", "date_range",
           "median_days", "payer_ids", "payer_names", "rate", "week_of"]

_ACCOUNT, _PAYER = table_of(LedgerAccount), table_of(Payer)
NO_PAYER = "(no payer)"


def as_of(query: ReportQuery, today: dt.date | None = None) -> dt.date:
    """The day a balance or an age is taken on: ``--to``, else today."""
    return query.date_to or today or dt.date.today()


def date_range(query: ReportQuery, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day covered: ``options["period"]`` (``YYYY-MM``) when given, else
    ``--from``/``--to``; a missing ``--from`` is the first day of ``--to``'s month."""
    period = query.options.get("period")
    if period:
        month = Period.parse(period)
        return month.first_day, month.last_day
    last = as_of(query, today)
    return query.date_from or last.replace(day=1), last


def payer_ids(conn: Connection, payer: str | None) -> frozenset[int] | None:
    """The payers ``--payer`` names (id or a part of the name, as ``queue list --payer``);
    None when not filtered."""
    if not payer:
        return None
    found = conn.execute(select(_PAYER.c.id).where(or_(
        _PAYER.c.name.ilike(f"%{payer.strip()}%"),
        _PAYER.c.primary_identifier == payer.strip()))).scalars()
    return frozenset(int(ident) for ident in found)


def payer_names(conn: Connection) -> dict[int | None, str]:
    names: dict[int | None, str] = {None: NO_PAYER}
    names.update({r.id: r.name for r in conn.execute(select(_PAYER.c.id, _PAYER.c.name))})
    return names


def account_codes(conn: Connection) -> dict[int, AccountCode]:
    """Account id -> its code (the chart of accounts is small and fixed)."""
    rows = conn.execute(select(_ACCOUNT.c.id, _ACCOUNT.c.code))
    return {int(r.id): AccountCode(r.code) for r in rows}


def week_of(day: dt.date) -> dt.date:
    """The Monday starting ``day``'s week (the trend's category)."""
    return day - dt.timedelta(days=day.weekday())


def rate(part: int, whole: int) -> Decimal:
    """``part / whole`` as a fraction rounded to 4 places (0 when there is no whole)."""
    if not whole:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"))


def median_days(durations: Iterable[dt.timedelta]) -> Decimal | None:
    """The median of durations in days, to one decimal (None for none)."""
    days = [Decimal(d.total_seconds()) / Decimal(86400) for d in durations]
    if not days:
        return None
    return Decimal(statistics.median(days)).quantize(Decimal("0.1"))


def as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value
