"""Money-moving review actions, part three: moving or writing off what a claim still owes.

``transfer`` moves a claim's insurance balance with one payer to the patient (the payer
denied or assigned it to patient responsibility) or to another payer (a secondary, a
crossover the 835 did not name).  ``write-off`` clears a balance to other adjustments with
a reason code; when the claim's write-offs would pass the write-off limit in total (a
setting, ``queue write-off-limit``), it posts nothing and waits for a second person
(:mod:`edi_posting.review.approvals`), so a large write-off cannot be split into small ones.

Both post one balanced entry on the item's claim and never move more than the balance
they take from, so neither can create a credit.  A ``denial`` item resolves itself when
the denying payer's balance on the claim reaches zero, and so does an
``awaiting_correction`` item when the reversing payer's balance it owns does.  Same locking and keys as
``queue_money``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import Permission, Principal, authorize
from edi_posting.db.approvals import ApprovalAction
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import JournalLine, Payer, PayerAlias, SubmittedClaim
from edi_posting.db.workflow import ItemAction, ReviewStatus
from edi_posting.ledger.journal import Posting, claim_balances
from edi_posting.money import format_cents
from edi_posting.queue.credit_sides import insurance_by_payer
from edi_posting.queue.credits import refresh_credit_balances
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.approvals import approval_needed, request_approval
from edi_posting.review.groups import CONTRACTUAL_GROUP, contractual_open_cents
from edi_posting.review.limits import (
    write_off_limit_cents,
    written_off_cents,
)
from edi_posting.review.money import ActionResult, locked_item, post_entry
from edi_posting.review.reason_codes import ReasonError, check_reason, with_note

__all__ = ["approved_write_off", "item_claim", "take_amount", "transfer", "write_off"]

_LINE, _CLAIM = table_of(JournalLine), table_of(SubmittedClaim)
_PAYER, _ALIAS = table_of(Payer), table_of(PayerAlias)


def item_claim(conn: Connection, item: Any) -> Any:
    """The claim an item is about (any submission status: its balance is what counts)."""
    if item.submitted_claim_id is None:
        raise ActionError(f"review item {item.id} ({item.kind}) names no claim")
    return conn.execute(select(_CLAIM).where(_CLAIM.c.id == item.submitted_claim_id)).one()


def take_amount(asked: int | None, available: int, what: str) -> int:
    """All that is available, or the part asked; never more, never nothing."""
    if available <= 0:
        raise ActionError(f"nothing to move: {what} is {format_cents(available)}")
    if asked is None:
        return available
    if not 0 < asked <= available:
        raise ActionError(f"the amount must be more than 0.00 and at most "
                          f"{format_cents(available)} ({what})")
    return asked


def _find_payer(conn: Connection, named: str) -> int:
    found = conn.execute(select(_PAYER.c.id).where(_PAYER.c.primary_identifier == named)).scalar()
    if found is None:
        found = conn.execute(select(_ALIAS.c.payer_id).where(_ALIAS.c.alias_value == named)
                             .order_by(_ALIAS.c.id)).scalar()
    if found is None:
        raise ActionError(f"no payer with identifier {named!r}")
    return int(found)


def _money_item(conn: Connection, item_id: int) -> tuple[Any, Any]:
    item = locked_item(conn, item_id)
    if item.kind == ReviewKind.CREDIT_BALANCE:
        raise ActionError(f"review item {item_id} is a credit balance: refund or reapply it")
    return item, item_claim(conn, item)


# the kinds a transfer or write-off settles, and the payer whose balance that is
_SETTLED_BY = {ReviewKind.DENIAL: "denying", ReviewKind.AWAITING_CORRECTION: "reversing"}


def _settle(conn: Connection, item: Any, claim: Any, payer_id: int | None, action: ItemAction,
            text: str, role: str | None, actor: str, entry_id: int, details: dict[str, Any]
            ) -> ActionResult:
    """Event, audit, and the item that resolves once its payer is owed nothing: a denial,
    or a reversal awaiting its correction (what it owned, the reopened balance, is worked
    off: it owns nothing more, so its amount reads 0.00)."""
    settles = _SETTLED_BY.get(item.kind)
    settled = (settles is not None and not (item.kind == ReviewKind.DENIAL and item.amount_cents)
               and insurance_by_payer(conn, claim.id).get(payer_id, 0) <= 0)
    note = text + (f"; the {settles} payer's balance on the claim is settled" if settled else "")
    record_action(conn, item, actor=actor, role=role, action=action,
                  to_status=ReviewStatus.RESOLVED if settled else None, note=note, entry_id=entry_id,
                  details=details, values={"amount_cents": 0} if settled else None)
    refresh_credit_balances(conn, [claim.id], actor=actor, entry_id=entry_id,
                            cause=f"{action} on review item {item.id}")
    return ActionResult(item.id, action, ReviewStatus.RESOLVED if settled else item.status,
                        f"review item {item.id}: {note}", details["amount_cents"], (entry_id,))


def _to_patient(conn: Connection, claim: Any, source: int | None, amount: int,
                balance: int, override: tuple[str, str] | None) -> str:
    """Refuse moving a contractual (CO) amount to the patient; an override (actor, reason)
    passes it and is said in the action's text."""
    open_co = contractual_open_cents(conn, claim.id, source)
    # the contractual part of the balance as it stands now: a write-off or transfer since
    # the 835 took part of it, so the CO the 835s sent may exceed the balance left
    contractual = min(sum(open_co.values()), balance)
    allowed = balance - contractual
    if amount <= allowed or not open_co:
        return "the patient"
    named = ", ".join(f"{CONTRACTUAL_GROUP}-{carc} {format_cents(c)}" for carc, c in open_co.items())
    if override is None:
        raise ActionError(
            f"{format_cents(contractual)} of claim {claim.patient_control_number}'s balance "
            f"with its payer ({format_cents(balance)}) is contractual ({named} in its 835s), "
            f"which the patient does not owe: at most {format_cents(allowed)} can go to the "
            "patient (an admin may override with --override-reason)")
    carcs = ", ".join(f"{CONTRACTUAL_GROUP}-{carc}" for carc in open_co)
    return f"the patient (contractual {carcs} overridden by {override[0]}: {override[1]})"


def transfer(conn: Connection, item_id: int, *, to: str, principal: Principal, payer: str | None = None,
             amount_cents: int | None = None, override_reason: str | None = None,
             reason: str | None = None, note: str | None = None) -> ActionResult:
    """``queue transfer``: the claim's balance with the item's payer to the patient
    (``to="patient"``, never a contractual amount unless an admin overrides with a reason)
    or to another payer (``to="payer"`` with its identifier)."""
    actor = principal.name
    reason = _checked(reason, note)
    override = None
    if (override_reason or "").strip():  # a second permission, asked only for an override
        authorize(conn, actor, Permission.ADMINISTER, action="queue.transfer",
                  object_id=str(item_id))
        override = (actor, (override_reason or "").strip())
    item, claim = _money_item(conn, item_id)
    source = item.payer_id or claim.payer_id
    balance = insurance_by_payer(conn, claim.id).get(source, 0)
    amount = take_amount(amount_cents, balance, "the claim's insurance balance with its payer")
    dims = {"patient_account_id": claim.patient_account_id, "submitted_claim_id": claim.id}
    if to == "patient":
        where = _to_patient(conn, claim, source, amount, balance, override)
        target = Posting(AccountCode.PATIENT_AR, amount, **dims)
    elif to == "payer" and payer:
        target_id = _find_payer(conn, payer)
        if target_id == source:
            raise ActionError("the balance is with that payer already")
        target = Posting(AccountCode.INSURANCE_AR, amount, payer_id=target_id, **dims)
        where = f"payer {payer}"
    else:
        raise ActionError("transfer to 'patient', or to 'payer' with the payer's identifier")
    entry_id = post_entry(conn, item, ItemAction.TRANSFER, (target, Posting(
        AccountCode.INSURANCE_AR, -amount, payer_id=source, **dims)), actor=actor,
        claim_id=claim.id, memo=f"{format_cents(amount)} transferred to {where}")
    said = with_note(reason, note)
    text = (f"transferred {format_cents(amount)} of claim {claim.patient_control_number} to "
            f"{where}{f' ({said})' if said else ''}")
    return _settle(conn, item, claim, source, ItemAction.TRANSFER, text, principal.role, actor,
                   entry_id, {"amount": format_cents(amount), "amount_cents": amount, "to": to,
                              "reason": reason, "note": note,
                              **({"override_reason": override[1]} if override else {})})


def _checked(reason: str | None, note: str | None, *, cas_allowed: bool = False) -> str | None:
    try:
        return check_reason(reason, note, cas_allowed=cas_allowed)
    except ReasonError as exc:
        raise ActionError(str(exc)) from None


def _side_balance(conn: Connection, item: Any, claim: Any, side: str) -> tuple[int | None, int]:
    """(payer id, balance) of the side written off: the item's payer, or the patient."""
    if side == "insurance":
        payer_id = item.payer_id or claim.payer_id
        return payer_id, insurance_by_payer(conn, claim.id).get(payer_id, 0)
    if side == "patient":
        return None, claim_balances(conn, claim.id).patient_cents
    raise ActionError("write off the 'insurance' or the 'patient' balance")


def write_off(conn: Connection, item_id: int, reason: str, *, principal: Principal,
              side: str = "insurance", amount_cents: int | None = None,
              note: str | None = None) -> ActionResult:
    """``queue write-off``: the insurance (item's payer) or patient balance of the claim to
    other adjustments, under ``reason`` (a CARC or the practice's own code).  When the
    claim's write-offs would pass the write-off limit in total, it waits for approval."""
    if not reason.strip():
        raise ActionError("a write-off needs a reason code")
    reason = str(_checked(reason, note, cas_allowed=True))
    item, claim = _money_item(conn, item_id)
    _, available = _side_balance(conn, item, claim, side)
    amount = take_amount(amount_cents, available, f"the claim's {side} balance")
    limit, total = write_off_limit_cents(conn), written_off_cents(conn, claim.id) + amount
    if approval_needed(principal) and total > limit:
        return request_approval(
            conn, item, ApprovalAction.WRITE_OFF, amount, reason, {"side": side, "note": note},
            principal=principal,
            why=(f"write-offs on claim {claim.patient_control_number} would reach "
                 f"{format_cents(total)}, above the write-off limit {format_cents(limit)}"))
    return _post_write_off(conn, item, claim, (side, amount, reason, note), principal, None)


def approved_write_off(conn: Connection, approval: Any, principal: Principal,
                       said: str) -> ActionResult:
    """Post an approved write-off as the approver, if the balance still holds it."""
    item, claim = _money_item(conn, approval.review_item_id)
    params = approval.params or {}
    side = params.get("side", "insurance")
    _, available = _side_balance(conn, item, claim, side)
    amount = take_amount(approval.amount_cents, available, f"the claim's {side} balance now")
    return _post_write_off(conn, item, claim, (side, amount, approval.reason, params.get("note")),
                           principal, said)


def _post_write_off(conn: Connection, item: Any, claim: Any,
                    what: tuple[str, int, str, str | None], principal: Principal,
                    approved: str | None) -> ActionResult:
    side, amount, reason, note = what
    payer_id, _ = _side_balance(conn, item, claim, side)
    dims = {"patient_account_id": claim.patient_account_id, "submitted_claim_id": claim.id}
    account = AccountCode.INSURANCE_AR if side == "insurance" else AccountCode.PATIENT_AR
    entry_id = post_entry(conn, item, ItemAction.WRITE_OFF, (
        Posting(AccountCode.OTHER_ADJUSTMENTS, amount, reason_code=reason, **dims),
        Posting(account, -amount, payer_id=payer_id, reason_code=reason, **dims)),
        actor=principal.name, claim_id=claim.id,
        memo=f"{format_cents(amount)} written off ({reason})")
    text = (f"wrote off {format_cents(amount)} of claim {claim.patient_control_number}'s "
            f"{side} balance ({with_note(reason, note)}){f'; {approved}' if approved else ''}")
    return _settle(conn, item, claim, item.payer_id or claim.payer_id, ItemAction.WRITE_OFF, text,
                   principal.role, principal.name, entry_id,
                   {"amount": format_cents(amount), "amount_cents": amount, "reason": reason,
                    "note": note, "side": side, "approved": approved})
