"""``payment claim ITEM --remittance ID``: a check received before its remittance, claimed
by hand by the remittance it belongs to.

An 835 claims the payer's received check itself when its TRN02 is the check's reference
(:mod:`edi_posting.payments.claims`).  When the payer sent it under another number (an
EFT trace for a check, a typo at the desk), the 835 posted its own cash and the check's
sits beside it in unapplied cash: the same money counted twice.  A specialist who found
the pair claims it: the same ``payment_claimed`` entry (Dr unapplied cash / Cr cash
clearing on the payer), of what the item holds up to what is left of the remittance's
BPR02 after the checks it claimed already.  Refused when the remittance is another
payer's.  The item closes, or keeps the rest; ``queue undo`` reverses the entry.  Runs in
the caller's transaction; never commits.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select, update

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import ReceivedPayment, Remittance
from edi_posting.db.payments import ReceivedStatus
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.money import format_cents
from edi_posting.records.remittance_parts import signed_payment_cents
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.money import ActionResult, locked_item

__all__ = ["claim_by_hand"]

_PAYMENT, _REMIT = table_of(ReceivedPayment), table_of(Remittance)


def _room(conn: Connection, remit: Any) -> int:
    """What of the remittance's BPR02 no check claimed yet (each claimed check counted
    whole: a remittance never takes more cash back than it brought)."""
    claimed = conn.execute(select(func.coalesce(func.sum(_PAYMENT.c.amount_cents), 0)).where(
        _PAYMENT.c.claimed_by_remittance_id == remit.id)).scalar_one()
    return signed_payment_cents(remit.payment_cents, remit.credit_debit) - int(claimed)


def _pair(conn: Connection, item: Any, remittance_id: int) -> tuple[Any, Any]:
    if item.kind != ReviewKind.AWAITING_REMITTANCE or item.amount_cents <= 0:
        raise ActionError(f"review item {item.id} ({item.kind}) holds no received check to "
                          "claim")
    payment = conn.execute(select(_PAYMENT).where(_PAYMENT.c.review_item_id == item.id)).one()
    remit = conn.execute(select(_REMIT).where(_REMIT.c.id == remittance_id)).first()
    if remit is None:
        raise ActionError(f"no remittance {remittance_id} (`edi-posting remit list` shows them)")
    if payment.payer_id is not None and remit.payer_id != payment.payer_id:
        raise ActionError(f"remittance {remittance_id} is another payer's: check "
                          f"{payment.reference} stays unclaimed")
    return payment, remit


def claim_by_hand(conn: Connection, item_id: int, remittance_id: int, reason: str, *,
                  principal: Principal) -> ActionResult:
    """The item's check claimed by the remittance: its cash is in clearing once."""
    if not reason.strip():
        raise ActionError("a claim needs a reason (why this check is that remittance's)")
    item = locked_item(conn, item_id)
    payment, remit = _pair(conn, item, remittance_id)
    take = min(int(item.amount_cents), _room(conn, remit))
    if take <= 0:
        raise ActionError(f"remittance {remittance_id} (TRN02 {remit.trace_number}) has no "
                          "cash left to claim a check with")
    dims = {"payer_id": payment.payer_id or remit.payer_id}
    [entry_id] = write_entries(conn, [EntryDraft(
        f"queue:{item.id}:claim:{remittance_id}", EntryKind.PAYMENT_CLAIMED, dt.date.today(), (
            Posting(AccountCode.UNAPPLIED_CASH, take, **dims),
            Posting(AccountCode.CASH_CLEARING, -take, **dims)),
        memo=f"remittance {remittance_id} (TRN02 {remit.trace_number}) claims "
             f"{format_cents(take)} of check {payment.reference} (review item {item.id})",
        review_item_id=item.id)], principal.name)
    rest = int(item.amount_cents) - take
    status = ReviewStatus.RESOLVED if rest == 0 else item.status
    text = (f"claimed {format_cents(take)} of check {payment.reference} by remittance "
            f"{remittance_id} (TRN02 {remit.trace_number}): {reason.strip()}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.CLAIM, to_status=status, note=text, entry_id=entry_id,
                  values={"amount_cents": rest}, details={"remittance": remittance_id,
                                                          "amount": format_cents(take)})
    conn.execute(update(_PAYMENT).where(_PAYMENT.c.id == payment.id).values(
        status=ReceivedStatus.CLAIMED, claimed_by_remittance_id=remittance_id))
    return ActionResult(item.id, ItemAction.CLAIM, status, f"review item {item.id}: {text}",
                        take, (entry_id,))
