"""The ``plb`` report: every provider-level adjustment (PLB) by reason and reference, with
where it stands.

Read-only over the stored PLB rows (``provider_adjustments``, amounts as sent: positive
reduces the payment) and their links.  A PLB's status:

- ``open FB``: a forwarding balance (linked or not; ``Linked claim`` shows the claim) whose
  reference has not netted to zero yet for its payer (``posting.plb.open_forwarding_balances``);
- ``FB netted``: a forwarding balance whose reference nets to zero;
- ``linked``: any other PLB naming a claim we hold (at import, or placed later with
  ``queue place-plb``);
- ``unlinked``: a reason that names a claim (WO, FB, 72, B2, CS) or a reference that named
  nothing we hold (its ``unlinked_plb`` item waits in the queue);
- ``provider level``: a payer-level amount (L6 interest, a levy) that names no claim.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.codes.describe import describe_code
from edi_posting.codes.records import CodeListName
from edi_posting.db.base import table_of
from edi_posting.db.models import Payer, ProviderAdjustment, Remittance, SubmittedClaim
from edi_posting.posting.plb import LINKED_REASONS, open_forwarding_balances
from edi_posting.reports.remits import RemitQuery, remit_conditions
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["PLB_COLUMNS", "PlbStatus", "plb_report"]

_REMIT, _PLB, _CLAIM = table_of(Remittance), table_of(ProviderAdjustment), table_of(SubmittedClaim)
_FORWARDING = "FB"


class PlbStatus:
    """The words of the ``status`` column (see the module's docstring)."""

    LINKED = "linked"
    OPEN_FB = "open FB"
    FB_NETTED = "FB netted"
    UNLINKED = "unlinked"
    PROVIDER_LEVEL = "provider level"


_C, _N, _T = ColumnKind.CENTS, ColumnKind.COUNT, ColumnKind.TEXT
PLB_COLUMNS = (
    Column("remittance_id", "Remittance", _N), Column("payment_date", "Paid on", ColumnKind.DATE),
    Column("payer", "Payer"), Column("trace", "Trace"), Column("provider", "Provider"),
    Column("reason", "Reason"), Column("description", "Description"),
    Column("reference", "Reference"), Column("amount", "Amount", _C),
    Column("claim_pcn", "Linked claim"), Column("status", "Status"),
)
BY_REASON_COLUMNS = (Column("reason", "Reason"), Column("description", "Description"),
                     Column("count", "PLBs", _N), Column("amount", "Amount", _C))
STATUS_COLUMNS = (Column("status", "Status"), Column("count", "PLBs", _N),
                  Column("amount", "Amount", _C))


def plb_report(conn: Connection, query: ReportQuery) -> Report:
    """Each PLB with its reason, reference, amount, linked claim and status; totals by
    reason and by status; the summary's ``total`` is ΣPLB04 of the PLBs listed."""
    filters = remit_conditions(RemitQuery(query.payer, query.date_from, query.date_to))
    found = conn.execute(
        select(_PLB, _REMIT.c.payment_date, _REMIT.c.trace_number, _REMIT.c.payer_id,
               Payer.name.label("our_payer_name"), _REMIT.c.payer_name,
               _CLAIM.c.patient_control_number.label("claim_pcn"))
        .join(_REMIT, _REMIT.c.id == _PLB.c.remittance_id)
        .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
        .outerjoin(_CLAIM, _CLAIM.c.id == _PLB.c.linked_claim_id)
        .where(*filters).order_by(_REMIT.c.payment_date, _PLB.c.remittance_id, _PLB.c.ordinal)
    ).all()
    open_fb = {(b.payer_id, b.reference) for b in open_forwarding_balances(conn)}
    rows = [_row(p, open_fb) for p in found]
    total = sum(r["amount"] for r in rows)
    return Report(
        "plb", "Provider-level adjustments (PLB)", query,
        (Section("adjustments", "Provider-level adjustments", PLB_COLUMNS, rows,
                 {"amount": total}),
         Section("by_reason", "By reason", BY_REASON_COLUMNS, _grouped(rows, "reason"),
                 {"count": len(rows), "amount": total}),
         Section("by_status", "By status", STATUS_COLUMNS, _grouped(rows, "status"),
                 {"count": len(rows), "amount": total})),
        summary={"adjustments": len(rows), "total": total,
                 "open_fb": sum(r["amount"] for r in rows if r["status"] == PlbStatus.OPEN_FB),
                 "unlinked": sum(1 for r in rows if r["status"] == PlbStatus.UNLINKED)},
        summary_kinds={"adjustments": _N, "total": _C, "open_fb": _C, "unlinked": _N},
    )


def _row(p: Any, open_fb: set[tuple[int | None, str]]) -> dict[str, Any]:
    return {"remittance_id": p.remittance_id, "payment_date": p.payment_date,
            "payer": p.our_payer_name or p.payer_name, "trace": p.trace_number,
            "provider": p.provider_identifier, "reason": p.reason_code,
            "description": describe_code(CodeListName.PLB_REASON, p.reason_code),
            "reference": p.reference_id, "amount": p.amount_cents, "claim_pcn": p.claim_pcn,
            "status": _status(p, open_fb)}


def _status(p: Any, open_fb: set[tuple[int | None, str]]) -> str:
    if p.reason_code == _FORWARDING:  # linked or not, open until its pair nets it
        is_open = (p.payer_id, p.reference_id or "") in open_fb
        return PlbStatus.OPEN_FB if is_open else PlbStatus.FB_NETTED
    if p.linked_claim_id is not None or p.linked_claim_payment_id is not None:
        return PlbStatus.LINKED
    if p.reason_code in LINKED_REASONS or (p.reference_id or "").strip():
        return PlbStatus.UNLINKED
    return PlbStatus.PROVIDER_LEVEL


def _grouped(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Count and sum of the rows per value of ``key``, by that value."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        counts[row[key]][0] += 1
        counts[row[key]][1] += row["amount"]
    out = []
    for value, (count, cents) in sorted(counts.items()):
        entry: dict[str, Any] = {key: value, "count": count, "amount": cents}
        if key == "reason":
            entry["description"] = describe_code(CodeListName.PLB_REASON, value)
        out.append(entry)
    return out
