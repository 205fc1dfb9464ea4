"""The post stage for 835s: one remittance (ST..SE) -> stored rows, journal entries and
review items, in the caller's single database transaction.

Steps: identity (already imported / conflict) -> payer -> match every claim payment (one
batched look-up) -> the set's payer learnt, and each claim's (``remittance_parties``) ->
decide each (``remittance_decisions``; a payment of lines its payer adjudicated already is
held: ``remittance_adjudicated``) -> payee -> store the rows in bulk
(``remittance_store``) -> build entries (``remittance_entries``, ``provider_adjustments``)
-> write -> check that the remittance's cash equals BPR02 -> credit balances, corrections
that close ``awaiting_correction`` items -> review items.  The invariant check runs before
the caller commits: if it fails, the caller's transaction rolls back whole.

A reversal may take back a payment of the same set (a payer paid and reversed before the
remittance went out): its original is chosen among the stored payments of the claim and
the set's own earlier ones, and its entries, which negate entries of this set, are built
once those are written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from edi_posting.archive.transaction_sets import SetContext, SetOutcome, record_set, seen_before
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.races import lock_claims
from edi_posting.ledger import journal as ledger
from edi_posting.matching.claims import match_claims
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.matching.records import ClaimMatch
from edi_posting.money import format_cents
from edi_posting.posting.adjudicated import set_standing
from edi_posting.posting.decisions import (
    ClaimDecision,
    OriginalPayment,
    ReviewSpec,
    choose_original,
    decide,
)
from edi_posting.posting.dry_run import posting_plan
from edi_posting.posting.entries import (
    EntryContext,
    PostingInvariantError,
    cash_of,
    payment_entry,
    reversal_entries,
    reversible_entries,
    unapplied_entry,
)
from edi_posting.posting.facts import claim_fact, payment_facts
from edi_posting.posting.followups import (
    Touched,
    credit_reviews,
    follow_recovered_duplicates,
    resolve_corrections,
)
from edi_posting.posting.parties import (
    crossover_payer_id,
    find_payee,
    find_payer,
    linked_claim_payer,
    settle_payers,
)
from edi_posting.posting.payment_identity import set_differences
from edi_posting.posting.plb import (
    interest_problem,
    link_provider_adjustments,
    needs_link,
    plb_entry,
    unlinked_review,
)
from edi_posting.posting.policy import CarcPolicy, load_policy
from edi_posting.posting.reversals import (
    awaiting_corrections,
    mark_reversed,
    match_reversals_by_payer_claim_number,
    stored_originals,
)
from edi_posting.posting.rules import DEFAULT_CARC_POLICY, ClaimFact, Dims
from edi_posting.posting.store import (
    ClaimRowInfo,
    StoredSet,
    reserve_set,
    store_provider_adjustments,
    store_remittance,
)
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.problems import ProblemCode, Severity
from edi_posting.records.states import PostingState, ReviewKind, SetKind, SetStatus
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["HOLDING_SET_CODES", "post_remittance"]

# Set-level problems that hold the whole set (its money to unapplied cash).
HOLDING_SET_CODES = frozenset({ProblemCode.TRANSACTION_UNBALANCED, ProblemCode.FOREIGN_CURRENCY})
# what the summary counts as posted: claim payments whose entries went to their claim (a
# reversal still waiting for its correction has posted its negation, and is queued too)
_POSTED_STATES = frozenset({PostingState.POSTED, PostingState.REVERSAL,
                            PostingState.REVERSED_AWAITING_CORRECTION})


@dataclass
class _Set:
    """The working state of one remittance while it is posted."""

    read: RemittanceSetRead
    ctx: SetContext
    ts_id: int = 0
    payer_id: int | None = None
    claim_payers: list[int | None] = field(default_factory=list)  # each claim's payer
    policy: CarcPolicy = field(default_factory=lambda: CarcPolicy(DEFAULT_CARC_POLICY,
                                                                  frozenset()))
    matches: list[ClaimMatch] = field(default_factory=list)
    facts: list[ClaimFact] = field(default_factory=list)
    decisions: list[ClaimDecision] = field(default_factory=list)
    stored: StoredSet | None = None
    reviews: list[ReviewDraft] = field(default_factory=list)
    next_payers: dict[tuple[str, str], int | None] = field(default_factory=dict)
    ectx: EntryContext | None = None
    # reversals of this set's own payments: claim index -> the original claim payment
    deferred: dict[int, int] = field(default_factory=dict)

    @property
    def held(self) -> bool:
        return any(p.code in HOLDING_SET_CODES for p in self.read.problems) or (
            self.read.end.totals.is_transaction_balanced is not True)


def post_remittance(conn: Connection, ctx: SetContext, read: RemittanceSetRead,
                    key: str) -> SetOutcome:
    """Post one usable 835 set (the caller rejects FATAL ones) inside the caller's unit."""
    seen = seen_before(conn, ctx, key, read.content_sha256, len(read.claims),
                       f"835 {_describe(read)}", read.header.source,
                       legacy_sha256=read.legacy_sha256,
                       differences=lambda ts_id: set_differences(conn, ts_id, read))
    if seen is not None:
        return seen
    work = _Set(read, ctx)
    work.payer_id = find_payer(conn, read.header)
    facts = [payment_facts(c, work.payer_id) for c in read.claims]
    lookup = DatabaseClaimLookup(conn)
    work.matches = match_reversals_by_payer_claim_number(
        conn, read.claims, match_claims(facts, lookup), lookup)
    work.payer_id, work.claim_payers = settle_payers(conn, read.header, work.payer_id,
                                                     work.matches, ctx.actor)
    lock_claims(conn, (m.claim_id for m in work.matches if m.claim_id is not None))
    work.policy = load_policy(conn, work.payer_id)
    work.stored = reserve_set(conn, read)
    work.decisions = _decide_all(conn, work)
    status = SetStatus.HELD if work.held else SetStatus.POSTED
    work.ts_id = record_set(
        conn, ctx, kind=SetKind.REMITTANCE, control_number=read.header.transaction_set_control_number,
        implementation_reference=read.header.version or None, identity_key=key,
        content_sha256=read.content_sha256, segment_position=read.segment_position,
        segment_count=read.segment_count, status=status)
    payee_id = find_payee(conn, read.header)
    store_remittance(conn, read, _row_infos(work), work.stored, file_id=ctx.file_id,
                     ts_id=work.ts_id, payer_id=work.payer_id, payee_id=payee_id, status=status)
    drafts = _entries(conn, work)
    ledger.write_entries(conn, drafts, ctx.actor)
    if work.deferred:
        late = _in_set_reversals(conn, work)
        ledger.write_entries(conn, late, ctx.actor)
        drafts += late
    _check_cash(work, drafts)
    mark_reversed(conn, work.decisions)
    outcome = SetOutcome(status, claims=len(read.claims), posted=sum(
        1 for d in work.decisions if d.state in _POSTED_STATES))
    outcome.payment_cents = _signed_payment(read)
    outcome.unapplied_cents = -sum(p.amount_cents for d in drafts for p in d.lines
                                   if p.account == AccountCode.UNAPPLIED_CASH)
    _set_reviews(conn, work, payee_id)
    touched = _touched_claims(work)
    work.reviews += credit_reviews(conn, drafts, touched, actor=ctx.actor,
                                   cause=f"835 {_describe(read)}")
    follow_recovered_duplicates(conn, drafts, work.decisions, actor=ctx.actor,
                                cause=f"835 {_describe(read)}")
    resolve_corrections(conn, work.matches, work.decisions, ctx.actor, read.header.source)
    outcome.queued = len(open_review_items(conn, work.reviews, ctx.actor))
    outcome.problems.extend(p for c in read.claims for p in c.problems)
    outcome.problems.extend(read.problems)
    problem = interest_problem(read.claims, read.end.provider_adjustments, read.header.source)
    if problem is not None:
        outcome.problems.append(problem)
    if ctx.dry_run:
        assert work.stored is not None
        outcome.plan = posting_plan(work.read.claims, work.decisions, work.stored.claims,
                                    work.reviews, drafts)
    return outcome


def _describe(read: RemittanceSetRead) -> str:
    trace = read.header.trace.trace_number if read.header.trace else "?"
    return f"transaction set {read.header.transaction_set_control_number} (TRN02 {trace})"


def _signed_payment(read: RemittanceSetRead) -> int:
    p = read.header.payment
    if p is None:
        return 0
    return p.signed_cents


def _decide_all(conn: Connection, work: _Set) -> list[ClaimDecision]:
    """Each claim's fact (with the ids its rows will have) and decision, in one pass.  A
    payment decided here joins the pool of originals its claim's later reversals draw on."""
    claims, matches, stored = work.read.claims, work.matches, work.stored
    assert stored is not None
    pools = stored_originals(conn, claims, matches)
    standing = set_standing(conn, work.read, matches, work.payer_id)
    used: set[int] = set()
    held = work.held
    decisions = []
    for claim, match, ids in zip(claims, matches, stored.claims):
        lines = match.lines
        fact = claim_fact(claim, claim_cas_ids=ids.claim_cas_ids, line_cas_ids=ids.line_cas_ids,
                          line_ids=ids.line_ids, submitted_line_ids=[
                              lines.line_id_for(j) if lines else None
                              for j in range(1, len(claim.service_lines) + 1)])
        work.facts.append(fact)
        pool = pools.get(match.claim_id) if match.is_safe else None  # type: ignore[arg-type]
        original = None
        if claim.is_reversal and pool is not None:
            original = choose_original(claim, [o for o in pool if o.claim_payment_id not in used])
            if original[0] is not None:
                used.add(original[0].claim_payment_id)
                standing.drop(original[0].claim_payment_id)
        decision = standing.hold_duplicate(claim, match, fact, decide(
            claim, fact, match, set_held=held, original=original,
            never_auto_post=work.policy.never_auto_post, zero_pay=work.policy.zero_pay),
            ids.claim_payment_id)
        decisions.append(decision)
        if pool is not None and not claim.is_reversal and decision.state in (PostingState.POSTED, PostingState.DENIED):
            pool.append(OriginalPayment(ids.claim_payment_id, match.claim_id,
                                        claim.payer_claim_control_number, claim.charge_cents,
                                        claim.paid_cents, decision.state))
    return awaiting_corrections(claims, matches, decisions)


def _row_infos(work: _Set) -> list[ClaimRowInfo]:
    """What each claim payment row adds to the parsed claim.  The billed line of each paid
    line was found once, by ``_decide_all``, and is read back from its fact."""
    infos = []
    for fact, match, decision in zip(work.facts, work.matches, work.decisions, strict=True):
        line_ids = tuple([line.submitted_line_id for line in fact.lines])
        method = str(match.method) if match.claim_id is not None else None
        on_claim = match.is_safe and decision.state != PostingState.DUPLICATE  # held: not on it yet
        infos.append(ClaimRowInfo(match.claim_id if on_claim else None, method,
                                  decision.state, line_ids))
    return infos


def _entries(conn: Connection, work: _Set) -> list[ledger.EntryDraft]:
    read, ctx, stored = work.read, work.ctx, work.stored
    assert stored is not None
    payment = read.header.payment
    effective = (payment.date if payment and payment.date else None) or dt.date.today()
    ectx = EntryContext(f"835:{work.ts_id}", effective, stored.remittance_id, ctx.file_id,
                        ctx.isa13)
    drafts: list[ledger.EntryDraft] = []
    if work.held:
        held = unapplied_entry(ectx, "set", _signed_payment(read), "remittance held: "
                               "transaction set does not balance", payer_id=work.payer_id,
                               source=read.header.source)
        drafts += [held] if held else []
    in_set = {ids.claim_payment_id for ids in stored.claims}
    reversing = {i: d.original.claim_payment_id for i, d in enumerate(work.decisions)
                 if d.entry == EntryKind.REVERSAL and d.original is not None}
    work.ectx = ectx
    work.deferred = {i: cp_id for i, cp_id in reversing.items() if cp_id in in_set}
    originals = reversible_entries(conn, (cp_id for cp_id in reversing.values()
                                          if cp_id not in in_set))
    for i, decision in enumerate(work.decisions):
        if i not in work.deferred:
            drafts += _claim_entries(conn, work, ectx, i, decision, originals)
    drafts += _plb_entries(conn, work, ectx)
    return drafts


def _in_set_reversals(conn: Connection, work: _Set) -> list[ledger.EntryDraft]:
    """The entries of reversals whose originals this set has just written."""
    assert work.ectx is not None
    originals = reversible_entries(conn, work.deferred.values())
    return [draft for i in work.deferred for draft in _claim_entries(
        conn, work, work.ectx, i, work.decisions[i], originals)]


def _check_cash(work: _Set, drafts: Sequence[ledger.EntryDraft]) -> None:
    """BPR02 = what the set's entries move through cash clearing (posted + unapplied +
    PLB net): a bug otherwise, and the caller's transaction rolls back."""
    read = work.read
    if not work.held and cash_of(drafts) != _signed_payment(read):
        raise PostingInvariantError(
            f"remittance {read.header.transaction_set_control_number}: entries move "
            f"{format_cents(cash_of(drafts))} through cash clearing, BPR02 says "
            f"{format_cents(_signed_payment(read))}")


def _claim_entries(conn: Connection, work: _Set, ectx: EntryContext, i: int,
                   decision: ClaimDecision, originals: dict[int, list[ledger.StoredEntry]],
                   ) -> list[ledger.EntryDraft]:
    claim, match = work.read.claims[i], work.matches[i]
    stored = work.stored.claims[i]  # type: ignore[union-attr]
    claim_id = match.claim_id if match.is_safe and decision.state != PostingState.DUPLICATE else None
    if decision.entry == EntryKind.UNAPPLIED:
        entry = unapplied_entry(ectx, f"cp:{i + 1}", claim.paid_cents,
                                f"claim payment {claim.patient_control_number}: {decision.state}",
                                claim_payment_id=stored.claim_payment_id,
                                submitted_claim_id=claim_id, payer_id=work.claim_payers[i],
                                source=claim.source)
        return [entry] if entry else []
    if decision.entry == EntryKind.REVERSAL and decision.original is not None:
        return reversal_entries(ectx, i + 1, claim, stored.claim_payment_id,
                                originals.get(decision.original.claim_payment_id, []))
    if decision.entry != EntryKind.PAYMENT or match.claim is None:
        return []
    fact = work.facts[i]
    crossover = crossover_payer_id(conn, claim, work.next_payers) if fact.has_next_payer else None
    dims = Dims(work.claim_payers[i] or match.claim.payer_id, match.claim.patient_account_id,
                match.claim.claim_id, crossover)
    entry = payment_entry(ectx, i + 1, claim, stored.claim_payment_id, fact, dims,
                          work.policy.accounts)
    return [entry] if entry else []


def _plb_entries(conn: Connection, work: _Set, ectx: EntryContext) -> list[ledger.EntryDraft]:
    adjustments = work.read.end.provider_adjustments
    if not adjustments:
        return []
    links = link_provider_adjustments(conn, adjustments)
    ids = store_provider_adjustments(conn, ectx.remittance_id, adjustments,
                                     [(ln.submitted_claim_id, ln.claim_payment_id) for ln in links],
                                     work.ctx.file_id)
    drafts = []
    for n, (adjustment, link, plb_id) in enumerate(zip(adjustments, links, ids), 1):
        if work.held:  # none of its money posted (BPR02 waits whole): no entry, no item
            continue
        if needs_link(adjustment) and not link.found:
            spec = unlinked_review(adjustment)
            work.reviews.append(_draft(work, spec, f"{spec.kind}|plb:{plb_id}",
                                       adjustment.amount_cents))
        payer_id = linked_claim_payer(conn, work.payer_id, link.submitted_claim_id)
        entry = plb_entry(adjustment, key=f"{ectx.key}|plb:{n}", effective=ectx.effective,
                          remittance_id=ectx.remittance_id, plb_id=plb_id, link=link,
                          payer_id=payer_id, source=ectx.source(adjustment.source))
        drafts += [entry] if entry else []
    return drafts


def _draft(work: _Set, spec: ReviewSpec, key: str, amount: int, **ids: int | None) -> ReviewDraft:
    ids = {"payer_id": work.payer_id, **ids}  # a claim's item: the payer of the claim's money
    return ReviewDraft(key, spec.kind, spec.message, amount_cents=amount, priority=spec.priority,
                       problem_code=spec.code, evidence=spec.evidence,
                       remittance_id=work.stored.remittance_id if work.stored else None,
                       file_id=work.ctx.file_id, **ids)


def _set_reviews(conn: Connection, work: _Set, payee_id: int | None) -> None:
    read, stored = work.read, work.stored
    assert stored is not None
    if work.held:
        problem = next((p for p in read.problems if p.severity is not Severity.WARNING), None)
        message = problem.message if problem else "transaction set does not balance"
        spec = ReviewSpec(ReviewKind.BALANCING_FAILURE, problem.code if problem else ProblemCode.TRANSACTION_UNBALANCED,
                          f"remittance {read.header.transaction_set_control_number} held: "
                          f"{message}", 1, {"problem": problem.to_dict() if problem else None})
        work.reviews.append(_draft(work, spec, f"balancing_failure|ts:{work.ts_id}",
                                   _signed_payment(read)))
    payee = read.header.payee
    if payee_id is None and payee is not None and payee.identifier:
        spec = ReviewSpec(ReviewKind.UNKNOWN_PAYEE, ProblemCode.UNKNOWN_PAYEE, f"payee {payee.name or ''} "
                          f"({payee.id_qualifier} {payee.identifier}) is no provider we know", 3,
                          {"qualifier": payee.id_qualifier, "identifier": payee.identifier})
        work.reviews.append(_draft(work, spec, f"unknown_payee|{payee.id_qualifier}:"
                                   f"{payee.identifier}", 0))
    for i, (claim, match, decision) in enumerate(zip(read.claims, work.matches, work.decisions)):
        cp_id = stored.claims[i].claim_payment_id
        for spec in decision.reviews:
            work.reviews.append(_draft(
                work, spec, f"{spec.kind}|cp:{cp_id}", claim.paid_cents, claim_payment_id=cp_id,
                submitted_claim_id=match.claim_id, payer_id=work.claim_payers[i],
                patient_account_id=match.claim.patient_account_id if match.claim else None))


def _touched_claims(work: _Set) -> dict[int, Touched]:
    """Submitted claim -> the claim payment that last moved its balance here."""
    assert work.stored is not None
    touched: dict[int, Touched] = {}
    for i, (claim, match, decision) in enumerate(zip(work.read.claims, work.matches,
                                                     work.decisions)):
        if decision.entry in (EntryKind.PAYMENT, EntryKind.REVERSAL) and match.claim is not None:
            touched[match.claim.claim_id] = Touched(
                work.stored.claims[i].claim_payment_id, claim.patient_control_number,
                match.claim.patient_account_id, work.claim_payers[i], work.stored.remittance_id,
                work.ctx.file_id)
    return touched
