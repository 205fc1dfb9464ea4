"""The post stage for 835s: one remittance (ST..SE) -> stored rows, journal entries and
review items, in the caller's single database transaction.

One pass, function by function (:func:`post_remittance` owns every step's result):

1. ``seen_before``: already imported (nothing to do) or a conflict (one item).
2. :func:`_prepare`: the payer (``find_payer``), every claim payment matched in one
   batched look-up (``match_claims``, then ``match_reversals_by_payer_claim_number``),
   the set's payer settled and each claim's (``settle_payers`` -> ``ClaimPayers``), the
   claims locked, the payer's CARC policy, the ids of every row reserved (``reserve_set``),
   the ``transaction_sets`` row and the payee: one frozen ``SetFrame``.
3. ``claim_pass.decide_claims``: each claim payment's ``ClaimFact`` and ``ClaimDecision``
   (``decisions.decide``; a payment of lines its payer adjudicated already is held:
   ``adjudicated``; reversals choose their originals: ``reversals``), carried with its
   record, match, payer and row ids in one frozen ``ClaimPass``.
4. ``store.store_remittance``: every row, one multi-row INSERT (COPY) per table.
5. :func:`_write_entries`: the journal entries (``claim_pass.pass_entries``, PLB), written
   in bulk; a reversal of a payment of this same set (a payer paid and reversed before the
   remittance went out) is built once the entries it negates are written.
6. :func:`_check_cash`: the entries move BPR02 through cash clearing, or the caller's
   transaction rolls back whole.
   Then a payer's check received before this remittance (same payer, same TRN02) is
   claimed (``payments.claims``): its cash was counted when it was received.
7. Follow-ups (``followups``): credit balances, recovered duplicates, corrections that
   close ``awaiting_correction`` items; then every review draft opens at once.

The intermediate types of one claim payment: ``ClaimPaymentRecord`` -> ``PaymentFacts`` ->
``ClaimMatch`` -> ``ClaimFact`` -> ``ClaimDecision`` -> ``ClaimPass``; out of it, row
tuples, ``EntryDraft`` and ``ReviewDraft``.  Nothing here is filled in later: each step
returns a new value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection

from edi_posting.archive.transaction_sets import SetContext, SetOutcome, record_set, seen_before
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.races import lock_claims
from edi_posting.keyed.checks import KEYED_VERSION
from edi_posting.ledger import journal as ledger
from edi_posting.matching.claims import match_claims
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.matching.records import ClaimMatch
from edi_posting.money import format_cents
from edi_posting.payments.claims import RemittanceCash, claim_received_payments
from edi_posting.posting.claim_pass import (
    ClaimPass,
    SetFrame,
    corrected_claims,
    decide_claims,
    pass_entries,
    reversed_original,
)
from edi_posting.posting.decisions import ReviewSpec
from edi_posting.posting.dry_run import posting_plan
from edi_posting.posting.entries import (
    EntryContext,
    PostingInvariantError,
    cash_of,
    reversible_entries,
    unapplied_entry,
)
from edi_posting.posting.facts import payment_facts
from edi_posting.posting.followups import (
    Touched,
    credit_reviews,
    follow_recovered_duplicates,
    resolve_corrections,
)
from edi_posting.posting.parties import (
    find_payee,
    find_payer,
    linked_claim_payers,
    settle_payers,
)
from edi_posting.posting.payment_identity import other_form, set_differences
from edi_posting.posting.plb import (
    interest_problem,
    link_provider_adjustments,
    needs_link,
    plb_entry,
    unlinked_review,
)
from edi_posting.posting.policy import load_policy
from edi_posting.posting.reversals import (
    mark_reversed,
    match_reversals_by_payer_claim_number,
)
from edi_posting.posting.store import (
    StoredClaim,
    reserve_set,
    store_provider_adjustments,
    store_remittance,
)
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.states import PostingState, ReviewKind, SetKind, SetStatus
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["HOLDING_SET_CODES", "post_remittance"]

# Set-level problems that hold the whole set (its money to unapplied cash).
HOLDING_SET_CODES = frozenset({ProblemCode.TRANSACTION_UNBALANCED, ProblemCode.FOREIGN_CURRENCY})
# what the summary counts as posted: claim payments whose entries went to their claim (a
# reversal still waiting for its correction has posted its negation, and is queued too)
_POSTED_STATES = frozenset({PostingState.POSTED, PostingState.REVERSAL,
                            PostingState.REVERSED_AWAITING_CORRECTION})
_Matched = tuple[ClaimPaymentRecord, ClaimMatch, int | None]  # with the claim's payer


def post_remittance(conn: Connection, ctx: SetContext, read: RemittanceSetRead,
                    key: str) -> SetOutcome:
    """Post one usable 835 set (the caller rejects FATAL ones) inside the caller's unit.
    A keyed paper EOB's check (its header's version ``KEYED_VERSION``) is the same records
    and takes the same path; only its transaction-set row (kind ``eob``) and descriptions
    say what it is."""
    kind = SetKind.KEYED_EOB if read.header.version == KEYED_VERSION else SetKind.REMITTANCE
    cause = _describe(read, kind)
    seen = seen_before(conn, ctx, key, read.content_sha256, len(read.claims),
                       cause, read.header.source,
                       legacy_sha256=read.legacy_sha256,
                       differences=lambda ts_id: set_differences(conn, ts_id, read))
    if seen is not None:
        return seen
    twin = other_form(conn, read, kind)
    if twin is not None:
        return _posted_in_other_form(conn, ctx, read, cause, twin)
    frame, matched, stored = _prepare(conn, ctx, read, key, kind)
    passes = decide_claims(conn, frame, matched, stored)
    store_remittance(conn, read, passes, frame.remittance_id, file_id=ctx.file_id,
                     ts_id=frame.ts_id, payer_id=frame.payer_id, payee_id=frame.payee_id,
                     status=frame.status)
    drafts, plb_reviews = _write_entries(conn, frame, passes)
    _check_cash(frame, drafts)
    claim_received_payments(conn, _received_cash(frame, cause), ctx.actor)
    mark_reversed(conn, [p.decision for p in passes])
    reviews = plb_reviews + _set_reviews(frame, passes)
    reviews += credit_reviews(conn, drafts, _touched_claims(frame, passes), actor=ctx.actor,
                              cause=cause)
    follow_recovered_duplicates(conn, drafts, [p.decision for p in passes], actor=ctx.actor,
                                cause=cause)
    resolve_corrections(conn, corrected_claims(passes), ctx.actor, read.header.source)
    queued = len(open_review_items(conn, reviews, ctx.actor))
    return _outcome(frame, passes, drafts, reviews, queued)


def _posted_in_other_form(conn: Connection, ctx: SetContext, read: RemittanceSetRead,
                          cause: str, twin_id: int) -> SetOutcome:
    """Nothing posts: one ``duplicate_conflict`` item says which set already posted the
    payment (a specialist compares the two forms and corrects what was keyed wrong)."""
    trace = read.header.trace.trace_number if read.header.trace else "?"
    message = (f"{cause}: the same payment (check/trace {trace}, "
               f"{format_cents(_signed_payment(read))}) was posted before in its other form "
               f"(transaction set {twin_id}); nothing posted")
    review = ReviewDraft(
        f"duplicate_conflict|ts:{twin_id}|sha:{read.content_sha256}",
        ReviewKind.DUPLICATE_CONFLICT, message, priority=2,
        problem_code=ProblemCode.DUPLICATE_CONFLICT, file_id=ctx.file_id,
        evidence={"transaction_set_id": twin_id, "content_sha256": read.content_sha256})
    queued = len(open_review_items(conn, [review], ctx.actor))
    problem = Problem(ProblemCode.DUPLICATE_CONFLICT, Severity.ERROR, message,
                      read.header.source)
    return SetOutcome("conflict", claims=len(read.claims), queued=queued, problems=[problem])


def _prepare(conn: Connection, ctx: SetContext, read: RemittanceSetRead, key: str,
             kind: SetKind) -> tuple[SetFrame, list[_Matched], tuple[StoredClaim, ...]]:
    """Everything the set's claim payments share, each one's match and payer (in file
    order), and the ids their rows will have."""
    found = find_payer(conn, read.header)
    lookup = DatabaseClaimLookup(conn)
    matches = match_claims([payment_facts(c, found) for c in read.claims], lookup)
    paired = match_reversals_by_payer_claim_number(
        conn, list(zip(read.claims, matches, strict=True)), lookup)
    payers = settle_payers(conn, read.header, found, [m for _, m in paired], ctx.actor)
    lock_claims(conn, (m.claim_id for _, m in paired if m.claim_id is not None))
    policy = load_policy(conn, payers.set_payer)
    stored = reserve_set(conn, read)
    held = any(p.code in HOLDING_SET_CODES for p in read.problems) or (
        read.end.totals.is_transaction_balanced is not True)
    ts_id = record_set(
        conn, ctx, kind=kind, control_number=read.header.transaction_set_control_number,
        implementation_reference=read.header.version or None, identity_key=key,
        content_sha256=read.content_sha256, segment_position=read.segment_position,
        segment_count=read.segment_count,
        status=SetStatus.HELD if held else SetStatus.POSTED)
    frame = SetFrame(read, ctx, ts_id, stored.remittance_id, payers.set_payer,
                     find_payee(conn, read.header), policy, held)
    return frame, [(c, m, payers.of(m)) for c, m in paired], stored.claims


def _received_cash(frame: SetFrame, cause: str) -> RemittanceCash:
    """What the set brought through cash clearing, for a check received before it to be
    claimed (``payments.claims``: cash counted once, not at the check and again here)."""
    read, payment = frame.read, frame.read.header.payment
    return RemittanceCash(
        frame.payer_id, read.header.trace.trace_number if read.header.trace else None,
        _signed_payment(read), frame.remittance_id, f"835:{frame.ts_id}",
        (payment.date if payment and payment.date else None) or dt.date.today(),
        frame.ctx.file_id, cause)


def _describe(read: RemittanceSetRead, kind: SetKind) -> str:
    trace = read.header.trace.trace_number if read.header.trace else "?"
    if kind is SetKind.KEYED_EOB:
        return f"keyed EOB check {trace} (row {read.segment_position})"
    return f"835 transaction set {read.header.transaction_set_control_number} (TRN02 {trace})"


def _signed_payment(read: RemittanceSetRead) -> int:
    p = read.header.payment
    if p is None:
        return 0
    return p.signed_cents


def _outcome(frame: SetFrame, passes: Sequence[ClaimPass], drafts: Sequence[ledger.EntryDraft],
             reviews: Sequence[ReviewDraft], queued: int) -> SetOutcome:
    read = frame.read
    outcome = SetOutcome(frame.status, claims=len(read.claims), posted=sum(
        1 for p in passes if p.decision.state in _POSTED_STATES), queued=queued)
    outcome.payment_cents = _signed_payment(read)
    outcome.unapplied_cents = -sum(p.amount_cents for d in drafts for p in d.lines
                                   if p.account == AccountCode.UNAPPLIED_CASH)
    outcome.problems.extend(p for c in read.claims for p in c.problems)
    outcome.problems.extend(read.problems)
    problem = interest_problem(read.claims, read.end.provider_adjustments, read.header.source)
    if problem is not None:
        outcome.problems.append(problem)
    if frame.ctx.dry_run:
        outcome.plan = posting_plan(passes, reviews, drafts)
    return outcome


def _write_entries(conn: Connection, frame: SetFrame, passes: Sequence[ClaimPass]
                   ) -> tuple[list[ledger.EntryDraft], list[ReviewDraft]]:
    """Build and write the set's entries (and the PLB's review drafts).  A reversal of a
    payment of this same set negates entries that exist only once written: it comes last,
    in a second write."""
    payment = frame.read.header.payment
    effective = (payment.date if payment and payment.date else None) or dt.date.today()
    ectx = EntryContext(f"835:{frame.ts_id}", effective, frame.remittance_id,
                        frame.ctx.file_id, frame.ctx.isa13)
    in_set = {p.claim_payment_id for p in passes}
    late = [p for p in passes if reversed_original(p) in in_set]
    next_payers: dict[tuple[str, str], int | None] = {}
    drafts = _held_entry(frame, ectx) + _pass_drafts(
        conn, frame, ectx, [p for p in passes if reversed_original(p) not in in_set],
        next_payers)
    plb_drafts, reviews = _plb_entries(conn, frame, ectx)
    drafts += plb_drafts
    ledger.write_entries(conn, drafts, frame.ctx.actor)
    if late:
        late_drafts = _pass_drafts(conn, frame, ectx, late, next_payers)
        ledger.write_entries(conn, late_drafts, frame.ctx.actor)
        drafts += late_drafts
    return drafts, reviews


def _pass_drafts(conn: Connection, frame: SetFrame, ectx: EntryContext,
                 passes: Sequence[ClaimPass], next_payers: dict[tuple[str, str], int | None],
                 ) -> list[ledger.EntryDraft]:
    """The entries of these claim payments, the originals their reversals negate read in
    one batch."""
    originals = reversible_entries(conn, [cp_id for cp_id in map(reversed_original, passes)
                                          if cp_id is not None])
    return [draft for p in passes
            for draft in pass_entries(conn, frame, ectx, p, originals, next_payers)]


def _held_entry(frame: SetFrame, ectx: EntryContext) -> list[ledger.EntryDraft]:
    """A held set's whole payment, to unapplied cash in one entry."""
    if not frame.held:
        return []
    held = unapplied_entry(ectx, "set", _signed_payment(frame.read), "remittance held: "
                           "transaction set does not balance", payer_id=frame.payer_id,
                           source=frame.read.header.source)
    return [held] if held else []


def _check_cash(frame: SetFrame, drafts: Sequence[ledger.EntryDraft]) -> None:
    """BPR02 = what the set's entries move through cash clearing (posted + unapplied +
    PLB net): a bug otherwise, and the caller's transaction rolls back."""
    read = frame.read
    if not frame.held and cash_of(drafts) != _signed_payment(read):
        raise PostingInvariantError(
            f"remittance {read.header.transaction_set_control_number}: entries move "
            f"{format_cents(cash_of(drafts))} through cash clearing, BPR02 says "
            f"{format_cents(_signed_payment(read))}")


def _plb_entries(conn: Connection, frame: SetFrame, ectx: EntryContext
                 ) -> tuple[list[ledger.EntryDraft], list[ReviewDraft]]:
    """The PLB rows (each linked to the claim it names), their entries and the items of
    those that name no claim although their reason needs one."""
    adjustments = frame.read.end.provider_adjustments
    if not adjustments:
        return [], []
    links = link_provider_adjustments(conn, adjustments)
    ids = store_provider_adjustments(conn, ectx.remittance_id, adjustments,
                                     [(ln.submitted_claim_id, ln.claim_payment_id) for ln in links],
                                     frame.ctx.file_id)
    drafts: list[ledger.EntryDraft] = []
    reviews: list[ReviewDraft] = []
    if frame.held:  # none of its money posted (BPR02 waits whole): no entry, no item
        return drafts, reviews
    payers = linked_claim_payers(conn, frame.payer_id, (ln.submitted_claim_id for ln in links))
    for n, (adjustment, link, plb_id) in enumerate(zip(adjustments, links, ids, strict=True), 1):
        if needs_link(adjustment) and not link.found:
            spec = unlinked_review(adjustment)
            reviews.append(_draft(frame, spec, f"{spec.kind}|plb:{plb_id}",
                                  adjustment.amount_cents))
        entry = plb_entry(adjustment, key=f"{ectx.key}|plb:{n}", effective=ectx.effective,
                          remittance_id=ectx.remittance_id, plb_id=plb_id, link=link,
                          payer_id=payers[link.submitted_claim_id],
                          source=ectx.source(adjustment.source))
        drafts += [entry] if entry else []
    return drafts, reviews


def _draft(frame: SetFrame, spec: ReviewSpec, key: str, amount: int,
           **ids: int | None) -> ReviewDraft:
    ids = {"payer_id": frame.payer_id, **ids}  # a claim's item: the payer of the claim's money
    return ReviewDraft(key, spec.kind, spec.message, amount_cents=amount, priority=spec.priority,
                       problem_code=spec.code, evidence=spec.evidence,
                       remittance_id=frame.remittance_id, file_id=frame.ctx.file_id, **ids)


def _set_reviews(frame: SetFrame, passes: Sequence[ClaimPass]) -> list[ReviewDraft]:
    """The set's own items (held, unknown payee), then each claim payment's."""
    read = frame.read
    reviews: list[ReviewDraft] = []
    if frame.held:
        problem = next((p for p in read.problems if p.severity is not Severity.WARNING), None)
        message = problem.message if problem else "transaction set does not balance"
        spec = ReviewSpec(ReviewKind.BALANCING_FAILURE, problem.code if problem else ProblemCode.TRANSACTION_UNBALANCED,
                          f"remittance {read.header.transaction_set_control_number} held: "
                          f"{message}", 1, {"problem": problem.to_dict() if problem else None})
        reviews.append(_draft(frame, spec, f"balancing_failure|ts:{frame.ts_id}",
                              _signed_payment(read)))
    payee = read.header.payee
    if frame.payee_id is None and payee is not None and payee.identifier:
        spec = ReviewSpec(ReviewKind.UNKNOWN_PAYEE, ProblemCode.UNKNOWN_PAYEE, f"payee {payee.name or ''} "
                          f"({payee.id_qualifier} {payee.identifier}) is no provider we know", 3,
                          {"qualifier": payee.id_qualifier, "identifier": payee.identifier})
        reviews.append(_draft(frame, spec, f"unknown_payee|{payee.id_qualifier}:"
                              f"{payee.identifier}", 0))
    for p in passes:
        claim = p.match.claim
        reviews += [_draft(frame, spec, f"{spec.kind}|cp:{p.claim_payment_id}",
                           p.record.paid_cents, claim_payment_id=p.claim_payment_id,
                           submitted_claim_id=p.match.claim_id, payer_id=p.payer_id,
                           patient_account_id=claim.patient_account_id if claim else None)
                    for spec in p.decision.reviews]
    return reviews


def _touched_claims(frame: SetFrame, passes: Sequence[ClaimPass]) -> dict[int, Touched]:
    """Submitted claim -> the claim payment that last moved its balance here."""
    return {p.match.claim.claim_id: Touched(
        p.claim_payment_id, p.record.patient_control_number, p.match.claim.patient_account_id,
        p.payer_id, frame.remittance_id, frame.ctx.file_id)
        for p in passes
        if p.decision.entry in (EntryKind.PAYMENT, EntryKind.REVERSAL) and p.match.claim is not None}
