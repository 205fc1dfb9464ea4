"""The queue stage: everything the engine could not post safely becomes a review item.

Items are opened in bulk and idempotently: ``dedupe_key`` is UNIQUE, so the same cause seen
twice (a re-import, a retried transaction) never opens a second item.  Every item starts
with an ``opened`` event carrying who and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, insert, select

from edi_posting.db.models import ReviewItem, ReviewItemEvent

__all__ = ["ReviewDraft", "open_review_items"]

_ITEM = ReviewItem.__table__
_EVENT = ReviewItemEvent.__table__


@dataclass(frozen=True, slots=True)
class ReviewDraft:
    dedupe_key: str
    kind: str  # one of REVIEW_KINDS (architecture.md identifiers)
    message: str
    amount_cents: int = 0
    priority: int = 3
    problem_code: str | None = None
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
        conn.execute(select(_ITEM.c.dedupe_key).where(_ITEM.c.dedupe_key.in_(keys))).scalars()
    )
    fresh: dict[str, ReviewDraft] = {}
    for draft in drafts:
        if draft.dedupe_key not in existing:
            fresh.setdefault(draft.dedupe_key, draft)
    if not fresh:
        return []
    rows = [_item_row(d) for d in fresh.values()]
    ids = [
        row[0]
        for row in conn.execute(
            insert(_ITEM).returning(_ITEM.c.id, sort_by_parameter_order=True), rows
        )
    ]
    conn.execute(
        insert(_EVENT),
        [
            {"review_item_id": i, "actor": actor, "action": "opened", "to_status": "open",
             "note": d.message}
            for i, d in zip(ids, fresh.values())
        ],
    )
    return ids


def _item_row(draft: ReviewDraft) -> dict[str, Any]:
    return {
        "dedupe_key": draft.dedupe_key,
        "kind": draft.kind,
        "status": "open",
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
