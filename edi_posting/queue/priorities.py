"""How urgent an item is: its age and the dollars at risk, as the queue ranks them.

Why not the item's own ``created_at`` and ``amount_cents``: a 17-month-old payment imported
today is not 0 days old (timely filing and appeal windows run from the payment, and for a
denial from the claim's service date), and a denial owns no cash, yet the claim's open
balance with the denying payer is what the practice loses if nobody works it.  Both are
computed when the queue is read, never stored, so they stay true as money moves.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from edi_posting.queue.credit_sides import INSURANCE, ClaimSide, side_balances
from edi_posting.records.states import ReviewKind

__all__ = ["AGE_BUCKETS", "DueFilter", "QueueSort", "age_bucket", "age_from", "at_risk_cents"]


class QueueSort(enum.StrEnum):
    """``queue list --sort``: oldest first, or most dollars at risk first."""

    AGE = "age"
    AMOUNT = "amount"


class DueFilter(enum.StrEnum):
    """``queue list --due``: items whose follow-up date is today, or has passed."""

    TODAY = "today"
    OVERDUE = "overdue"


AGE_BUCKETS = ("0-30", "31-60", "61-90", "90+")


def age_from(row: Any) -> dt.date:
    """The date an item's age counts from: a denial's claim service date, else the
    payment date (BPR16) of its remittance, else the day it opened (a rejected file, an
    837 claim problem: nothing was paid).  ``row`` carries ``kind``, ``service_date``,
    ``payment_date`` and ``created_at``."""
    if row.kind == ReviewKind.DENIAL and row.service_date is not None:
        return _as_date(row.service_date)
    if row.payment_date is not None:
        return _as_date(row.payment_date)
    return _as_date(row.created_at)


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def age_bucket(days: int) -> str:
    """The stats bucket of an age in days (0-30, 31-60, 61-90, 90+)."""
    return AGE_BUCKETS[0 if days <= 30 else 1 if days <= 60 else 2 if days <= 90 else 3]


def at_risk_cents(conn: Connection, rows: Iterable[Any]) -> dict[int, int]:
    """Item id -> the dollars at risk, in cents: for a denial, the claim's open insurance
    balance with the denying payer (never below zero); for every other item, the money it
    holds.  One balance query for all the denials' claims."""
    rows = list(rows)
    denied = [r for r in rows if r.kind == ReviewKind.DENIAL and r.submitted_claim_id]
    balances = side_balances(conn, {r.submitted_claim_id for r in denied}) if denied else {}
    risk = {r.id: abs(int(r.amount_cents)) for r in rows}
    for r in denied:
        side = ClaimSide(INSURANCE, r.payer_id or r.claim_payer_id)
        owed = max(balances.get(r.submitted_claim_id, {}).get(side, 0), 0)
        risk[r.id] = max(owed, risk[r.id])
    return risk
