"""The reconciliation screen's read through the public API (the web workbench's
``/reconcile``): one call, one permission check, one audit event.

Why its own function: the screen shows both sides of the bank at once (the CLI's
``deposits list``, ``reconcile status`` and the receipts awaiting deposit), and a received
payment names who paid (a patient, an account number): a read of PHI, so ``read_phi``
and an audit event per page, as every PHI page of the workbench.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.bank.csv_file import MAPPINGS
from edi_posting.reconciliation.day_view import reconciliation_day

__all__ = ["deposit_mappings", "reconciliation_view"]


def reconciliation_view(session: Session, *, date_from: dt.date | None = None,
                        date_to: dt.date | None = None) -> dict[str, Any]:
    """The range's (all, by default) deposits beside the money awaiting them: matched
    pairs and how they matched, unmatched deposits and receipts each with the review item
    that holds it, variances, returned items, totals and ``reconcile status``'s days."""
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValueError(f"from {date_from} is after to {date_to}")
    principal = session.authorize(Permission.READ_PHI, "reconcile.view")
    with session.reading() as conn:
        view = reconciliation_day(conn, date_from=date_from, date_to=date_to)
    session.audit("reconcile.view", role=principal.role, object_type="deposit",
                  summary={"from": view["from"], "to": view["to"],
                           "deposits": len(view["matched"]) + len(view["unmatched_deposits"])})
    return session.shown(view)


def deposit_mappings() -> list[str]:
    """The names of the shipped CSV column mappings (``deposits import --mapping``), for a
    form to offer; BAI2 files need none.  Not data of anyone: no permission."""
    return sorted(MAPPINGS)
