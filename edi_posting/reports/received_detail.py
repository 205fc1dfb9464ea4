"""One received file whole, for the workbench's file page: its facts and import figures,
its transaction sets with totals and balancing, every problem with the segment (or row)
and element it names, the 999/TA1 sent back, and what it led to: the remittances and
claims it carried and the review items it opened.

Read-only, like :mod:`edi_posting.reports.received`, whose row shapes it reuses.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Payer,
    ReceivedFile,
    Remittance,
    ReviewItem,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.money import format_cents
from edi_posting.reports.received import (
    acks_of,
    file_row,
    file_summary,
    sets_of,
    with_balancing,
)
from edi_posting.reports.views import NotFoundError

__all__ = ["MAX_LISTED", "received_file_detail"]

_FILE, _SET, _ITEM = table_of(ReceivedFile), table_of(TransactionSet), table_of(ReviewItem)
_REMIT, _CLAIM = table_of(Remittance), table_of(SubmittedClaim)
MAX_LISTED = 500  # claims and items shown on the page; the counts say how many in all


def received_file_detail(conn: Connection, file_id: int) -> dict[str, Any]:
    """The file's page; :class:`NotFoundError` for an id no file has."""
    f = conn.execute(select(_FILE).where(_FILE.c.id == file_id)).first()
    if f is None:
        raise NotFoundError(f"no received file with id {file_id}")
    summary = file_summary(f.summary)
    remittances = _remittances(conn, file_id)
    return file_row(f, summary) | {
        "transaction_sets": summary.get("transaction_sets", 0),
        "unapplied_total": summary.get("unapplied_total"),
        "acks": acks_of(conn, [file_id]).get(file_id, []),
        "sets": with_balancing(sets_of(conn, [file_id]).get(file_id, []), summary["problems"]),
        "problem_list": summary["problems"],
        "remittances": remittances,
        "claims": _claims(conn, file_id),
        "review_items": _items(conn, file_id, [r["id"] for r in remittances]),
    }


def _remittances(conn: Connection, file_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(_REMIT.c.id, _REMIT.c.trace_number, _REMIT.c.payment_cents,
               _REMIT.c.payment_method, _REMIT.c.payment_date, _REMIT.c.status,
               _REMIT.c.payer_name, Payer.name.label("our_payer_name"))
        .join(_SET, _SET.c.id == _REMIT.c.transaction_set_id)
        .outerjoin(Payer, Payer.id == _REMIT.c.payer_id)
        .where(_SET.c.file_id == file_id).order_by(_SET.c.segment_position, _REMIT.c.id))
    return [{"id": r.id, "trace": r.trace_number, "amount": format_cents(r.payment_cents),
             "method": r.payment_method, "status": r.status,
             "payment_date": r.payment_date.isoformat() if r.payment_date else None,
             "payer": r.our_payer_name or r.payer_name} for r in rows]


def _claims(conn: Connection, file_id: int) -> list[dict[str, Any]]:
    """The billed claims of the file's 837 sets (the first :data:`MAX_LISTED`)."""
    rows = conn.execute(
        select(_CLAIM.c.id, _CLAIM.c.patient_control_number, _CLAIM.c.total_charge_cents,
               _CLAIM.c.status)
        .join(_SET, _SET.c.id == _CLAIM.c.transaction_set_id)
        .where(_SET.c.file_id == file_id).order_by(_SET.c.segment_position, _CLAIM.c.ordinal)
        .limit(MAX_LISTED))
    return [{"id": c.id, "pcn": c.patient_control_number, "status": c.status,
             "charge": format_cents(c.total_charge_cents)} for c in rows]


def _items(conn: Connection, file_id: int, remittance_ids: list[int]) -> list[dict[str, Any]]:
    """The review items the file opened: on the file itself, or on one of its remittances
    (the claim payments' items carry their remittance)."""
    opened = _ITEM.c.file_id == file_id
    if remittance_ids:
        opened = or_(opened, _ITEM.c.remittance_id.in_(remittance_ids))
    rows = conn.execute(select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.status, _ITEM.c.amount_cents,
                               _ITEM.c.message).where(opened).order_by(_ITEM.c.id)
                        .limit(MAX_LISTED))
    return [{"id": i.id, "kind": i.kind, "status": i.status,
             "amount": format_cents(i.amount_cents), "message": i.message} for i in rows]
