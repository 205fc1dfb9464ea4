"""What a payment resolution specialist does to a review item.

Every action acts as a principal its caller authorised (the public API checks the
permission once, :mod:`edi_posting.api.queue`), writes an event on the item (who, when, what,
note) and an audit event, in the caller's transaction.  Actions that move money post
through the ledger (never by editing a balance); the non-money ones here change only the
item's workflow fields.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Principal, user_refusal
from edi_posting.audit.events import item_event_digest, record_event
from edi_posting.db.base import table_of
from edi_posting.db.models import ReviewItem, ReviewItemEvent
from edi_posting.db.parties import PERSON_ROLES
from edi_posting.db.workflow import CLOSED_STATES, ItemAction, ReviewStatus
from edi_posting.queue.items import record_item_change
from edi_posting.queue.kinds import holds_money
from edi_posting.records.states import AuditOutcome

__all__ = ["ActionError", "add_note", "assign", "dismiss", "escalate"]

_ITEM, _EVENT = table_of(ReviewItem), table_of(ReviewItemEvent)

class ActionError(ValueError):
    """The action does not fit the item (wrong kind, already closed, missing note...)."""


def _item(conn: Connection, item_id: int) -> Any:
    row = conn.execute(select(_ITEM).where(_ITEM.c.id == item_id)).first()
    if row is None:
        raise ActionError(f"no review item {item_id}")
    if row.status in CLOSED_STATES:
        raise ActionError(f"review item {item_id} is {row.status} already")
    return row


def record_action(conn: Connection, item: Any, *, actor: str, role: str | None,
                  action: ItemAction, to_status: str | None = None, note: str | None = None,
                  details: dict[str, Any] | None = None, entry_id: int | None = None,
                  values: dict[str, Any] | None = None) -> None:
    """Apply the field changes, the item event and the audit event of one action."""
    record_item_change(conn, item, actor=actor, action=action, to_status=to_status, note=note,
                       values=values, details=details, entry_id=entry_id)
    # the item event (note, reason, dismissal) goes into the hash chain: audit verify
    # compares the stored event with this digest
    event = conn.execute(select(_EVENT).where(_EVENT.c.review_item_id == item.id)
                         .order_by(_EVENT.c.id.desc()).limit(1)).one()
    record_event(conn, actor=actor, role=role, action=f"queue.{action}", object_type="review_item",
                 object_id=str(item.id), outcome=AuditOutcome.OK,
                 summary={"kind": item.kind, "from": item.status, "to": to_status or item.status,
                          **({"details": details} if details else {}), "note": note,
                          "item_event": {"id": event.id,
                                         "digest": item_event_digest(event._mapping)}})


def assign(conn: Connection, item_id: int, assignee: str, *, principal: Principal) -> None:
    actor = principal.name
    item = _item(conn, item_id)
    refusal = user_refusal(conn, assignee, "assign to")
    if refusal is not None:
        raise ActionError(refusal)
    record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.ASSIGN,
                  to_status=ReviewStatus.IN_PROGRESS, note=f"assigned to {assignee}",
                  values={"assignee": assignee})


def add_note(conn: Connection, item_id: int, note: str, *, principal: Principal) -> None:
    actor = principal.name
    if not note.strip():
        raise ActionError("a note needs text")
    record_action(conn, _item(conn, item_id), actor=actor, role=principal.role,
                  action=ItemAction.NOTE, note=note)


def escalate(conn: Connection, item_id: int, to: str, note: str, *, principal: Principal) -> None:
    """Hand the item to a role or a person (an active user once users exist: work handed to
    a name nobody holds is lost); the note saying why is mandatory."""
    actor = principal.name
    if not note.strip():
        raise ActionError("escalating needs a note saying why")
    refusal = None if to in PERSON_ROLES else user_refusal(conn, to, "escalate to")
    if refusal is not None:
        raise ActionError(f"{refusal} (a user name, or a role: {', '.join(PERSON_ROLES)})")
    record_action(conn, _item(conn, item_id), actor=actor, role=principal.role,
                  action=ItemAction.ESCALATE, to_status=ReviewStatus.ESCALATED, note=note,
                  details={"to": to}, values={"assignee": to, "priority": 1})


def dismiss(conn: Connection, item_id: int, reason: str, *, principal: Principal) -> None:
    """Close an item that needs no money to move (never one that holds money; an unmatched
    payment of 0.00 holds none).

    An ``unlinked_plb`` item whose PLB never posted (opened for a held set by imports before
    that was fixed) holds no money: it can only be dismissed."""
    actor = principal.name
    from edi_posting.review.plb_placement import plb_never_posted  # queue side, imported late

    item = _item(conn, item_id)
    if holds_money(item) and not plb_never_posted(conn, item):
        raise ActionError(f"a {item.kind} item holds money: resolve it with a money action, "
                          "not dismiss")
    if not reason.strip():
        raise ActionError("dismissing needs a reason")
    record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.DISMISS,
                  to_status=ReviewStatus.DISMISSED, note=reason)
