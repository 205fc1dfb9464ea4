"""Reversals and the payments they take back: the stored originals a set's reversals
choose from, the reversals still awaiting their correction, and reversals matched by the
payment they reverse when their CLP01 finds no claim.

A payment whose PCN named no claim sits in unapplied cash until a specialist applies it
to the right claim; the payer, unaware, reverses it later under the same wrong PCN.  Its
CLP07 still names the payment we applied, and through it the claim: the reversal then
negates what was applied instead of becoming one more orphan for the queue.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, update

from edi_posting.db.base import table_of
from edi_posting.db.ledger import EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import ClaimPayment, ReviewItem, SubmittedClaim
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.matching.records import ClaimLookup, ClaimMatch
from edi_posting.posting.adjudicated import DUPLICATE_PAYMENT
from edi_posting.posting.decisions import (
    ClaimDecision,
    OriginalPayment,
    ReviewSpec,
)
from edi_posting.records.problems import ProblemCode
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.states import MatchMethod, PostingState, ReviewKind, SubmissionStatus

__all__ = ["awaiting_corrections", "mark_reversed", "match_reversals_by_payer_claim_number",
           "stored_originals"]

_CP, _CLAIM, _ITEM = table_of(ClaimPayment), table_of(SubmittedClaim), table_of(ReviewItem)


def match_reversals_by_payer_claim_number(
    conn: Connection, claims: Sequence[ClaimPaymentRecord], matches: Sequence[ClaimMatch],
    lookup: ClaimLookup,
) -> list[ClaimMatch]:
    """``matches`` with each unmatched reversal whose CLP07 names exactly one claim's
    payment matched to that claim (two queries per set, none when nothing is wanted)."""
    wanted = {i: c.payer_claim_control_number for i, (c, m) in enumerate(zip(claims, matches))
              if c.is_reversal and m.claim_id is None and c.payer_claim_control_number}
    if not wanted:
        return list(matches)
    paid: dict[str, set[int]] = defaultdict(set)
    for icn, claim_id in conn.execute(
        select(_CP.c.payer_claim_control_number, _CP.c.submitted_claim_id)
        .where(among(_CP.c.payer_claim_control_number, sorted(set(wanted.values()))),
               _CP.c.status_code != "22", _CP.c.submitted_claim_id.is_not(None))
    ):
        paid[icn].add(claim_id)
    claim_ids = sorted({next(iter(ids)) for ids in paid.values() if len(ids) == 1})
    if not claim_ids:
        return list(matches)
    pcns = dict(conn.execute(select(_CLAIM.c.id, _CLAIM.c.pcn_normalized)
                             .where(among(_CLAIM.c.id, claim_ids))).all())
    found = {c.claim_id: c for cs in lookup.by_pcns(sorted(set(pcns.values()))).values()
             for c in cs}
    result = list(matches)
    for i, icn in wanted.items():
        ids = paid.get(icn, set())
        claim = found.get(next(iter(ids))) if len(ids) == 1 else None
        if claim is None:
            continue
        result[i] = ClaimMatch(
            claim.claim_id, MatchMethod.PAYER_CLAIM_NUMBER, (), claim.status == SubmissionStatus.ACTIVE,
            f"CLP07 {icn} names a payment applied to claim {claim.pcn}", claim)
    return result


def stored_originals(conn: Connection, claims: Sequence[object], matches: Sequence[ClaimMatch]
                      ) -> dict[int, list[OriginalPayment]]:
    """For each claim a reversal of the set safely matched: its stored payments (batched),
    oldest first."""
    wanted = sorted({m.claim_id for c, m in zip(claims, matches)
                     if c.is_reversal and m.is_safe  # type: ignore[attr-defined]
                     and m.claim_id is not None})
    pools: dict[int, list[OriginalPayment]] = {claim_id: [] for claim_id in wanted}
    if not wanted:
        return pools
    rows = conn.execute(
        select(_CP.c.id, _CP.c.submitted_claim_id, _CP.c.payer_claim_control_number,
               _CP.c.charge_cents, _CP.c.paid_cents, _CP.c.posting_state)
        .where(among(_CP.c.submitted_claim_id, wanted), _CP.c.status_code != "22")
        .order_by(_CP.c.id)
    ).all()
    for row in rows:
        pools[row.submitted_claim_id].append(OriginalPayment(*row))
    for row in _held_duplicates(conn, wanted):
        pools[row.submitted_claim_id].append(OriginalPayment(*row))
        pools[row.submitted_claim_id].sort(key=lambda o: o.claim_payment_id)
    return pools


def _held_duplicates(conn: Connection, claim_ids: list[int]) -> list[Any]:
    """Payments of these claims import held as duplicates (not on the claim: their open
    item names it), which the payer may reverse: the reversal takes their cash back."""
    return list(conn.execute(
        select(_CP.c.id, _ITEM.c.submitted_claim_id, _CP.c.payer_claim_control_number,
               _CP.c.charge_cents, _CP.c.paid_cents, _CP.c.posting_state)
        .join(_ITEM, _ITEM.c.claim_payment_id == _CP.c.id)
        .where(among(_ITEM.c.submitted_claim_id, claim_ids), _ITEM.c.status.in_(OPEN_STATES),
               _ITEM.c.problem_code == DUPLICATE_PAYMENT,
               _CP.c.posting_state == PostingState.DUPLICATE)
        .order_by(_CP.c.id)))


def awaiting_corrections(claims: Sequence[object], matches: Sequence[ClaimMatch],
                          decisions: list[ClaimDecision]) -> list[ClaimDecision]:
    """A reversal with no correction (a later non-reversal of its claim) in this set."""
    out = list(decisions)
    for i, decision in enumerate(decisions):
        held = decision.original is not None and decision.original.posting_state == (
            PostingState.DUPLICATE)  # the payer took back a payment held as a duplicate: done
        if decision.state != PostingState.REVERSAL or held:
            continue
        claim_id = matches[i].claim_id
        corrected = any(matches[j].claim_id == claim_id and decisions[j].state in (
            PostingState.POSTED, PostingState.DENIED) for j in range(i + 1, len(decisions)))
        if not corrected:
            claim = claims[i]
            review = ReviewSpec(
                ReviewKind.AWAITING_CORRECTION, ProblemCode.AWAITING_CORRECTION,
                f"claim {claim.patient_control_number} reversed "  # type: ignore[attr-defined]
                "(CLP02 22); its correction has not arrived yet", 3)
            out[i] = ClaimDecision(PostingState.REVERSED_AWAITING_CORRECTION, EntryKind.REVERSAL,
                                   decision.reviews + (review,), decision.original)
    return out


def mark_reversed(conn: Connection, decisions: Sequence[ClaimDecision]) -> None:
    """The originals this set's reversals took back adjudicate (and hold) nothing now."""
    ids = [d.original.claim_payment_id for d in decisions if d.original is not None]
    if ids:
        conn.execute(update(_CP).where(among(_CP.c.id, ids)).values(posting_state=PostingState.REVERSED))
