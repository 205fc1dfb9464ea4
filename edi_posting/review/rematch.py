"""Money-moving review actions, part two: matching again, and pairing corrections.

``rematch`` runs the match stage (``edi_posting.matching.claims`` over the database look-up) on
an unmatched payment as stored, after someone fixed the data that kept it from matching
(a claim billed late, a member ID corrected).  A safe match now applies the payment as
import would have posted it (``apply_item`` re-runs the posting rules); otherwise the
item's evidence is refreshed with the new candidates and reasons, and it stays open.

``link-correction`` pairs an ``awaiting_correction`` item (a reversal posted, its
correction not recognised) with the claim payment that corrects it: one already posted to
the claim just closes the item; one still waiting in unapplied cash (the payer changed
the PCN) is applied to the reversed claim first.

Both run in the caller's transaction, item rows locked (see ``queue_money``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select

from edi_posting.access.permissions import Principal
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.models import ClaimPayment, ReviewItem, SubmittedClaim
from edi_posting.db.workflow import OPEN_STATES, ItemAction, ReviewStatus
from edi_posting.matching.claims import match_claim
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.matching.records import ClaimMatch
from edi_posting.posting.adjudicated import DUPLICATE_PAYMENT
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import PostingState, ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.lines import stored_payment_facts
from edi_posting.review.money import (
    MATCH_KINDS,
    ActionResult,
    apply_item,
    find_claim,
    locked_item,
)

__all__ = ["REMATCH_CODES", "SYSTEM_ACTOR", "Outcome", "link_correction", "rematch",
           "rematch_by_engine", "rematch_each", "rematchable_items"]

_ITEM, _CP, _CLAIM = table_of(ReviewItem), table_of(ClaimPayment), table_of(SubmittedClaim)
REMATCH_CODES = (ProblemCode.UNMATCHED_PAYMENT, ProblemCode.AMBIGUOUS_MATCH)
SYSTEM_ACTOR = "system"  # who acts when the engine itself resolves an item


def rematchable_items(conn: Connection) -> list[int]:
    """Open unmatched payments and ambiguous matches that matching could still place: all
    their cash still waiting (one applied in part is finished with ``apply``)."""
    return list(conn.execute(select(_ITEM.c.id).join(_CP, _CP.c.id == _ITEM.c.claim_payment_id)
                             .where(_ITEM.c.kind.in_(MATCH_KINDS),
                                    _ITEM.c.status.in_(OPEN_STATES),
                                    _ITEM.c.problem_code.in_(REMATCH_CODES),
                                    _ITEM.c.amount_cents == _CP.c.paid_cents)
                             .order_by(_ITEM.c.id)).scalars())


def _evidence(match: ClaimMatch) -> dict[str, Any]:
    """The same evidence shape import stores for an unsafe match."""
    return {"method": str(match.method), "reason": match.reason, "candidates": [
        {"claim_id": c.claim_id, "status": c.status, "score": c.score,
         "agreed": [str(f) for f in c.agreed], "disagreed": [str(f) for f in c.disagreed],
         "reasons": list(c.reasons)} for c in match.candidates]}


def _duplicate_refusal(conn: Connection, item: Any) -> str:
    """Why a held duplicate is not rematched, and what to do with it instead: it is matched
    already (to a claim its payer paid), so "not an unmatched claim payment" would mislead."""
    pcn = conn.execute(select(_CLAIM.c.patient_control_number).where(
        _CLAIM.c.id == item.submitted_claim_id)).scalar() if item.submitted_claim_id else None
    earlier = [str(p["claim_payment_id"]) for p in
               (item.evidence or {}).get("earlier_payments", [])]
    paid_in = (f"claim payment{'s' if len(earlier) > 1 else ''} {', '.join(earlier)}"
               if earlier else "an earlier claim payment")
    otherwise = (f"dismiss it with `queue dismiss {item.id} --reason TEXT`"
                 if not item.amount_cents else "leave it open until its payer takes the cash "
                 "back (its reversal or a PLB WO resolves it)")
    return (f"review item {item.id} holds a duplicate payment of claim {pcn or '?'} (its payer "
            f"paid these lines in {paid_in}): accept it with `queue accept-match {item.id} "
            f"--confirm` (cash only, a credit to refund) or {otherwise}")


def _rematch_one(conn: Connection, item: Any, actor: str, role: str | None,
                 cause: str | None = None) -> ActionResult:
    """``cause``: why the engine itself matched again (kept in the item's event)."""
    if item.kind in MATCH_KINDS and item.problem_code == DUPLICATE_PAYMENT:
        raise ActionError(_duplicate_refusal(conn, item))
    if (item.kind not in MATCH_KINDS or item.problem_code not in REMATCH_CODES
            or item.claim_payment_id is None):
        raise ActionError(f"review item {item.id} ({item.kind}) is not an unmatched claim "
                          "payment: nothing to match")
    paid = conn.execute(select(_CP.c.paid_cents).where(
        _CP.c.id == item.claim_payment_id)).scalar_one()
    if item.amount_cents != paid:
        raise ActionError(f"review item {item.id} was applied in part already: apply the "
                          "rest with `queue apply`")
    match = match_claim(stored_payment_facts(conn, item.claim_payment_id, item.payer_id),
                        DatabaseClaimLookup(conn))
    if match.is_safe and match.claim_id is not None:
        claim = find_claim(conn, claim_id=match.claim_id)
        return apply_item(conn, item, claim, None, actor=actor, role=role,
                          action=ItemAction.REMATCH,
                          note=f"matched by {match.method}: {match.reason}"
                               f"{f'; {cause}' if cause else ''}")
    text = f"still no safe match: {match.reason}"
    record_action(conn, item, actor=actor, role=role, action=ItemAction.REMATCH,
                  note=f"{text}; {cause}" if cause else text,
                  details={"method": str(match.method),
                           "candidates": [c.claim_id for c in match.candidates],
                           **({"cause": cause} if cause else {})},
                  values={"evidence": _evidence(match)})
    return ActionResult(item.id, ItemAction.REMATCH, item.status, f"review item {item.id}: {text}")


def rematch(conn: Connection, item_ids: list[int] | None, *,
            principal: Principal) -> list[ActionResult]:
    """Match the items again (``None``: every open unmatched payment), one result each.

    Items are taken one by one, each locked, so a rematch of everything can run while
    specialists work single items.
    """
    actor = principal.name
    results = []
    for item_id in item_ids if item_ids is not None else rematchable_items(conn):
        results.append(_rematch_one(conn, locked_item(conn, item_id), actor, principal.role))
    return results


@dataclass(frozen=True, slots=True)
class Outcome:
    """One item of a batch: what was done, or why it was refused (nothing of it posted)."""

    item_id: int
    result: ActionResult | None = None
    refused: str | None = None


def rematch_each(engine: Engine, item_ids: Sequence[int] | None, *,
                 principal: Principal) -> list[Outcome]:
    """``rematch`` item by item, each in its own transaction: an item refused (applied in
    part, needing --confirm...) is reported and never rolls back the items that matched."""
    with engine.connect() as conn:
        ids = list(item_ids) if item_ids is not None else rematchable_items(conn)
    outcomes = []
    for item_id in ids:
        try:
            with write_transaction(engine) as conn:
                [result] = rematch(conn, [item_id], principal=principal)
            outcomes.append(Outcome(item_id, result))
        except ActionError as exc:
            outcomes.append(Outcome(item_id, refused=str(exc)))
    return outcomes


def rematch_by_engine(conn: Connection, item_id: int, *, cause: str) -> ActionResult:
    """``rematch`` of one item by the engine itself, as actor ``system``.

    No permission check: nobody asked for it.  An import that brings the claim a payment
    was waiting for (a late 837) matches the payment again in the import's own transaction,
    whoever imports; ``cause`` says so in the item's event.
    """
    return _rematch_one(conn, locked_item(conn, item_id), SYSTEM_ACTOR, None, cause)


def link_correction(conn: Connection, item_id: int, claim_payment_id: int, *,
                    principal: Principal) -> ActionResult:
    """Close an ``awaiting_correction`` item with the claim payment that corrects it."""
    actor = principal.name
    item = locked_item(conn, item_id)
    if item.kind != ReviewKind.AWAITING_CORRECTION or item.submitted_claim_id is None:
        raise ActionError(f"review item {item_id} is {item.kind}: only a reversal awaiting "
                          "its correction can be linked to one")
    cp = conn.execute(select(_CP).where(_CP.c.id == claim_payment_id)).first()
    if cp is None:
        raise ActionError(f"no claim payment {claim_payment_id}")
    if cp.status_code == "22" or cp.id == item.claim_payment_id:
        raise ActionError(f"claim payment {cp.id} is a reversal, not a correction")
    claim = find_claim(conn, claim_id=item.submitted_claim_id)
    entry_ids: tuple[int, ...] = ()
    if cp.submitted_claim_id == claim.id and cp.posting_state in (PostingState.POSTED, PostingState.DENIED):
        how = f"claim payment {cp.id} ({cp.patient_control_number}) already posted to the claim"
    else:
        holder = _holder(conn, cp.id)
        applied = apply_item(conn, holder, claim, None, actor=actor, role=principal.role,
                             action=ItemAction.LINK_CORRECTION,
                             note=f"correction of the reversal in review item {item_id}")
        entry_ids = applied.entry_ids
        how = (f"claim payment {cp.id} ({cp.patient_control_number}) applied from review item "
               f"{holder.id}")
    text = f"corrected by {how}"
    record_action(conn, item, actor=actor, role=principal.role, action=ItemAction.LINK_CORRECTION,
                  to_status=ReviewStatus.RESOLVED, note=text, entry_id=entry_ids[0] if entry_ids else None,
                  details={"claim_payment_id": cp.id},
                  values={"amount_cents": 0})  # corrected, it owns nothing more
    return ActionResult(item_id, ItemAction.LINK_CORRECTION, ReviewStatus.RESOLVED,
                        f"review item {item_id}: {text}", entry_ids=entry_ids)


def _holder(conn: Connection, cp_id: int) -> Any:
    """The open item holding the correcting payment in unapplied cash, locked."""
    holder_id = conn.execute(select(_ITEM.c.id).where(
        _ITEM.c.claim_payment_id == cp_id, _ITEM.c.kind.in_(MATCH_KINDS),
        _ITEM.c.status.in_(OPEN_STATES)).order_by(_ITEM.c.id)).scalar()
    if holder_id is None:
        raise ActionError(f"claim payment {cp_id} is neither posted to this claim nor waiting "
                          "in unapplied cash: it cannot be linked as the correction")
    return locked_item(conn, holder_id)
