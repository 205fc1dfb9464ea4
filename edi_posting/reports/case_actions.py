"""The commands that finish a case, written out for the item at hand.

A specialist should not have to look up which command fits which kind, nor copy a PCN
from one screen into another: the case view lists each action that can finish the item
as the exact command line (the item's id, the candidate's or claim's PCN filled in), with
what it does.  Words the specialist must supply (a reason, a note) stay in capitals.
Only open items get actions; a closed one can only be undone (``queue undo``).

Each action also carries how to rehearse it (the review function it runs, its choices
filled in) so that the case view can show what it would post
(:mod:`edi_posting.reports.case_previews`), or, when it needs a choice the view cannot
make (which claim, which payer), what it needs; an action that moves no money (a note, an
escalation) has neither.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Connection

from edi_posting.access.permissions import Principal
from edi_posting.db.workflow import ReviewStatus
from edi_posting.importing.units import envelope_rows
from edi_posting.money import format_cents
from edi_posting.queue.kinds import CLOSABLE_AT_ZERO, holds_money, holds_unapplied
from edi_posting.records.states import ReviewKind
from edi_posting.review import (
    accept_set,
    balances,
    deposits,
    money,
    plb_placement,
    post_as_sent,
    refunds,
    rematch,
    returns,
    undo,
)
from edi_posting.review.money import ActionResult
from edi_posting.review.reason_codes import ReasonCode

__all__ = ["FinishingAction", "Rehearsal", "finishing_actions"]

Rehearsal = Callable[[Connection, Principal], ActionResult]
"""The action as the review module runs it, every choice filled in (a rehearsal's words
for the reason or note the specialist will supply: ``WHY``)."""
_WHY = "WHY"
_NEEDS_CLAIM = "which claim: its PCN (--claim PCN)"
_NEEDS_CORRECTION = ("which correction: its claim payment id (queue show of the payment "
                     "waiting as unmatched_payment prints it)")


class FinishingAction(NamedTuple):
    """One command that can finish the item, what it does, and how to preview it: a
    ``Rehearsal``, a ``str`` saying which choice it needs first, or None (moves no money)."""

    command: str
    does: str
    preview: Rehearsal | str | None = None

_CLOSED = frozenset({ReviewStatus.RESOLVED, ReviewStatus.DISMISSED})
_Action = FinishingAction


def finishing_actions(item: Any, case: dict[str, Any], *,
                      money_acted: bool = True) -> list[FinishingAction]:
    """Each action that can finish the item, the likeliest first.  A resolved item offers
    its undo only when a money action of it (``money_acted``) posted an entry: one closed
    by an import (its correction came) has nothing to walk back."""
    i = item.id
    if item.status == ReviewStatus.RESOLVED and money_acted:
        return [_Action(f"edi-posting queue undo {i} --reason WHY",
                        "walk back the money action that resolved it, if one did",
                        lambda conn, who: undo.undo(conn, i, principal=who, reason=_WHY))]
    if item.status in _CLOSED:
        return []
    build = _BY_KIND.get(item.kind, _dismiss_only)
    actions = _held_cash(item, case) + build(item, case)
    dismissal = f"queue dismiss {i} --reason WHY"
    if (item.kind in CLOSABLE_AT_ZERO and not item.amount_cents
            and all(a.command != dismissal for a in actions)):
        actions.append(_Action(dismissal, "close it: it holds no cash"))
    actions += [_Action(f"queue escalate {i} --to lead --note WHY",
                        "hand it to a lead, saying why")]
    return [a._replace(command=f"edi-posting {a.command}") for a in actions]


def _apply(item_id: int, pcn: str | None, *, confirm: bool = False) -> Rehearsal | str:
    """``queue apply`` onto ``pcn`` (None: the claim is the specialist's choice)."""
    if pcn is None:
        return _NEEDS_CLAIM
    return lambda conn, who: money.apply_cash(conn, item_id, pcn, principal=who,
                                              confirm=confirm)


def _write_off(item_id: int) -> Rehearsal:
    """A write-off of all it can take; the reason code (any) does not change the entry."""
    return lambda conn, who: balances.write_off(conn, item_id, ReasonCode.OTHER,
                                                principal=who, note=_WHY)


def _held_cash(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A denial or claim problem raised by a claim payment holds its cash in unapplied
    cash: applying it to the claim comes first."""
    if (item.kind not in (ReviewKind.DENIAL, ReviewKind.CLAIM_PROBLEM)
            or not holds_unapplied(item.kind, item.claim_payment_id) or not item.amount_cents):
        return []
    pcn = _claim_pcn(case)
    return [_Action(f"queue apply {item.id} --claim {pcn or 'PCN'}",
                    f"apply the held {format_cents(item.amount_cents)} to {pcn or 'the claim'}",
                    _apply(item.id, pcn))]


def _claim_pcn(case: dict[str, Any]) -> str | None:
    pcn = (case.get("claim") or {}).get("patient_control_number")
    return str(pcn) if pcn else None


def _payment(item: Any, case: dict[str, Any]) -> list[_Action]:
    """Unmatched or ambiguous cash: onto a candidate (each by PCN), or matched again."""
    i, actions = item.id, list[_Action]()
    if case.get("duplicate"):
        pcn = _claim_pcn(case)
        credit = case["duplicate"]["credit_if_applied"]
        # rematch refuses a duplicate: its payer taking the cash back is what ends it
        return [_Action(f"queue apply {i} --claim {pcn or 'PCN'} --confirm",
                        f"post its cash alone onto {pcn or 'the claim'}, leaving a credit of "
                        f"{credit} to refund", _apply(i, pcn, confirm=True)),
                _Action(f"queue note {i} 'waiting for the payer to take it back, called ...'",
                        "leave it open: the payer's reversal or PLB WO of it resolves it"),
                _return(i)]
    for candidate in case.get("candidates", []):
        pcn, paid = candidate["patient_control_number"], bool(candidate["already_paid"])
        does = f"apply the payment to {pcn}"
        if paid:
            does += " (already paid: its cash alone, leaving a credit)"
        actions.append(_Action(f"queue apply {i} --claim {pcn}{' --confirm' if paid else ''}",
                               does, _apply(i, pcn, confirm=paid)))
    if not actions:
        actions.append(_Action(f"queue apply {i} --claim PCN",
                               "apply the payment to the claim named", _NEEDS_CLAIM))
    return actions + [_rematch(i), _return(i)]


def _rematch(item_id: int) -> _Action:
    def rehearsal(conn: Connection, who: Principal) -> ActionResult:
        [result] = rematch.rematch(conn, [item_id], principal=who)
        return result
    return _Action(f"queue rematch {item_id}",
                   "match it again (after a late 837 or a fixed member ID)", rehearsal)


def _return(item_id: int) -> _Action:
    """Cash that, after research, is not ours goes back to the payer that sent it."""
    return _Action(f"queue return {item_id} --reason WHY --dry-run",
                   "see what returning the cash to its payer would post (money that is not ours)",
                   lambda conn, who: returns.return_money(conn, item_id, _WHY, principal=who))


def _denial(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    return [_Action(f"queue write-off {i} --reason CODE --note WHY",
                    "write the amount at risk off (within the write-off limit)", _write_off(i)),
            _Action(f"queue transfer {i} --to patient",
                    "move what the patient owes (never a contractual amount)",
                    lambda conn, who: balances.transfer(conn, i, to="patient", principal=who)),
            _Action(f"queue transfer {i} --to payer --payer IDENT",
                    "bill another payer (coordination of benefits)",
                    "which payer: its identifier (--payer IDENT)"),
            _Action(f"queue note {i} 'resubmitted, appeal ref ...'",
                    "record the resubmission or appeal; the item stays open")]


def _balancing(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A claim that failed balancing: posted as sent, or its cash applied.  A held set
    (no claim payment) only has cash to apply, claim by claim."""
    i, pcn = item.id, _claim_pcn(case)
    if item.claim_payment_id is None:
        return [_Action(f"queue apply {i} --claim PCN",
                        "apply the held set's cash to its claims (--amount A per claim)",
                        _NEEDS_CLAIM)]
    actions = [_Action(f"queue post-as-sent {i} --reason WHY",
                       "post the 835's own adjustments as sent, the difference left on the "
                       "balance",
                       lambda conn, who: post_as_sent.post_as_sent(conn, i, _WHY, principal=who))]
    if item.amount_cents:  # applied already: only its adjustments are left (post-as-sent)
        actions.append(_Action(f"queue apply {i} --claim {pcn or 'PCN'}",
                               "apply the held cash to the claim", _apply(i, pcn)))
    return actions


def _link(item_id: int, correction: dict[str, Any], pcn: str | None) -> _Action:
    payment = int(correction["claim_payment_id"])
    return _Action(f"queue link-correction {item_id} --claim-payment {payment}",
                   f"link the correction of {correction['paid']} (835 "
                   f"{correction['trace_number']}) to {pcn or 'the claim'}",
                   lambda conn, who: rematch.link_correction(conn, item_id, payment,
                                                             principal=who))


def _reversal(item: Any, case: dict[str, Any]) -> list[_Action]:
    i, pcn = item.id, _claim_pcn(case)
    waiting = [c for c in (case.get("reversal") or {}).get("corrections", []) if c["waiting"]]
    actions = [_link(i, c, pcn) for c in waiting]
    if item.kind == ReviewKind.AWAITING_CORRECTION and not waiting:
        actions.append(_Action(f"queue link-correction {i} --claim-payment N",
                               "link a correction the payer sent under another payer claim "
                               "number", _NEEDS_CORRECTION))
    if item.kind == ReviewKind.ORPHAN_REVERSAL:
        if item.amount_cents:  # one of 0.00 reopens nothing: dismissed (below)
            actions.append(_Action(f"queue apply {i} --claim {pcn or 'PCN'}",
                                   f"take the reversal off {pcn or 'the claim'}: its balance "
                                   "is owed again", _apply(i, pcn)))
    else:  # a write-off or transfer settling the reopened balance closes the item
        actions.append(_Action(f"queue write-off {i} --reason CODE --note WHY",
                               "write the reopened balance off (the item closes when it is "
                               "settled)", _write_off(i)))
    actions.append(_Action(f"queue note {i} 'waiting for the payer, called ...'",
                           "wait for the correction with a note"))
    if not holds_money(item):
        actions.append(_Action(f"queue dismiss {i} --reason WHY",
                               "close it once no correction will come (it holds no cash)"))
    return actions


def _plb(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    claims = [c for c in (case.get("plb") or {}).get("claims", []) if c["claim_id"] is not None]
    actions = [_place(i, c) for c in claims]
    if not claims:
        actions.append(_Action(f"queue place-plb {i} --claim PCN --note WHY",
                               "place it on a claim its reference does not name", _NEEDS_CLAIM))
    actions.append(_Action(f"queue place-plb {i} --note WHY",
                           "keep it in provider adjustments, saying why",
                           lambda conn, who: plb_placement.place_plb(conn, i, principal=who,
                                                                     note=_WHY)))
    return actions


def _place(item_id: int, claim: dict[str, Any]) -> _Action:
    pcn = str(claim["patient_control_number"])
    return _Action(f"queue place-plb {item_id} --claim {pcn}",
                   f"place it on {pcn} (its {claim['matched_by']})",
                   lambda conn, who: plb_placement.place_plb(conn, item_id, principal=who,
                                                             pcn=pcn))


def _credit(item: Any, case: dict[str, Any]) -> list[_Action]:
    i = item.id
    return [_Action(f"queue refund {i} --reason WHY",
                    "refund the credit (approval above the limit)",
                    lambda conn, who: refunds.refund(conn, i, _WHY, principal=who)),
            _Action(f"queue reapply {i} --claim PCN",
                    "move it onto another open claim of the same account and side",
                    "which claim to move it onto: its PCN (--claim PCN)")]


def _awaiting(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A check received before its 835: the 835 claims it on import; by hand otherwise."""
    i = item.id
    return [_Action("import REMIT.835", "its 835 (same payer, TRN02 = the check number) claims it"),
            _Action(f"payment claim {i} --remittance ID --reason WHY --dry-run",
                    "its 835 came under another number: have that remittance claim it",
                    "which remittance: its id (remit list --payer ... prints it)"),
            _Action(f"queue apply {i} --claim PCN", "apply it to a claim (its 835 will not come)",
                    _NEEDS_CLAIM),
            _return(i)]


def _dismiss_only(item: Any, case: dict[str, Any]) -> list[_Action]:
    """Kinds no money action finishes: dismissed with a reason, unless they hold cash
    (an 835 claim problem's: applied first, see ``_held_cash``)."""
    if holds_money(item):
        return []
    return [_Action(f"queue dismiss {item.id} --reason WHY", "close it (it holds no money)")]


def _rejected(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A set validation rejected is posted from the archive after review (an admin's
    action); any rejected file may be closed once its corrected resend is in."""
    i, actions = item.id, list[_Action]()
    if item.problem_code == accept_set.ACCEPTABLE_PROBLEM:
        actions.append(_Action(
            f"queue accept-set {i} --reason WHY --dry-run",
            "post the set from the archived file after review (an admin: administer)",
            lambda conn, who: accept_set.accept_set(conn, i, _WHY, principal=who,
                                                    envelope_rows=envelope_rows)))
    return actions + _dismiss_only(item, case)


def _deposit(item: Any, case: dict[str, Any]) -> list[_Action]:
    """Deposit items: match with what lies near, ask for the ERA, receive, accept."""
    i, near = item.id, (case.get("deposit") or {}).get("near", [])[:3]
    if item.kind == ReviewKind.LONELY_DEPOSIT:
        return [*(_Action(f"deposits match {i} --remit {n['remittance_id']}",
                          f"it pays remittance {n['remittance_id']} (trace {n['trace']})",
                          _match(i, remittance_id=n["remittance_id"])) for n in near),
                _Action(f"deposits request-era {i} --note WHO --follow-up DATE",
                        "ask for its ERA"),
                _Action(f"deposits receive {i}", "take it in as a payment without remittance",
                        lambda conn, who: deposits.receive_deposit(conn, i, principal=who))]
    actions = [_Action(f"deposits match {i} --deposit {n['deposit_id']}",
                       f"deposit {n['deposit_id']} ({n['left']}) paid it",
                       _match(i, deposit_id=n["deposit_id"])) for n in near]
    if item.kind == ReviewKind.DEPOSIT_VARIANCE:
        return [_Action(f"deposits accept-variance {i} --reason WHY",
                        f"write the {format_cents(item.amount_cents)} short off",
                        lambda conn, who: deposits.accept_variance(conn, i, _WHY,
                                                                   principal=who)),
                *actions]
    return [*actions, _Action(f"deposits request-era {i} --note WHO --follow-up DATE",
                              "ask the payer or the bank where the money went"),
            _Action(f"queue dismiss {i} --reason WHY", "close it: the money is accounted for")]


def _match(item_id: int, *, remittance_id: int | None = None,
           deposit_id: int | None = None) -> Rehearsal:
    return lambda conn, who: deposits.match_deposit(
        conn, item_id, principal=who, remittance_id=remittance_id, deposit_id=deposit_id)


def _returned(item: Any, case: dict[str, Any]) -> list[_Action]:
    """A returned item: won back, or closed once its balance is worked on the claims."""
    i = item.id
    return [_Action(f"deposits chargeback-won {i}", "won back: re-post its cash and deposit",
                    lambda conn, who: deposits.chargeback_won(conn, i, principal=who)),
            *_dismiss_only(item, case)]


_BY_KIND: dict[str, Callable[[Any, dict[str, Any]], list[_Action]]] = {
    ReviewKind.RETURNED_ITEM: _returned,
    ReviewKind.LONELY_DEPOSIT: _deposit,
    ReviewKind.SILENT_ERA: _deposit,
    ReviewKind.DEPOSIT_VARIANCE: _deposit,
    ReviewKind.UNMATCHED_PAYMENT: _payment,
    ReviewKind.AMBIGUOUS_MATCH: _payment,
    ReviewKind.DENIAL: _denial,
    ReviewKind.BALANCING_FAILURE: _balancing,
    ReviewKind.ORPHAN_REVERSAL: _reversal,
    ReviewKind.AWAITING_CORRECTION: _reversal,
    ReviewKind.UNLINKED_PLB: _plb,
    ReviewKind.CREDIT_BALANCE: _credit,
    ReviewKind.REJECTED_FILE: _rejected,
    ReviewKind.AWAITING_REMITTANCE: _awaiting,
}
