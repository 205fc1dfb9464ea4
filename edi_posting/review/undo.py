"""``queue undo ITEM``: take back an item's latest money action by reversing entries.

Every money action posts one journal entry linked to its item and records an event naming
it.  Undo finds the item's latest such event whose entry still stands and posts its exact
negation, linked by ``reverses_entry_id`` (the ledger's one correction mechanism: nothing
is edited or deleted).  The queue follows the ledger: the item (and any other item the
same entry moved, e.g. both sides of a ``link-correction``) gets back the status and
amount it had before, a claim payment linked by ``apply`` is unlinked, a placed PLB is
unplaced, an ``awaiting_correction`` item the action opened closes, and credit balance
items follow their claims.  Repeated, undo walks an item's history back one action at a
time.

Undo is refused when it would leave a wrong balance:

* a later money action of another item still stands on the same claim (undo that first,
  last in, first out): reversing under it would strand what it did (a refund of a credit
  that would no longer exist);
* a refund that was paid out already (its claim's refunds payable would turn into a debit).

Runs in the caller's transaction; needs ``resolve``; audited as ``queue.undo``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select, update

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    ProviderAdjustment,
    ReviewItem,
    ReviewItemEvent,
)
from edi_posting.db.workflow import OPEN_STATES, ItemAction
from edi_posting.ledger.journal import EntryDraft, account_ids, reversal_drafts, write_entries
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.queue.items import close_review_items, record_item_change
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import ActionResult

__all__ = ["undo"]

_ITEM, _EVENT = table_of(ReviewItem), table_of(ReviewItemEvent)
_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)
_CP, _PLB = table_of(ClaimPayment), table_of(ProviderAdjustment)
# events that record what the engine did after an action, not an action of their own
_NOT_ACTIONS = (ItemAction.OPENED, ItemAction.AMOUNT_CHANGED, ItemAction.AUTO_RESOLVED,
                ItemAction.UNDO)


def _locked(conn: Connection, item_id: int) -> Any:
    """The item, locked, whatever its status (undo reopens closed items)."""
    query = select(_ITEM).where(_ITEM.c.id == item_id)
    row = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql"
                       else query).first()
    if row is None:
        raise ActionError(f"no review item {item_id}")
    return row


def _standing(conn: Connection, entry_id: int) -> bool:
    """No entry reverses it yet (an undo, or the payer's own reversal)."""
    return conn.execute(select(_ENTRY.c.id).where(_ENTRY.c.reverses_entry_id == entry_id)
                        ).first() is None


def _last_action(conn: Connection, item: Any) -> Any:
    """The item's latest money action whose entry still stands."""
    for event in conn.execute(select(_EVENT).where(
            _EVENT.c.review_item_id == item.id, _EVENT.c.journal_entry_id.is_not(None),
            _EVENT.c.action.not_in(_NOT_ACTIONS)).order_by(_EVENT.c.id.desc())).all():
        if _standing(conn, event.journal_entry_id):
            return event
    raise ActionError(f"review item {item.id} has no money action to undo")


def _check_named(conn: Connection, item: Any, entry_id: int, latest: Any) -> None:
    """``--entry``: refuse unless the named entry is the item's latest standing action, so
    a retried undo never walks back one more action than the user saw."""
    if latest.journal_entry_id == entry_id:
        return
    reversal = conn.execute(select(_ENTRY.c.id).where(_ENTRY.c.reverses_entry_id == entry_id)
                            .order_by(_ENTRY.c.id)).scalar()
    if reversal is not None:
        raise ActionError(f"entry {entry_id} was undone already (reversed by entry "
                          f"{reversal}): nothing undone")
    raise ActionError(f"entry {entry_id} is not review item {item.id}'s latest standing "
                      f"action (entry {latest.journal_entry_id} is): nothing undone")


def _claims_of(conn: Connection, entry_id: int) -> list[int]:
    return sorted(conn.execute(select(_LINE.c.submitted_claim_id).distinct().where(
        _LINE.c.entry_id == entry_id, _LINE.c.submitted_claim_id.is_not(None))).scalars())


def _refuse_wrong_balance(conn: Connection, entry: Any, claims: list[int]) -> None:
    """Refuse an undo that would leave a wrong balance (see the module docstring)."""
    later = conn.execute(
        select(_ENTRY.c.id, _ENTRY.c.review_item_id, _ENTRY.c.kind).distinct()
        .join(_LINE, _LINE.c.entry_id == _ENTRY.c.id)
        .where(_LINE.c.submitted_claim_id.in_(claims), _ENTRY.c.id > entry.id,
               _ENTRY.c.review_item_id.is_not(None),
               _ENTRY.c.review_item_id != entry.review_item_id,
               _ENTRY.c.reverses_entry_id.is_(None)).order_by(_ENTRY.c.id.desc())).all()
    for row in later:
        if _standing(conn, row.id):
            raise ActionError(f"undo review item {row.review_item_id}'s "
                              f"{row.kind.replace('_', '-')} first: it moved the same claim "
                              f"after entry {entry.id} (entry {row.id})")
    payable = account_ids(conn)[AccountCode.REFUNDS_PAYABLE]
    for line in conn.execute(select(_LINE).where(_LINE.c.entry_id == entry.id,
                                                 _LINE.c.account_id == payable)):
        balance = conn.execute(select(func.coalesce(func.sum(_LINE.c.amount_cents), 0)).where(
            _LINE.c.account_id == payable,
            _LINE.c.submitted_claim_id == line.submitted_claim_id)).scalar_one()
        if int(balance) - line.amount_cents > 0:
            raise ActionError(f"refund paid out already: entry {entry.id} cannot be undone "
                              "(its refunds payable is settled)")


def _amount_before(conn: Connection, event: Any) -> int | None:
    return conn.execute(select(_EVENT.c.amount_cents).where(
        _EVENT.c.review_item_id == event.review_item_id, _EVENT.c.id < event.id)
        .order_by(_EVENT.c.id.desc()).limit(1)).scalar()


def _restored(conn: Connection, item: Any, event: Any) -> tuple[str | None, dict[str, Any]]:
    """The status and fields that put the item back as it was before ``event``."""
    values: dict[str, Any] = {}
    before = _amount_before(conn, event)
    if before is not None and event.amount_cents is not None:
        values["amount_cents"] = item.amount_cents + before - event.amount_cents
    status = event.from_status if event.from_status != item.status else None
    if status in OPEN_STATES:
        values.update(resolved_at=None, resolution=None)
    if event.action == ItemAction.PLACE_PLB:  # the PLB is unlinked again, as the item found it
        plb_id = int(item.dedupe_key.rsplit("plb:", 1)[1])
        conn.execute(update(_PLB).where(_PLB.c.id == plb_id).values(linked_claim_id=None))
        values.update(submitted_claim_id=None, patient_account_id=None)
    linked = (event.details or {}).get("linked_payment")
    if linked:  # a payment ``apply`` linked to the claim goes back to waiting
        conn.execute(update(_CP).where(_CP.c.id == linked["id"]).values(
            submitted_claim_id=linked["submitted_claim_id"],
            posting_state=linked["posting_state"], match_method=linked["match_method"]))
    return status, values


def _reverse(conn: Connection, item: Any, entry: Any, actor: str) -> int:
    today = dt.date.today()
    template = EntryDraft("", EntryKind.UNDO, today, (), review_item_id=item.id,
                          claim_payment_id=entry.claim_payment_id)
    return write_entries(conn, reversal_drafts(conn, [entry.id], kind=EntryKind.UNDO, key_suffix="undo",
                                               effective_date=today, template=template),
                         actor)[0]


def _follow_others(conn: Connection, item: Any, entry_id: int, reversal_id: int,
                   actor: str, cause: str) -> None:
    """Other items the entry moved go back too; items it opened close."""
    for event in conn.execute(select(_EVENT).where(
            _EVENT.c.journal_entry_id == entry_id, _EVENT.c.review_item_id != item.id,
            _EVENT.c.action.not_in(_NOT_ACTIONS))).all():
        other = conn.execute(select(_ITEM).where(_ITEM.c.id == event.review_item_id)).one()
        status, values = _restored(conn, other, event)
        record_item_change(conn, other, actor=actor, action=ItemAction.UNDO, to_status=status,
                           values=values, entry_id=reversal_id, note=cause)
    opened = conn.execute(select(_ITEM.c.id).where(
        _ITEM.c.kind == ReviewKind.AWAITING_CORRECTION, _ITEM.c.status.in_(OPEN_STATES),
        _ITEM.c.dedupe_key.like(f"%|entry:{entry_id}"))).scalars().all()
    close_review_items(conn, list(opened), actor, f"the balance it owned is gone: {cause}")


def undo(conn: Connection, item_id: int, *, principal: Principal, reason: str | None = None,
         entry_id: int | None = None) -> ActionResult:
    """Reverse the entry of the item's latest money action and put the queue back.

    ``entry_id``: the entry the caller means to undo; refused unless it is that latest
    action (a retried command then undoes nothing more)."""
    actor = principal.name
    item = _locked(conn, item_id)
    event = _last_action(conn, item)
    if entry_id is not None:
        _check_named(conn, item, entry_id, event)
    entry = conn.execute(select(_ENTRY).where(_ENTRY.c.id == event.journal_entry_id)).one()
    claims = _claims_of(conn, entry.id)
    _refuse_wrong_balance(conn, entry, claims)
    reversal_id = _reverse(conn, item, entry, actor)
    note = (reason or "").strip()
    text = (f"undid {event.action} (entry {entry.id} reversed by entry {reversal_id})"
            f"{f': {note}' if note else ''}")
    status, values = _restored(conn, item, event)
    record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.UNDO,
                  to_status=status, note=text, entry_id=reversal_id, values=values,
                  details={"undone": event.action, "event_id": event.id, "entry_id": entry.id,
                           "reversal_entry_id": reversal_id, "reason": note or None})
    cause = f"undo of {event.action} on review item {item.id}"
    _follow_others(conn, item, entry.id, reversal_id, actor, cause)
    refresh_credit_balances(conn, claims, actor=actor, entry_id=reversal_id, cause=cause)
    now = conn.execute(select(_ITEM.c.status).where(_ITEM.c.id == item.id)).scalar_one()
    return ActionResult(item.id, ItemAction.UNDO, now, f"review item {item.id}: {text}",
                        entry_ids=(reversal_id,))
