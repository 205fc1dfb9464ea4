"""Business days and the reconciliation window.

A deposit arrives a few business days after its remittance (an EFT the next day, a check
once it is taken to the bank); the window (default 3 business days, the setting
``reconcile.window_days`` or ``--window-days``) says how long to wait before a remittance
without its deposit is a ``silent_era``, and how far apart a deposit and a remittance
matched by amount alone may be.  Weekends are skipped; bank holidays are not known.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, delete, func, insert, select

from edi_posting.access.permissions import Principal
from edi_posting.audit.events import record_event
from edi_posting.db.models import Setting
from edi_posting.records.states import AuditOutcome

__all__ = ["DEFAULT_WINDOW_DAYS", "WINDOW_SETTING", "add_business_days", "business_days_between",
           "set_window_days", "window_days"]

DEFAULT_WINDOW_DAYS = 3
WINDOW_SETTING = "reconcile.window_days"


def add_business_days(day: dt.date, days: int) -> dt.date:
    """``day`` moved forward ``days`` business days (Monday to Friday)."""
    current, left = day, days
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (negative: end before)."""
    if end < start:
        return -business_days_between(end, start)
    return sum((start + dt.timedelta(days=n)).weekday() < 5
               for n in range(1, (end - start).days + 1))


def window_days(conn: Connection, override: int | None = None) -> int:
    """The window: the option given, else the setting, else 3 business days."""
    if override is not None:
        return override
    value = conn.execute(select(Setting.value).where(Setting.key == WINDOW_SETTING)).scalar()
    return int(value) if value is not None and str(value).isdigit() else DEFAULT_WINDOW_DAYS


def set_window_days(conn: Connection, days: int, *, principal: Principal) -> int:
    """Set the window (the caller checked ``administer``); audited with the old and new
    value.  Returns the window now in effect."""
    if days < 0:
        raise ValueError("the reconciliation window cannot be negative")
    before = window_days(conn)
    conn.execute(delete(Setting).where(Setting.key == WINDOW_SETTING))
    conn.execute(insert(Setting).values(key=WINDOW_SETTING, value=str(days),
                                        updated_by=principal.name, updated_at=func.now()))
    record_event(conn, actor=principal.name, role=principal.role, action="reconcile.window",
                 object_type="setting", object_id=WINDOW_SETTING, outcome=AuditOutcome.OK,
                 summary={"before": before, "after": days})
    return days
