"""``queue return``: money that is not ours goes back to the payer.

After research, an unidentified payment (an unmatched payment, an ambiguous match, a held
set...) can turn out to be for another practice or paid in error: it must leave unapplied
cash, not sit there or be forced onto a claim.  Two ways out, both one balanced entry of
kind ``return`` on the payer that sent it:

* ``payer`` (the default): Dr unapplied cash / Cr cash clearing, the money returned to the
  payer (the payer takes it back from the deposit, or the bank returns it);
* ``refund``: Dr unapplied cash / Cr refunds payable, for accounts payable to pay out.

The item closes with the reason; ``queue undo`` reverses the entry and reopens it.  Money
leaving the practice follows the refund rules: above the refund limit
(:mod:`edi_posting.review.limits`) it waits for a different user's approval
(:mod:`edi_posting.review.approvals`), who then posts it.  Runs in the caller's
transaction; never commits.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Connection, false, select

from edi_posting.access.permissions import Principal
from edi_posting.db.approvals import ApprovalAction
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import ClaimPayment, Payer, Remittance
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.ledger.journal import Posting
from edi_posting.money import format_cents
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.approvals import approval_needed, request_approval
from edi_posting.review.limits import refund_limit_cents
from edi_posting.review.money import ActionResult, locked_item, post_entry

__all__ = ["ReturnTo", "approved_return", "return_money"]

_PAYER, _REMIT, _CP = table_of(Payer), table_of(Remittance), table_of(ClaimPayment)


class ReturnTo(enum.StrEnum):
    """Where returned money goes: straight back out of cash, or to a refund payable."""

    PAYER = "payer"
    REFUND = "refund"


_CREDITED = {ReturnTo.PAYER: AccountCode.CASH_CLEARING,
             ReturnTo.REFUND: AccountCode.REFUNDS_PAYABLE}


def _returnable(conn: Connection, item_id: int) -> Any:
    """The locked item, holding positive unapplied cash (a negative amount is money the
    payer took back already: nothing of ours to return)."""
    item = locked_item(conn, item_id)
    if not holds_unapplied(item.kind, item.claim_payment_id) or item.amount_cents <= 0:
        raise ActionError(f"review item {item_id} ({item.kind}) holds no unapplied cash to "
                          f"return (amount {format_cents(item.amount_cents)})")
    return item


def return_money(conn: Connection, item_id: int, reason: str, *, principal: Principal,
                 to: ReturnTo = ReturnTo.PAYER) -> ActionResult:
    """``queue return``: all the item's unapplied cash back to its payer (or to a refund
    payable); above the refund limit it waits for a second person's approval."""
    if not reason.strip():
        raise ActionError("a return needs a reason")
    item = _returnable(conn, item_id)
    amount, limit = int(item.amount_cents), refund_limit_cents(conn)
    if approval_needed(principal) and amount > limit:
        return request_approval(conn, item, ApprovalAction.RETURN, amount, reason.strip(),
                                {"to": str(ReturnTo(to))}, principal=principal,
                                why=f"above the refund limit {format_cents(limit)}")
    return _post_return(conn, item, ReturnTo(to), reason.strip(), principal, None)


def approved_return(conn: Connection, approval: Any, principal: Principal,
                    said: str) -> ActionResult:
    """Post an approved return as the approver, if the item still holds that money."""
    item = _returnable(conn, approval.review_item_id)
    if item.amount_cents != approval.amount_cents:
        raise ActionError(f"review item {item.id} holds {format_cents(item.amount_cents)} now, "
                          f"not the {format_cents(approval.amount_cents)} asked to return: "
                          "reject the approval")
    to = ReturnTo((approval.params or {}).get("to", ReturnTo.PAYER))
    return _post_return(conn, item, to, approval.reason, principal, said)


def _sender(conn: Connection, item: Any) -> tuple[int | None, str]:
    """Who sent the money, and the name the return is made out to: the item's payer, else
    its 835's (an unmatched payment names no payer of its own; its remittance says who
    paid, N1*PR, even when the payer is not on file)."""
    query = select(_REMIT.c.payer_id, _REMIT.c.payer_name)
    if item.remittance_id is not None:
        query = query.where(_REMIT.c.id == item.remittance_id)
    elif item.claim_payment_id is not None:
        query = query.join(_CP, _CP.c.remittance_id == _REMIT.c.id).where(
            _CP.c.id == item.claim_payment_id)
    else:
        query = query.where(false())
    sent = conn.execute(query).first()
    payer_id = item.payer_id if item.payer_id is not None else (sent.payer_id if sent else None)
    if payer_id is not None:
        return int(payer_id), str(conn.execute(select(_PAYER.c.name)
                                              .where(_PAYER.c.id == payer_id)).scalar())
    return None, (sent.payer_name if sent and sent.payer_name else "the payer (none named)")


def _post_return(conn: Connection, item: Any, to: ReturnTo, reason: str,
                 principal: Principal, approved: str | None) -> ActionResult:
    amount, (payer_id, payee) = int(item.amount_cents), _sender(conn, item)
    dims = {"payer_id": payer_id, "patient_account_id": item.patient_account_id}
    entry_id = post_entry(conn, item, ItemAction.RETURN, (
        Posting(AccountCode.UNAPPLIED_CASH, amount, **dims),
        Posting(_CREDITED[to], -amount, **dims)), actor=principal.name, claim_id=None,
        memo=f"{format_cents(amount)} returned to {payee}"
             f"{' (refund payable)' if to == ReturnTo.REFUND else ''}")
    how = "as a refund payable" if to == ReturnTo.REFUND else "from cash"
    text = (f"returned {format_cents(amount)} to {payee} {how}: {reason}"
            f"{f'; {approved}' if approved else ''}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.RETURN, to_status=ReviewStatus.RESOLVED, note=text,
                  entry_id=entry_id, values={"amount_cents": 0},
                  details={"amount": format_cents(amount), "to": str(to), "payee": payee,
                           "reason": reason})
    return ActionResult(item.id, ItemAction.RETURN, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", amount, (entry_id,))
