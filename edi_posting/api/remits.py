"""Remittances through the public API (``remit list``, ``remit show``): a check or EFT
names patients in its claims, so both are PHI reads (``read_phi``), each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.reports import remits
from edi_posting.reports.remits import RemitQuery

__all__ = ["list_remittances", "show_remittance"]


def list_remittances(session: Session, *, payer: str | None = None,
                     paid_from: dt.date | str | None = None,
                     paid_to: dt.date | str | None = None, trace: str | None = None,
                     amount_cents: int | None = None,
                     limit: int | None = None) -> list[dict[str, Any]]:
    """One row per remittance (payer, BPR02, method, TRN02, payment date, claims, posted /
    held / denied, items raised), by payment date; the filters combine (AND): ``payer`` a
    part of its name or its identifier, ``paid_from``/``paid_to`` the BPR16 range
    (``date`` or ISO text), ``trace`` TRN02 and ``amount_cents`` BPR02 exactly.
    ValueError for a date that is not one."""
    principal = session.authorize(Permission.READ_PHI, "remit.list")
    session.audit("remit.list", role=principal.role)
    query = RemitQuery(payer, _date(paid_from), _date(paid_to), trace, amount_cents, limit)
    with session.reading() as conn:
        return session.shown(remits.list_remittances(conn, query))


def show_remittance(session: Session, key: str) -> dict[str, Any]:
    """One check or EFT by the id or the trace number (TRN02) ``remit list`` prints: BPR,
    TRN, payer and payee, its claims with posting state and paid / patient / adjustment,
    its PLB, the review items it raised, the file and set it came from.  Raises
    :class:`NotFoundError`, or :class:`AmbiguousRemittanceError` when a trace names several
    (its message lists their ids)."""
    principal = session.authorize(Permission.READ_PHI, "remit.show", key)
    session.audit("remit.show", role=principal.role, object_type="remittance", object_id=key)
    with session.reading() as conn:
        detail = session.shown(remits.remittance_detail(conn, key))
    for claim in detail["claims"]:
        claim["status_description"] = describe_code(CodeListName.CLAIM_STATUS,
                                                     claim["status_code"])
    for plb in detail["provider_adjustments"]:
        plb["reason_description"] = describe_code(CodeListName.PLB_REASON, plb["reason"])
    return detail


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
