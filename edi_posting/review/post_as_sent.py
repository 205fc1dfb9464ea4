"""``queue post-as-sent``: post a claim that failed balancing as the payer sent it.

A claim payment whose CLP does not balance is held (x12-posting-rules.md: never fabricate
a balancing entry): its cash waits in unapplied cash and a ``balancing_failure`` item
owns it.  A specialist who has checked with the payer may post it as sent: the 835's own
CAS adjustments (contractual, patient share...) post by the posting rules, with its cash
from unapplied cash, or alone when ``apply`` moved the cash already (that item stayed open
because its adjustments were not posted).  Whatever the 835 left unexplained stays on the
claim's insurance receivable, or becomes a credit with its ``credit_balance`` item.  The
reason is mandatory and kept on the item and in the audit trail.

Runs in the caller's transaction, the item locked (see ``queue_money``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Principal
from edi_posting.db.base import table_of
from edi_posting.db.models import ClaimPayment
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.money import format_cents
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.lines import as_sent_postings
from edi_posting.review.money import ActionResult, find_claim, link_payment, locked_item, post_entry

__all__ = ["post_as_sent"]

_CP = table_of(ClaimPayment)
_ACTION = ItemAction.POST_AS_SENT


def _payment_of(conn: Connection, item: Any) -> Any:
    if item.kind != ReviewKind.BALANCING_FAILURE or item.claim_payment_id is None:
        what = "a held transaction set" if item.kind == ReviewKind.BALANCING_FAILURE else item.kind
        raise ActionError(f"review item {item.id} is {what}: only a claim that failed balancing "
                          "is posted as sent (a held set's cash is applied to its claims)")
    cp = conn.execute(select(_CP).where(_CP.c.id == item.claim_payment_id)).one()
    if item.amount_cents not in (cp.paid_cents, 0):
        raise ActionError(f"review item {item.id} was applied in part already: apply the rest "
                          "with `queue apply` first")
    return cp


def post_as_sent(conn: Connection, item_id: int, reason: str, *, principal: Principal,
                 pcn: str | None = None) -> ActionResult:
    """Post a ``balancing_failure`` claim payment's adjustments (and cash) as sent."""
    actor = principal.name
    if not reason.strip():
        raise ActionError("posting as sent needs a reason")
    item = locked_item(conn, item_id)
    cp = _payment_of(conn, item)
    if pcn is None and item.submitted_claim_id is None:
        raise ActionError(f"review item {item_id} names no claim: give the claim (--claim)")
    claim = find_claim(conn, pcn, None if pcn else item.submitted_claim_id)
    payer_id = item.payer_id or claim.payer_id
    with_cash = item.amount_cents != 0
    postings = as_sent_postings(conn, cp.id, claim, payer_id, with_cash=with_cash)
    if not postings:
        raise ActionError(f"claim payment {cp.id} (CLP02 {cp.status_code}) posts nothing as sent")
    linked = link_payment(conn, cp.id, claim.id)
    entry_id = post_entry(conn, item, _ACTION, postings, actor=actor, claim_id=claim.id,
                          memo=f"claim payment {cp.patient_control_number} posted as sent to "
                               f"claim {claim.patient_control_number}: {reason.strip()}")
    adjustments = sum(p.amount_cents for p in postings if p.adjustment_id is not None)
    cash = cp.paid_cents if with_cash else 0
    text = (f"posted claim payment {cp.patient_control_number} as sent ({format_cents(cash)} "
            f"cash, {format_cents(adjustments)} adjustments) to claim "
            f"{claim.patient_control_number}: {reason.strip()}")
    record_action(conn, item, actor=actor, role=principal.role, action=_ACTION,
                  to_status=ReviewStatus.RESOLVED, note=text, entry_id=entry_id,
                  details={"claim": claim.patient_control_number, "claim_id": claim.id,
                           "reason": reason.strip(), "cash": format_cents(cash),
                           "adjustments": format_cents(adjustments), "linked_payment": linked},
                  values={"amount_cents": 0})
    opened = refresh_credit_balances(conn, [claim.id], actor=actor, entry_id=entry_id,
                                     cause=f"{_ACTION} from review item {item.id}")
    return ActionResult(item.id, _ACTION, ReviewStatus.RESOLVED, f"review item {item.id}: {text}", cash,
                        (entry_id,), tuple(opened))
