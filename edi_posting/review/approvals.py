"""The second person: money actions above a limit wait here until someone else decides.

A write-off whose cumulative amount on the claim passes the write-off limit, or a refund
above the refund limit (``queue_limits``), is stored as a *pending* approval and posts
nothing.  A different user holding ``approve`` then approves it (the action posts, as that
user, at that moment's balances) or rejects it (nothing posts).  The requester can never
decide their own request: the check is here, and the table's CHECK repeats it.

Access control is off until the first user exists (see :mod:`edi_posting.access.permissions`): a
database without users has no second person, so its actions post at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, insert, select, update

from edi_posting.access.permissions import Permission, PermissionDeniedError, Principal
from edi_posting.audit.events import record_event
from edi_posting.db.approvals import Approval, ApprovalAction, ApprovalStatus
from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.workflow import ItemAction
from edi_posting.money import format_cents
from edi_posting.records.states import AuditOutcome
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import ActionResult

__all__ = ["approval_needed", "approve", "list_approvals", "reject_approval", "request_approval"]

_APPROVAL = table_of(Approval)


def approval_needed(principal: Principal) -> bool:
    """Only when users exist is there a second person to ask."""
    return principal.role is not None


def request_approval(conn: Connection, item: Any, action: ApprovalAction, amount: int,
                     reason: str, params: dict[str, Any], *, principal: Principal,
                     why: str) -> ActionResult:
    """Store the action as pending (nothing posts) and say so on the item and in the audit."""
    approval_id = new_id(conn.execute(insert(_APPROVAL).values(
        review_item_id=item.id, action=action.value, amount_cents=amount, reason=reason,
        params=params, status=ApprovalStatus.PENDING.value, requested_by=principal.name)))
    text = (f"{action.value} of {format_cents(amount)} waits for approval {approval_id} "
            f"({why})")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.APPROVAL_REQUESTED, note=text,
                  details={"approval_id": approval_id, "action": action.value,
                           "amount": format_cents(amount), "reason": reason, **params})
    return ActionResult(item.id, action.value, item.status, f"review item {item.id}: {text}")


def list_approvals(conn: Connection, status: str | None = ApprovalStatus.PENDING
                   ) -> list[dict[str, Any]]:
    """Approvals (pending by default, oldest first) as the CLI lists them."""
    query = select(_APPROVAL).order_by(_APPROVAL.c.id)
    if status is not None:
        query = query.where(_APPROVAL.c.status == status)
    return [{"id": r.id, "item_id": r.review_item_id, "action": r.action,
             "amount": format_cents(r.amount_cents), "reason": r.reason,
             "requested_by": r.requested_by,
             "requested_at": r.requested_at.isoformat(sep=" ", timespec="seconds"),
             "status": r.status, "decided_by": r.decided_by, "decision_note": r.decision_note,
             "entry_id": r.journal_entry_id} for r in conn.execute(query)]


def _pending(conn: Connection, approval_id: int, principal: Principal) -> Any:
    """The approval, locked and still pending, decided by someone who may decide it (the
    caller checked ``approve``; one's own request is refused here, where the row is read)."""
    actor = principal.name
    query = select(_APPROVAL).where(_APPROVAL.c.id == approval_id)
    row = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql"
                       else query).first()
    if row is None:
        raise ActionError(f"no approval {approval_id}")
    if row.status != ApprovalStatus.PENDING:
        raise ActionError(f"approval {approval_id} is {row.status} already")
    if row.requested_by == actor and approval_needed(principal):
        # raised, not recorded here: the rollback would lose the event, so the API's act()
        # records the refusal in its own transaction
        reason = (f"approval {approval_id} was requested by {actor}; a different user "
                  f"holding {Permission.APPROVE.value!r} must decide it")
        raise PermissionDeniedError(f"permission denied ({Permission.APPROVE.value}): {reason}")
    return row


def _decide(conn: Connection, row: Any, principal: Principal, status: ApprovalStatus,
            note: str | None, entry_id: int | None, action: str) -> None:
    conn.execute(update(_APPROVAL).where(_APPROVAL.c.id == row.id).values(
        status=status.value, decided_by=principal.name, decided_at=dt.datetime.now(dt.UTC),
        decision_note=note, journal_entry_id=entry_id))
    record_event(conn, actor=principal.name, role=principal.role, action=action,
                 object_type="approval", object_id=str(row.id), outcome=AuditOutcome.OK,
                 summary={"item": row.review_item_id, "action": row.action,
                          "amount": format_cents(row.amount_cents), "reason": row.reason,
                          "requested_by": row.requested_by, "status": status.value,
                          "note": note, "entry_id": entry_id})


def approve(conn: Connection, approval_id: int, *, principal: Principal,
            note: str | None = None) -> ActionResult:
    """``queue approve``: post the pending action as ``actor`` (a different user holding
    ``approve``), against the balances as they are now."""
    from edi_posting.review.balances import approved_write_off
    from edi_posting.review.refunds import approved_refund
    from edi_posting.review.returns import approved_return

    row = _pending(conn, approval_id, principal)
    said = (f"approved by {principal.name} (approval {row.id}, requested by {row.requested_by})"
            + (f": {note.strip()}" if note and note.strip() else ""))
    post = {ApprovalAction.WRITE_OFF: approved_write_off, ApprovalAction.REFUND: approved_refund,
            ApprovalAction.RETURN: approved_return}[ApprovalAction(row.action)]
    result = post(conn, row, principal, said)
    _decide(conn, row, principal, ApprovalStatus.APPROVED, note, result.entry_ids[0],
            "queue.approve")
    return result


def reject_approval(conn: Connection, approval_id: int, note: str, *,
                    principal: Principal) -> str:
    """``queue reject-approval``: nothing posts; the note says why, on the item too."""
    from edi_posting.db.models import ReviewItem
    from edi_posting.db.workflow import CLOSED_STATES

    if not note.strip():
        raise ActionError("rejecting needs a note saying why")
    row = _pending(conn, approval_id, principal)
    items = table_of(ReviewItem)
    item = conn.execute(select(items).where(items.c.id == row.review_item_id)).one()
    text = f"approval {row.id} rejected: {note.strip()}"
    if item.status not in CLOSED_STATES:  # a closed item's history is complete
        record_action(conn, item, actor=principal.name, role=principal.role,
                      action=ItemAction.APPROVAL_REJECTED,
                      note=f"{row.action} of {format_cents(row.amount_cents)}: {text}",
                      details={"approval_id": row.id, "requested_by": row.requested_by})
    _decide(conn, row, principal, ApprovalStatus.REJECTED, note.strip(), None,
            "queue.reject-approval")
    return text
