"""Default follow-up dates: the window (in days) an administrator set per kind, and per
kind and payer, for items to be looked at again (a payer's appeal window for its denials,
the timely-filing window for a rejected claim...).

They live in the ``settings`` table, one row per window (``queue.follow_up_days.<kind>``,
``...<kind>.payer.<payer id>``), as the write-off limit does.  Read here, in the queue
stage, because an item gets its default due date when it is opened
(:func:`edi_posting.queue.items.open_review_items`); set by
:mod:`edi_posting.review.follow_up`.  The window counts from the payment date (BPR16: the
day the payer's decision is dated) of the item's remittance, else from the day it opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.lists import among
from edi_posting.db.models import Remittance, Setting

__all__ = ["FOLLOW_UP_PREFIX", "default_due_dates", "follow_up_key", "follow_up_windows"]

_SETTING, _REMIT = table_of(Setting), table_of(Remittance)
FOLLOW_UP_PREFIX = "queue.follow_up_days."


def follow_up_key(kind: str, payer_id: int | None = None) -> str:
    """The settings key of one window: a kind's, or a kind's with one payer."""
    return FOLLOW_UP_PREFIX + kind + ("" if payer_id is None else f".payer.{payer_id}")


def follow_up_windows(conn: Connection) -> dict[tuple[str, int | None], int]:
    """(kind, payer id or None for every payer) -> days, as set."""
    windows: dict[tuple[str, int | None], int] = {}
    for key, value in conn.execute(select(_SETTING.c.key, _SETTING.c.value).where(
            _SETTING.c.key.startswith(FOLLOW_UP_PREFIX, autoescape=True))):
        kind, _, payer = key[len(FOLLOW_UP_PREFIX):].partition(".payer.")
        windows[(kind, int(payer) if payer else None)] = int(value)
    return windows


def default_due_dates(conn: Connection, drafts: Sequence[Any],
                      today: dt.date | None = None) -> list[dt.date | None]:
    """Each draft's default due date (its payer's window for its kind, else its kind's),
    None where no window is set.  Reads the settings once; the payment dates only when a
    window applies."""
    windows = follow_up_windows(conn)
    if not windows:
        return [None] * len(drafts)
    days = [windows.get((d.kind, d.payer_id), windows.get((d.kind, None))) for d in drafts]
    remittance_ids = sorted({d.remittance_id for d, n in zip(drafts, days)
                             if n is not None and d.remittance_id is not None})
    paid = dict(conn.execute(select(_REMIT.c.id, _REMIT.c.payment_date).where(
        among(_REMIT.c.id, remittance_ids))).all()) if remittance_ids else {}
    start = today or dt.date.today()
    return [None if n is None else (paid.get(d.remittance_id) or start) + dt.timedelta(days=n)
            for d, n in zip(drafts, days)]
