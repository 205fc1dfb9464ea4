"""The commands that finish a case, written out for the item at hand.

A specialist should not have to look up which command fits which kind, nor copy a PCN
from one screen into another: the case view lists each action that can finish the item
as the exact command line (the item's id, the candidate's or claim's PCN filled in), with
what it does.  Words the specialist must supply (a reason, a note) stay in capitals.
Only open items get actions; a closed one can only be undone (``queue undo``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from edi_posting.db.workflow import ReviewStatus
from edi_posting.money import format_cents
from edi_posting.queue.kinds import holds_money, holds_unapplied
from edi_posting.records.states import ReviewKind

__all__ = ["finishing_actions"]

_CLOSED = frozenset({ReviewStatus.RESOLVED, ReviewStatus.DISMISSED})
_CLOSABLE_AT_ZERO = frozenset({ReviewKind.UNMATCHED_PAYMENT, ReviewKind.AMBIGUOUS_MATCH})
_Action = tuple[str, str]


def finishing_actions(item: Any, case: dict[str, Any]) -> list[dict[str, str]]:
    """``{"command", "does"}`` per action that can finish the item, the likeliest first."""
    if item.status == ReviewStatus.RESOLVED:
        return [{"command": f"edi-posting queue undo {item.id} --reason WHY",
                 "does": "walk back the money action that resolved it, if one did"}]
    if item.status in _CLOSED:
        return []
    build = _BY_KIND.get(item.kind, _dismiss_only)
    actions = _held_cash(item, case) + build(item, case)
    if item.kind in _CLOSABLE_AT_ZERO and not item.amount_cents:
        actions.append((f"queue dismiss {item.id} --reason WHY", "close it: it holds no cash"))
    actions += [
        (f"queue escalate {item.id} --to lead --note WHY", "hand it to a lead, saying why")]
    return [{"command": f"edi-posting {command}", "does": does} for command, does in actions]


def _held_cash(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A denial or claim problem raised by a claim payment holds its cash in unapplied
    cash: applying it to the claim comes first."""
    if (item.kind not in (ReviewKind.DENIAL, ReviewKind.CLAIM_PROBLEM)
            or not holds_unapplied(item.kind, item.claim_payment_id) or not item.amount_cents):
        return []
    pcn = _claim_pcn(case)
    return [(f"queue apply {item.id} --claim {pcn}",
             f"apply the held {format_cents(item.amount_cents)} to {pcn}")]


def _claim_pcn(case: dict[str, Any]) -> str:
    return (case.get("claim") or {}).get("patient_control_number") or "PCN"


def _payment(item: Any, case: dict[str, Any]) -> list[_Action]:
    """Unmatched or ambiguous cash: onto a candidate (each by PCN), or matched again."""
    i, actions = item.id, list[_Action]()
    if case.get("duplicate"):
        pcn = _claim_pcn(case)
        credit = case["duplicate"]["credit_if_applied"]
        return [(f"queue apply {i} --claim {pcn} --confirm",
                 f"post its cash alone onto {pcn}, leaving a credit of {credit} to refund"),
                (f"queue rematch {i}", "match it again (after a correction arrived)"),
                _return(i)]
    for candidate in case.get("candidates", []):
        pcn = candidate["patient_control_number"]
        confirm = " --confirm" if candidate["already_paid"] else ""
        does = f"apply the payment to {pcn}"
        if candidate["already_paid"]:
            does += " (already paid: its cash alone, leaving a credit)"
        actions.append((f"queue apply {i} --claim {pcn}{confirm}", does))
    if not actions:
        actions.append((f"queue apply {i} --claim PCN", "apply the payment to the claim named"))
    actions.append((f"queue rematch {i}", "match it again (after a late 837 or a fixed member ID)"))
    actions.append(_return(i))
    return actions


def _return(item_id: int) -> _Action:
    """Cash that, after research, is not ours goes back to the payer that sent it."""
    return (f"queue return {item_id} --reason WHY --dry-run",
            "see what returning the cash to its payer would post (money that is not ours)")


def _denial(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    return [(f"queue write-off {i} --reason CODE --note WHY",
             "write the amount at risk off (within the write-off limit)"),
            (f"queue transfer {i} --to patient",
             "move what the patient owes (never a contractual amount)"),
            (f"queue transfer {i} --to payer --payer IDENT",
             "bill another payer (coordination of benefits)"),
            (f"queue note {i} 'resubmitted, appeal ref ...'",
             "record the resubmission or appeal; the item stays open")]


def _balancing(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    actions = [(f"queue post-as-sent {i} --reason WHY",
                "post the 835's own adjustments as sent, the difference left on the balance")]
    if item.claim_payment_id is not None:
        actions.append((f"queue apply {i} --claim {_claim_pcn(case)}",
                        "apply the held cash to the claim"))
    return actions


def _reversal(item: Any, case: dict[str, Any]) -> list[_Action]:
    i, pcn = item.id, _claim_pcn(case)
    waiting = [c for c in (case.get("reversal") or {}).get("corrections", []) if c["waiting"]]
    actions = [(f"queue link-correction {i} --claim-payment {c['claim_payment_id']}",
                f"link the correction of {c['paid']} (835 {c['trace_number']}) to {pcn}")
               for c in waiting]
    if item.kind == ReviewKind.ORPHAN_REVERSAL:
        actions.append((f"queue apply {i} --claim {pcn}",
                        f"take the reversal off {pcn}: its balance is owed again"))
    else:
        actions.append((f"queue write-off {i} --reason CODE --note WHY",
                        "write the reopened balance off"))
    actions.append((f"queue note {i} 'waiting for the payer, called ...'",
                    "wait for the correction with a note"))
    return actions


def _plb(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    claims = [c for c in (case.get("plb") or {}).get("claims", []) if c["claim_id"] is not None]
    actions = [(f"queue place-plb {i} --claim {c['patient_control_number']}",
                f"place it on {c['patient_control_number']} (its {c['matched_by']})")
               for c in claims]
    if not claims:
        actions.append((f"queue place-plb {i} --claim PCN --note WHY",
                        "place it on a claim its reference does not name"))
    actions.append((f"queue place-plb {i} --note WHY",
                    "keep it in provider adjustments, saying why"))
    return actions


def _credit(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    return [(f"queue refund {i} --reason WHY", "refund the credit (approval above the limit)"),
            (f"queue reapply {i} --claim PCN",
             "move it onto another open claim of the same account and side")]


def _awaiting(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A check received before its 835: the 835 claims it on import; by hand otherwise."""
    i = item.id
    return [("import REMIT.835", "its 835 (same payer, TRN02 = the check number) claims it"),
            (f"payment claim {i} --remittance ID --reason WHY --dry-run",
             "its 835 came under another number: have that remittance claim it"),
            (f"queue apply {i} --claim PCN", "apply it to a claim (its 835 will not come)"),
            _return(i)]


def _dismiss_only(item: Any, case: dict[str, Any]) -> list[_Action]:
    """Kinds no money action finishes: dismissed with a reason, unless they hold cash
    (an 835 claim problem's: applied first, see ``_held_cash``)."""
    if holds_money(item):
        return []
    return [(f"queue dismiss {item.id} --reason WHY", "close it (it holds no money)")]


_BY_KIND: dict[str, Callable[[Any, dict[str, Any]], list[_Action]]] = {
    ReviewKind.UNMATCHED_PAYMENT: _payment,
    ReviewKind.AMBIGUOUS_MATCH: _payment,
    ReviewKind.DENIAL: _denial,
    ReviewKind.BALANCING_FAILURE: _balancing,
    ReviewKind.ORPHAN_REVERSAL: _reversal,
    ReviewKind.AWAITING_CORRECTION: _reversal,
    ReviewKind.UNLINKED_PLB: _plb,
    ReviewKind.CREDIT_BALANCE: _credit,
    ReviewKind.AWAITING_REMITTANCE: _awaiting,
}
