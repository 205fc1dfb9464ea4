"""The queue stage: everything the engine could not post safely becomes a review item.

Items are opened in bulk and idempotently: ``dedupe_key`` is UNIQUE, so the same cause seen
twice (a re-import, a retried transaction) never opens a second item.  Every item starts
with an ``opened`` event carrying who and why.

Every change to an item goes through this module with its event (who, what, the status
before and after, the amount after): ``open_review_items`` and ``close_review_items`` for the
engine's bulk steps, ``record_item_change`` for one item at a time (a specialist's action,
a credit balance that moved).  The events are the item's history, so no other module
writes them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, or_, select, update

from edi_posting.audit.links import note_item_events
from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_with_ids
from edi_posting.db.lists import among
from edi_posting.db.models import Payer, Remittance, ReviewItem, ReviewItemEvent, SubmittedClaim
from edi_posting.db.workflow import CLOSED_STATES, OPEN_STATES, ItemAction, ReviewStatus
from edi_posting.money import format_cents
from edi_posting.queue.due_dates import default_due_dates
from edi_posting.queue.priorities import (
    DueFilter,
    QueueSort,
    age_bucket,
    age_from,
    at_risk_cents,
)
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind

__all__ = [
    "QueueFilter",
    "ReviewDraft",
    "close_review_items",
    "event_amount",
    "item_detail",
    "list_items",
    "open_review_items",
    "queue_stats",
    "record_item_change",
]

_ITEM = table_of(ReviewItem)
_EVENT = table_of(ReviewItemEvent)


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    dedupe_key: str
    kind: ReviewKind
    message: str
    amount_cents: int = 0
    priority: int = 3
    problem_code: ProblemCode | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    payer_id: int | None = None
    patient_account_id: int | None = None
    submitted_claim_id: int | None = None
    claim_payment_id: int | None = None
    remittance_id: int | None = None
    file_id: int | None = None
    deposit_id: int | None = None


def open_review_items(conn: Connection, drafts: Sequence[ReviewDraft], actor: str) -> list[int]:
    """Insert the items not already open under the same key; return the new ids."""
    if not drafts:
        return []
    keys = [d.dedupe_key for d in drafts]
    existing = set(
        conn.execute(select(_ITEM.c.dedupe_key).where(among(_ITEM.c.dedupe_key, keys))).scalars()
    )
    fresh: dict[str, ReviewDraft] = {}
    for draft in drafts:
        if draft.dedupe_key not in existing:
            fresh.setdefault(draft.dedupe_key, draft)
    if not fresh:
        return []
    due = default_due_dates(conn, list(fresh.values()))  # the window set for its kind, payer
    ids = insert_with_ids(conn, _ITEM, [_item_row(d, on) for d, on in zip(fresh.values(), due)])
    _insert_events(conn, [
        {"review_item_id": i, "actor": actor, "action": ItemAction.OPENED,
         "to_status": ReviewStatus.OPEN, "note": d.message, "amount_cents": d.amount_cents}
        for i, d in zip(ids, fresh.values())])
    return ids


def _insert_events(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Item events with their ids, noted for the transaction's audit event to vouch for
    (an event inserted any other way is reported by ``audit verify``)."""
    insert_with_ids(conn, _EVENT, rows)
    note_item_events(conn, rows)


def _item_row(draft: ReviewDraft, due: dt.date | None) -> dict[str, Any]:
    return {
        "due_date": due,
        "dedupe_key": draft.dedupe_key,
        "kind": draft.kind,
        "status": ReviewStatus.OPEN,
        "priority": draft.priority,
        "amount_cents": draft.amount_cents,
        "problem_code": draft.problem_code,
        "message": draft.message,
        "evidence": draft.evidence or None,
        "payer_id": draft.payer_id,
        "patient_account_id": draft.patient_account_id,
        "submitted_claim_id": draft.submitted_claim_id,
        "claim_payment_id": draft.claim_payment_id,
        "remittance_id": draft.remittance_id,
        "file_id": draft.file_id,
        "deposit_id": draft.deposit_id,
    }


# --- reading the queue ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    kind: str | None = None
    status: str | None = None  # None: the open states
    payer: str | None = None
    assignee: str | None = None
    older_than_days: int | None = None  # age from the payment (priorities.age_from)
    min_amount_cents: int | None = None  # of the dollars at risk (priorities.at_risk_cents)
    claim: str | None = None  # PCN
    sort: str = QueueSort.AGE
    limit: int | None = None  # the first N of the sort order
    due: str | None = None  # DueFilter: the follow-up date is today, or has passed


def _queue_query(flt: QueueFilter, today: dt.date) -> Any:
    """The items the filter's plain columns select, with what their age and risk need."""
    claim, payer, remit = table_of(SubmittedClaim), table_of(Payer), table_of(Remittance)
    query = (
        select(_ITEM, claim.c.patient_control_number, payer.c.name.label("payer_name"),
               claim.c.statement_from.label("service_date"),
               claim.c.payer_id.label("claim_payer_id"),
               remit.c.payment_date.label("payment_date"))
        .outerjoin(claim, claim.c.id == _ITEM.c.submitted_claim_id)
        .outerjoin(payer, payer.c.id == _ITEM.c.payer_id)
        .outerjoin(remit, remit.c.id == _ITEM.c.remittance_id)
    )
    query = query.where(_ITEM.c.status == flt.status) if flt.status else query.where(
        _ITEM.c.status.in_(OPEN_STATES))
    if flt.kind:
        query = query.where(_ITEM.c.kind == flt.kind)
    if flt.assignee:
        query = query.where(_ITEM.c.assignee == flt.assignee)
    if flt.claim:
        query = query.where(claim.c.pcn_normalized == flt.claim.strip().upper())
    if flt.payer:
        query = query.where(or_(payer.c.name.ilike(f"%{flt.payer}%"),
                                payer.c.primary_identifier == flt.payer.strip()))
    if flt.due == DueFilter.TODAY:
        query = query.where(_ITEM.c.due_date == today)
    elif flt.due == DueFilter.OVERDUE:
        query = query.where(_ITEM.c.due_date < today)
    return query.order_by(_ITEM.c.id)


def list_items(conn: Connection, flt: QueueFilter, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Items as the queue shows them (amounts as two-decimal strings).  Age and the dollars
    at risk are computed here (not stored: they follow the ledger), so their filters and
    the sort run on the rows read."""
    today = today or dt.date.today()
    rows = conn.execute(_queue_query(flt, today)).all()
    risk = at_risk_cents(conn, rows)
    listed = [_listed(r, today, risk[r.id]) for r in rows]
    if flt.older_than_days is not None:  # age in whole days > N
        listed = [r for r in listed if r["age_days"] > flt.older_than_days]
    if flt.min_amount_cents is not None:
        listed = [r for r in listed if r["at_risk_cents"] >= flt.min_amount_cents]
    if flt.sort == QueueSort.AMOUNT:
        listed.sort(key=lambda r: -r["at_risk_cents"])
    else:
        listed.sort(key=lambda r: -r["age_days"])
    for row in listed[:flt.limit]:
        row.pop("at_risk_cents")
    return listed[:flt.limit]


def _listed(row: Any, today: dt.date, risk: int) -> dict[str, Any]:
    return {
        "id": row.id, "kind": row.kind, "status": row.status, "priority": row.priority,
        "amount": format_cents(row.amount_cents), "at_risk": format_cents(risk),
        "at_risk_cents": risk, "payer": row.payer_name,
        "patient_control_number": row.patient_control_number,
        "age_days": (today - age_from(row)).days, "assignee": row.assignee,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "message": row.message,
    }


def queue_stats(conn: Connection, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Counts and amounts by kind, status and age bucket (0-30, 31-60, 61-90, 90+), the
    age counted as ``queue list`` counts it (from the payment).  An item's amount is what
    it still holds: money items closing (by an action or the engine) keep 0.00, while a
    dismissed item that never held money keeps the amount it was about (its claim's charge)."""
    today = today or dt.date.today()
    groups: dict[tuple[str, str, str], list[int]] = {}
    claim, remit = table_of(SubmittedClaim), table_of(Remittance)
    for row in conn.execute(
            select(_ITEM.c.kind, _ITEM.c.status, _ITEM.c.created_at, _ITEM.c.amount_cents,
                   claim.c.statement_from.label("service_date"),
                   remit.c.payment_date.label("payment_date"))
            .outerjoin(claim, claim.c.id == _ITEM.c.submitted_claim_id)
            .outerjoin(remit, remit.c.id == _ITEM.c.remittance_id)):
        bucket = age_bucket((today - age_from(row)).days)
        totals = groups.setdefault((row.kind, row.status, bucket), [0, 0])
        totals[0] += 1
        totals[1] += row.amount_cents
    return [{"kind": k, "status": s, "age_bucket": b, "count": c, "amount": format_cents(a)}
            for (k, s, b), (c, a) in sorted(groups.items())]


def item_detail(conn: Connection, item_id: int) -> dict[str, Any]:
    row = conn.execute(select(_ITEM).where(_ITEM.c.id == item_id)).first()
    if row is None:
        raise LookupError(f"no review item {item_id}")
    events = conn.execute(select(_EVENT).where(_EVENT.c.review_item_id == item_id)
                          .order_by(_EVENT.c.id))
    return {
        "id": row.id, "kind": row.kind, "status": row.status, "priority": row.priority,
        "amount": format_cents(row.amount_cents), "problem_code": row.problem_code,
        "message": row.message, "assignee": row.assignee,
        "due_date": row.due_date.isoformat() if row.due_date else None,
        "submitted_claim_id": row.submitted_claim_id, "claim_payment_id": row.claim_payment_id,
        "remittance_id": row.remittance_id, "file_id": row.file_id,
        "evidence": row.evidence or {}, "resolution": row.resolution,
        "events": [{"at": e.at.isoformat(sep=" ", timespec="seconds"), "actor": e.actor,
                    "action": e.action, "from_status": e.from_status,
                    "to_status": e.to_status, "note": e.note,
                    "amount": event_amount(e.amount_cents)} for e in events],
    }


def event_amount(cents: int | None) -> str | None:
    """The item's amount after an event; None for events recorded before it was kept."""
    return None if cents is None else format_cents(cents)


def record_item_change(conn: Connection, item: Any, *, actor: str, action: ItemAction,
                       to_status: str | None = None, note: str | None = None,
                       values: dict[str, Any] | None = None, details: dict[str, Any] | None = None,
                       entry_id: int | None = None) -> None:
    """Apply one item's field changes (``values``, the new status; closing also stamps the
    resolution) and record its event.  ``item`` is the row as it was before."""
    changes = dict(values or {})
    if to_status is not None:
        changes["status"] = to_status
        if to_status in CLOSED_STATES:
            changes["resolved_at"] = dt.datetime.now(dt.UTC)
            changes["resolution"] = note
    if changes:
        conn.execute(update(_ITEM).where(_ITEM.c.id == item.id).values(**changes))
    _insert_events(conn, [{
        "review_item_id": item.id, "actor": actor, "action": action,
        "from_status": item.status, "to_status": to_status or item.status, "note": note,
        "details": details, "journal_entry_id": entry_id,
        "amount_cents": changes.get("amount_cents", item.amount_cents)}])


def close_review_items(conn: Connection, item_ids: Sequence[int], actor: str,
                       resolution: str, action: str = ItemAction.AUTO_RESOLVED) -> int:
    """Resolve items the engine itself settled (a correction arrived, a credit cleared...);
    events recorded.  A closed item owns nothing more, so its amount reads 0.00 (as an
    item an action worked to zero does); what it held stays in its events."""
    if not item_ids:
        return 0
    rows = conn.execute(select(_ITEM.c.id, _ITEM.c.status, _ITEM.c.amount_cents).where(
        among(_ITEM.c.id, list(item_ids)), _ITEM.c.status.in_(OPEN_STATES))
        .order_by(_ITEM.c.id)).all()  # events in item order, whatever the plan
    if not rows:
        return 0
    conn.execute(update(_ITEM).where(among(_ITEM.c.id, [r.id for r in rows])).values(
        status=ReviewStatus.RESOLVED, resolved_at=dt.datetime.now(dt.UTC), resolution=resolution,
        amount_cents=0))
    _insert_events(conn, [
        {"review_item_id": r.id, "actor": actor, "action": action, "from_status": r.status,
         "to_status": ReviewStatus.RESOLVED, "note": resolution, "amount_cents": 0}
        for r in rows])
    return len(rows)
