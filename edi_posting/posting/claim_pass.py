"""One claim payment on its way through the post stage, carried whole in one frozen record.

A claim payment of a set passes these types, and only these:

``ClaimPaymentRecord`` (parsed CLP loop) -> ``PaymentFacts`` (what matching compares) ->
``ClaimMatch`` (the billed claim, found in one batch per set) -> ``ClaimFact`` (the posting
rules' view, naming the ids its rows will have, from ``StoredClaim``) -> ``ClaimDecision``
-> :class:`ClaimPass`, which carries the record, its match, its payer, its row ids, its
fact and its decision together, so no later step pairs lists by position.  From a
``ClaimPass`` the store builds row tuples, :func:`pass_entries` the journal entries and the
set's review drafts their ``ReviewDraft``.  What every claim of the set shares (the set's
payer, policy, ids and whether it is held) is the :class:`SetFrame`, built once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from edi_posting.archive.transaction_sets import SetContext
from edi_posting.db.ledger import EntryKind
from edi_posting.ledger import journal as ledger
from edi_posting.matching.records import ClaimMatch
from edi_posting.posting.adjudicated import set_standing
from edi_posting.posting.decisions import (
    ClaimDecision,
    OriginalPayment,
    ReviewSpec,
    choose_original,
    decide,
)
from edi_posting.posting.entries import (
    EntryContext,
    payment_entry,
    reversal_entries,
    unapplied_entry,
)
from edi_posting.posting.facts import claim_fact
from edi_posting.posting.parties import crossover_payer_id
from edi_posting.posting.policy import CarcPolicy
from edi_posting.posting.reversals import stored_originals
from edi_posting.posting.rules import ClaimFact, Dims
from edi_posting.posting.store import StoredClaim
from edi_posting.records.problems import ProblemCode
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.states import PostingState, ReviewKind, SetStatus
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["ClaimPass", "SetFrame", "decide_claims", "pass_entries"]

# a reversal's correction: a later payment (or denial) of the same claim in the set
_CORRECTING = (PostingState.POSTED, PostingState.DENIED)


@dataclass(frozen=True, slots=True)
class SetFrame:
    """What every claim payment of one remittance shares, known before any is decided."""

    read: RemittanceSetRead
    ctx: SetContext
    ts_id: int
    remittance_id: int
    payer_id: int | None
    payee_id: int | None
    policy: CarcPolicy
    held: bool  # a FATAL problem or transaction balancing failed: nothing posts

    @property
    def status(self) -> SetStatus:
        return SetStatus.HELD if self.held else SetStatus.POSTED


@dataclass(frozen=True, slots=True)
class ClaimPass:
    """One claim payment with everything the post stage learnt about it."""

    ordinal: int  # 1-based, in file order: the ``cp:N`` of its entry keys
    record: ClaimPaymentRecord
    match: ClaimMatch
    payer_id: int | None  # the payer whose receivable its money moves
    ids: StoredClaim  # the ids its rows are stored under
    fact: ClaimFact
    decision: ClaimDecision

    @property
    def claim_payment_id(self) -> int:
        return self.ids.claim_payment_id

    @property
    def on_claim_id(self) -> int | None:
        """The claim its row and entries name: a safe match, unless held as a duplicate
        (then its open item names the claim, the money is not on it yet)."""
        if self.match.is_safe and self.decision.state != PostingState.DUPLICATE:
            return self.match.claim_id
        return None

    @property
    def match_method(self) -> str | None:
        return str(self.match.method) if self.match.claim_id is not None else None

    @property
    def posting_state(self) -> str:
        return self.decision.state

    @property
    def submitted_line_ids(self) -> tuple[int | None, ...]:
        """The billed line of each paid line, found once when its fact was built."""
        return tuple([line.submitted_line_id for line in self.fact.lines])


def decide_claims(conn: Connection, frame: SetFrame,
                  matched: Sequence[tuple[ClaimPaymentRecord, ClaimMatch, int | None]],
                  stored: Sequence[StoredClaim]) -> tuple[ClaimPass, ...]:
    """Each claim payment's fact and decision, in file order.  A payment decided here joins
    the pool of originals its claim's later reversals draw on, and stands (for the
    duplicate rule) for the set's later payments of its claim."""
    reversed_claims = [m.claim_id for c, m, _ in matched
                       if c.is_reversal and m.is_safe and m.claim_id is not None]
    paid_claims = {m.claim_id for c, m, _ in matched
                   if not c.is_reversal and m.is_safe and m.claim_id is not None}
    pools = stored_originals(conn, reversed_claims)
    standing = set_standing(conn, frame.read, paid_claims, frame.payer_id)
    used: set[int] = set()
    passes = []
    for ordinal, ((claim, match, payer_id), ids) in enumerate(zip(matched, stored,
                                                                  strict=True), 1):
        fact = _fact(claim, match, ids)
        pool = pools.get(match.claim_id) if match.is_safe and match.claim_id else None
        original = None
        if claim.is_reversal and pool is not None:
            original = choose_original(claim, [o for o in pool if o.claim_payment_id not in used])
            if original[0] is not None:
                used.add(original[0].claim_payment_id)
                standing.drop(original[0].claim_payment_id)
        decision = standing.hold_duplicate(claim, match, fact, decide(
            claim, fact, match, set_held=frame.held, original=original,
            never_auto_post=frame.policy.never_auto_post, zero_pay=frame.policy.zero_pay),
            ids.claim_payment_id)
        passes.append(ClaimPass(ordinal, claim, match, payer_id, ids, fact, decision))
        if pool is not None and not claim.is_reversal and decision.state in _CORRECTING:
            pool.append(OriginalPayment(ids.claim_payment_id, match.claim_id,
                                        claim.payer_claim_control_number, claim.charge_cents,
                                        claim.paid_cents, decision.state))
    return _awaiting_corrections(passes)


def _fact(claim: ClaimPaymentRecord, match: ClaimMatch, ids: StoredClaim) -> ClaimFact:
    lines = match.lines
    return claim_fact(claim, claim_cas_ids=ids.claim_cas_ids, line_cas_ids=ids.line_cas_ids,
                      line_ids=ids.line_ids, submitted_line_ids=[
                          lines.line_id_for(j) if lines else None
                          for j in range(1, len(claim.service_lines) + 1)])


def _awaiting_corrections(passes: list[ClaimPass]) -> tuple[ClaimPass, ...]:
    """A reversal with no correction (a later payment or denial of its claim) in this set
    waits for it: ``awaiting_correction``.  A reversal of a payment held as a duplicate
    does not (the payer took back a payment that never posted: done)."""
    out = list(passes)
    for i, p in enumerate(passes):
        decision = p.decision
        took_duplicate = decision.original is not None and (
            decision.original.posting_state == PostingState.DUPLICATE)
        if decision.state != PostingState.REVERSAL or took_duplicate:
            continue
        if any(later.match.claim_id == p.match.claim_id and later.decision.state in _CORRECTING
               for later in passes[i + 1:]):
            continue
        review = ReviewSpec(ReviewKind.AWAITING_CORRECTION, ProblemCode.AWAITING_CORRECTION,
                            f"claim {p.record.patient_control_number} reversed (CLP02 22); "
                            "its correction has not arrived yet", 3)
        out[i] = replace(p, decision=ClaimDecision(
            PostingState.REVERSED_AWAITING_CORRECTION, EntryKind.REVERSAL,
            decision.reviews + (review,), decision.original))
    return tuple(out)


def reversed_original(p: ClaimPass) -> int | None:
    """The claim payment this pass's reversal entry negates, if it reverses one."""
    original = p.decision.original
    return original.claim_payment_id if p.decision.entry == EntryKind.REVERSAL and original else None


def pass_entries(conn: Connection, frame: SetFrame, ectx: EntryContext, p: ClaimPass,
                 originals: Mapping[int, list[ledger.StoredEntry]],
                 next_payers: dict[tuple[str, str], int | None]) -> list[ledger.EntryDraft]:
    """The journal entries of one decided claim payment (``next_payers``: the set's
    crossover payers, looked up once each)."""
    claim, decision, match = p.record, p.decision, p.match
    if decision.entry == EntryKind.UNAPPLIED:
        entry = unapplied_entry(ectx, f"cp:{p.ordinal}", claim.paid_cents,
                                f"claim payment {claim.patient_control_number}: {decision.state}",
                                claim_payment_id=p.claim_payment_id,
                                submitted_claim_id=p.on_claim_id, payer_id=p.payer_id,
                                source=claim.source)
        return [entry] if entry else []
    original = reversed_original(p)
    if original is not None:
        return reversal_entries(ectx, p.ordinal, claim, p.claim_payment_id,
                                originals.get(original, []))
    if decision.entry != EntryKind.PAYMENT or match.claim is None:
        return []
    crossover = (crossover_payer_id(conn, claim, next_payers) if p.fact.has_next_payer
                 else None)
    dims = Dims(p.payer_id or match.claim.payer_id, match.claim.patient_account_id,
                match.claim.claim_id, crossover)
    entry = payment_entry(ectx, p.ordinal, claim, p.claim_payment_id, p.fact, dims,
                          frame.policy.accounts)
    return [entry] if entry else []


def corrected_claims(passes: Iterable[ClaimPass]) -> list[int]:
    """The claims this set paid or denied again: their reversals' corrections."""
    return sorted({p.match.claim_id for p in passes
                   if p.match.claim_id is not None and p.decision.state in _CORRECTING})
