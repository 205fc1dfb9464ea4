"""Money-moving review actions, part four: working a credit balance.

A claim has a credit when its insurance (per payer) or patient receivable is below zero:
the payer paid twice, or the patient paid what insurance then covered.  Two ways out:

* ``refund``: Dr the receivable in credit / Cr refunds payable, and a row in ``refunds``
  (payee, amount, reason, who approved it, the entry) for accounts payable to pay from;
* ``reapply``: the credit pays another claim of the same account on the same side (the
  same payer's receivable, or the patient's): Dr the credit claim / Cr the other claim,
  never more than the other claim owes, so no new credit appears.

Each ``credit_balance`` item owns one side in credit (a payer's, or the patient's: a credit
is a debt to that party), so both take at most that side's credit and the payee defaults to
that party.  The item follows the ledger (``refresh_credit_balances``): its amount drops by
what moved, and it resolves itself, with an event saying why, once the credit is gone.  Same locking and keys as ``queue_money``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from edi_posting.access.permissions import Principal
from edi_posting.db.approvals import ApprovalAction
from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Patient, Payer, Refund, ReviewItem
from edi_posting.db.workflow import ItemAction
from edi_posting.ledger.journal import Posting, claim_balances
from edi_posting.money import format_cents
from edi_posting.queue.credit_sides import insurance_by_payer, item_side, side_credits
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.approvals import approval_needed, request_approval
from edi_posting.review.balances import item_claim, take_amount
from edi_posting.review.limits import refund_limit_cents
from edi_posting.review.money import ActionResult, find_claim, locked_item, post_entry

__all__ = ["CreditSide", "approved_refund", "reapply", "refund"]

_REFUND, _PAYER, _PATIENT = table_of(Refund), table_of(Payer), table_of(Patient)
_ITEM = table_of(ReviewItem)

CreditSide = tuple[AccountCode, int | None, int]  # (account, payer id, credit in cents)


def _credit_item(conn: Connection, item_id: int, actor: str) -> tuple[Any, Any, CreditSide]:
    """The item, its claim, and its own side's credit: a refund or reapply never takes
    more than that side is in credit (nor more than the item carries)."""
    item = locked_item(conn, item_id)
    if item.kind != ReviewKind.CREDIT_BALANCE:
        raise ActionError(f"review item {item_id} is {item.kind}, not a credit balance")
    claim = item_claim(conn, item)
    if item_side(item) is None:  # stored by an older version: record the side it owns
        refresh_credit_balances(conn, [claim.id], actor=actor,
                                cause=f"the side of review item {item_id} recorded")
        item = locked_item(conn, item_id)
    side = item_side(item)
    credit = side_credits(conn, [claim.id]).get(claim.id, {}).get(side) if side else None
    if side is None or not credit:
        raise ActionError(f"claim {claim.patient_control_number} has no credit balance on "
                          f"{side.label if side else 'the side of this item'}")
    return item, claim, (side.account, side.payer_id, min(credit, item.amount_cents))


def _default_payee(conn: Connection, claim: Any, payer_id: int | None) -> str:
    if payer_id is not None:
        return str(conn.execute(select(_PAYER.c.name).where(_PAYER.c.id == payer_id)).scalar())
    person = conn.execute(select(_PATIENT.c.first_name, _PATIENT.c.last_name)
                          .where(_PATIENT.c.id == claim.patient_id)).one()
    return " ".join(p for p in (person.first_name, person.last_name) if p)


def refund(conn: Connection, item_id: int, reason: str, *, principal: Principal,
           payee: str | None = None, amount_cents: int | None = None) -> ActionResult:
    """``queue refund``: the credit (or part of it) to refunds payable, with a refund record.
    The payee defaults to the payer (or patient) in credit.  Above the refund limit it waits
    for a different user to approve it (who is then the refund's approver)."""
    actor = principal.name
    if not reason.strip():
        raise ActionError("a refund needs a reason")
    item, claim, (account, payer_id, credit) = _credit_item(conn, item_id, actor)
    amount = take_amount(amount_cents, credit, "the credit balance of this item's side")
    payee = (payee or "").strip() or _default_payee(conn, claim, payer_id)
    limit = refund_limit_cents(conn)
    if approval_needed(principal) and amount > limit:
        return request_approval(
            conn, item, ApprovalAction.REFUND, amount, reason.strip(),
            {"payee": payee, "account": account, "payer_id": payer_id}, principal=principal,
            why=f"above the refund limit {format_cents(limit)}")
    return _post_refund(conn, item, claim, (account, payer_id, amount),
                        (payee, reason.strip()), principal, None)


def approved_refund(conn: Connection, approval: Any, principal: Principal,
                    said: str) -> ActionResult:
    """Post an approved refund as the approver, if the same side still holds the credit."""
    item, claim, (account, payer_id, credit) = _credit_item(conn, approval.review_item_id,
                                                            principal.name)
    asked = approval.params or {}
    if (account, payer_id) != (asked.get("account"), asked.get("payer_id")):
        raise ActionError(f"the credit of claim {claim.patient_control_number} is no longer "
                          "where the refund was asked for: reject the approval")
    amount = take_amount(approval.amount_cents, credit,
                         "the credit balance of this item's side now")
    return _post_refund(conn, item, claim, (account, payer_id, amount),
                        (asked.get("payee") or _default_payee(conn, claim, payer_id),
                         approval.reason), principal, said)


def _post_refund(conn: Connection, item: Any, claim: Any, side: CreditSide,
                 why: tuple[str, str], principal: Principal, approved: str | None
                 ) -> ActionResult:
    (account, payer_id, amount), (payee, reason) = side, why
    dims = {"payer_id": payer_id, "patient_account_id": claim.patient_account_id,
            "submitted_claim_id": claim.id}
    entry_id = post_entry(conn, item, ItemAction.REFUND, (
        Posting(account, amount, **dims), Posting(AccountCode.REFUNDS_PAYABLE, -amount, **dims)),
        actor=principal.name, claim_id=claim.id, memo=f"{format_cents(amount)} refund payable")
    refund_id = new_id(conn.execute(insert(_REFUND).values(
        submitted_claim_id=claim.id, review_item_id=item.id, journal_entry_id=entry_id,
        payee=payee, amount_cents=amount, reason=reason, approved_by=principal.name,
    )))
    text = (f"refund {refund_id} of {format_cents(amount)} to {payee} approved "
            f"({reason}){f'; {approved}' if approved else ''}")
    return _moved(conn, item, [claim.id], ItemAction.REFUND, text, principal.role, principal.name,
                  entry_id, {"refund_id": refund_id, "amount": format_cents(amount)}, amount)


def reapply(conn: Connection, item_id: int, pcn: str, *, principal: Principal,
            amount_cents: int | None = None) -> ActionResult:
    """``queue reapply``: the credit pays claim PCN of the same account, same side."""
    actor = principal.name
    item, claim, (account, payer_id, credit) = _credit_item(conn, item_id, actor)
    target = find_claim(conn, pcn)
    if target.id == claim.id or target.patient_account_id != claim.patient_account_id:
        raise ActionError(f"claim {pcn} is not another claim of the same account")
    to_payer = account == AccountCode.INSURANCE_AR
    owed = (insurance_by_payer(conn, target.id).get(payer_id, 0) if to_payer
            else claim_balances(conn, target.id).patient_cents)
    if owed <= 0:
        raise ActionError(f"claim {pcn} owes nothing on the side in credit "
                          f"({'its payer' if to_payer else 'the patient'})")
    amount = take_amount(amount_cents, min(credit, owed),
                         "the credit, or what the other claim owes if less")
    entry_id = post_entry(conn, item, ItemAction.REAPPLY, (
        Posting(account, amount, payer_id=payer_id, patient_account_id=claim.patient_account_id,
                submitted_claim_id=claim.id),
        Posting(account, -amount, payer_id=payer_id, patient_account_id=target.patient_account_id,
                submitted_claim_id=target.id)),
        actor=actor, claim_id=claim.id,
        memo=f"{format_cents(amount)} of credit reapplied to claim {target.patient_control_number}")
    text = (f"reapplied {format_cents(amount)} of credit from claim "
            f"{claim.patient_control_number} to claim {target.patient_control_number}")
    return _moved(conn, item, [claim.id, target.id], ItemAction.REAPPLY, text, principal.role,
                  actor, entry_id, {"claim": target.patient_control_number, "claim_id": target.id,
                             "amount": format_cents(amount)}, amount)


def _moved(conn: Connection, item: Any, claim_ids: list[int], action: ItemAction, text: str,
           role: str | None, actor: str, entry_id: int, details: dict[str, Any],
           amount: int) -> ActionResult:
    """Event and audit first, then the credit item follows the ledger (may resolve)."""
    record_action(conn, item, actor=actor, role=role, action=action, note=text,
                  entry_id=entry_id, details=details)
    refresh_credit_balances(conn, claim_ids, actor=actor, entry_id=entry_id,
                            cause=f"{action} on review item {item.id} ({text})")
    status = conn.execute(select(_ITEM.c.status).where(_ITEM.c.id == item.id)).scalar_one()
    return ActionResult(item.id, action, status, f"review item {item.id}: {text}", amount,
                        (entry_id,))
