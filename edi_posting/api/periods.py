"""Closing accounting periods: close and reopen (``administer``), list (``read_ledger``).

A change and its ``period.*`` audit event commit in one transaction; a refused request
(:class:`~edi_posting.ledger.periods.PeriodError`) writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.audit.events import record_event
from edi_posting.ledger import periods
from edi_posting.records.states import AuditOutcome

__all__ = ["close_period", "list_periods", "reopen_period"]


def close_period(session: Session, period: str, reason: str | None = None, *,
                 today: dt.date | None = None) -> dict[str, Any]:
    """Close ``period`` (``YYYY-MM``, a month that is over): from now on an entry dated in
    it posts on the first open day, its memo keeping the original date.  Returns the
    period's row; :class:`PeriodError` when it is not over or closed already."""
    principal = session.authorize(Permission.ADMINISTER, "period.close", period)
    with session.writing() as conn:
        row = periods.close_period(conn, period, reason, actor=session.actor, today=today)
        record_event(conn, actor=session.actor, role=principal.role, action="period.close",
                     object_type="period", object_id=row["period"], outcome=AuditOutcome.OK,
                     summary={"reason": reason})
    return row


def reopen_period(session: Session, period: str, reason: str) -> dict[str, Any]:
    """Open a closed period again (a reason is required): entries dated in it post there
    again, so its reported figures may change.  :class:`PeriodError` when not closed."""
    principal = session.authorize(Permission.ADMINISTER, "period.reopen", period)
    with session.writing() as conn:
        row = periods.reopen_period(conn, period, reason, actor=session.actor)
        record_event(conn, actor=session.actor, role=principal.role, action="period.reopen",
                     object_type="period", object_id=row["period"], outcome=AuditOutcome.OK,
                     summary={"reason": reason})
    return row


def list_periods(session: Session) -> list[dict[str, Any]]:
    """Every period ever closed, newest first, with who closed (or reopened) it and why."""
    session.authorize(Permission.READ_LEDGER, "period.list")
    with session.reading() as conn:
        return periods.list_periods(conn)
