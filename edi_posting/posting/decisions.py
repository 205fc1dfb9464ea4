"""Decide stage for 835 claim payments: post, hold, reverse, record or deny.

Pure: from the parsed claim, its match and (for a reversal) the original it names, one
:class:`ClaimDecision` saying which journal entry the claim payment gets (if any), the
state it is stored in, and the review items it raises.  The rules, in order:

1. The transaction set is held (FATAL problem or transaction balancing failed): every claim
   is stored ``held``; the set's money goes to unapplied cash in one entry.
2. The claim has an ERROR problem (service or claim balancing, an unreadable amount): held,
   its CLP04 to unapplied cash, a ``balancing_failure`` (or ``claim_problem``) item.
3. 23 and 25: ``recorded``, never posted as payment (money sent with them is unapplied).
4. A reversal (22): the exact negation of its original's entries; without a known,
   not yet reversed original it is an ``orphan_reversal`` held in unapplied cash.  Without
   a correction in the same set it raises ``awaiting_correction``.
5. No safe match: unapplied cash and ``unmatched_payment`` / ``ambiguous_match``.
6. Denied (4, or any other status paying $0 with nothing for the patient, unless the
   payer's policy marks every CARC on it contractual on zero pay): nothing posts, a
   ``denial`` item with group, CARC and RARC per line.
7. Paid and forwarded: a ``payment`` entry by the posting rules; but a payment of lines
   its payer adjudicated already is held as a ``duplicate`` (``remittance_adjudicated``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from edi_posting.db.ledger import EntryKind
from edi_posting.matching.records import ClaimMatch
from edi_posting.money import format_cents
from edi_posting.posting.rules import NO_ZERO_PAY, ClaimFact, Disposition, classify
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.states import MatchMethod, PostingState, ReviewKind

__all__ = [
    "BALANCING_CODES", "ClaimDecision", "OriginalPayment", "ReviewSpec",
    "choose_original", "decide",
]

BALANCING_CODES = frozenset({ProblemCode.SERVICE_UNBALANCED, ProblemCode.CLAIM_UNBALANCED})
# a payment of lines its payer adjudicated already, held in unapplied cash
# (``remittance_adjudicated``); the payer may still reverse it
_REVERSIBLE_STATES = (PostingState.POSTED, PostingState.DENIED, PostingState.APPLIED,
                      PostingState.DUPLICATE)


@dataclass(frozen=True, slots=True)
class ReviewSpec:
    kind: ReviewKind
    code: ProblemCode
    message: str
    priority: int = 3
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OriginalPayment:
    """An earlier claim payment a reversal may negate (as stored)."""

    claim_payment_id: int
    submitted_claim_id: int | None
    payer_claim_control_number: str | None
    charge_cents: int
    paid_cents: int
    posting_state: PostingState


@dataclass(frozen=True, slots=True)
class ClaimDecision:
    state: PostingState
    entry: EntryKind | None  # PAYMENT, UNAPPLIED, REVERSAL or None
    reviews: tuple[ReviewSpec, ...] = ()
    original: OriginalPayment | None = None


def choose_original(claim: ClaimPaymentRecord, candidates: list[OriginalPayment]
                    ) -> tuple[OriginalPayment | None, str]:
    """The earlier payment this reversal negates: same ICN (when sent) and negated amounts."""
    fits = [c for c in candidates
            if c.charge_cents == -claim.charge_cents and c.paid_cents == -claim.paid_cents
            and (not claim.payer_claim_control_number or not c.payer_claim_control_number
                 or c.payer_claim_control_number == claim.payer_claim_control_number)]
    open_ = [c for c in fits if c.posting_state in _REVERSIBLE_STATES]
    if open_:
        return open_[-1], ""
    if fits:
        return None, "its original payment was reversed already"
    if candidates:
        return None, ("no earlier payment of this claim has the negated amounts "
                      f"(CLP03 {format_cents(-claim.charge_cents)}, "
                      f"CLP04 {format_cents(-claim.paid_cents)})")
    return None, "no earlier payment of this claim was received"


def _claim_errors(claim: ClaimPaymentRecord) -> list[Problem]:
    return [p for p in claim.problems if p.severity is not Severity.WARNING]


def _problem_review(claim: ClaimPaymentRecord, problems: list[Problem]) -> ReviewSpec:
    first = next((p for p in problems if p.code in BALANCING_CODES), problems[0])
    kind = (ReviewKind.BALANCING_FAILURE if first.code in BALANCING_CODES
            else ReviewKind.CLAIM_PROBLEM)
    return ReviewSpec(kind, first.code, f"claim {claim.patient_control_number} held: "
                      f"{first.message}", 2, {"problems": [p.to_dict() for p in problems]})


def _unsafe_review(claim: ClaimPaymentRecord, match: ClaimMatch) -> ReviewSpec:
    candidates = [{"claim_id": c.claim_id, "status": c.status, "score": c.score,
                   "agreed": [str(f) for f in c.agreed],
                   "disagreed": [str(f) for f in c.disagreed], "reasons": list(c.reasons)}
                  for c in match.candidates]
    ambiguous = match.method is MatchMethod.AMBIGUOUS or match.claim_id is not None
    kind = ReviewKind.AMBIGUOUS_MATCH if ambiguous else ReviewKind.UNMATCHED_PAYMENT
    code = ProblemCode.AMBIGUOUS_MATCH if ambiguous else ProblemCode.UNMATCHED_PAYMENT
    return ReviewSpec(kind, code, f"claim payment {claim.patient_control_number} "
                      f"({format_cents(claim.paid_cents)}) not posted: {match.reason}", 2,
                      {"method": str(match.method), "reason": match.reason,
                       "candidates": candidates})


def _denial_review(claim: ClaimPaymentRecord) -> ReviewSpec:
    lines = []
    for i, line in enumerate(claim.service_lines, 1):
        lines.append({
            "line": i, "procedure": line.procedure.code,
            "adjustments": [{"group": a.group_code, "carc": a.reason_code,
                             "amount": format_cents(a.amount_cents)} for a in line.adjustments],
            "rarcs": [r.code for r in line.remark_codes],
        })
    claim_rarcs = list(claim.outpatient.remark_codes) if claim.outpatient else []
    claim_rarcs += list(claim.inpatient.remark_codes) if claim.inpatient else []
    carcs = sorted({f"{a.group_code}-{a.reason_code}" for a in claim.adjustments}
                   | {f"{a.group_code}-{a.reason_code}" for ln in claim.service_lines
                      for a in ln.adjustments})
    return ReviewSpec(ReviewKind.DENIAL, ProblemCode.DENIAL,
                      f"claim {claim.patient_control_number} denied "
                      f"(CLP02 {claim.status_code}; {', '.join(carcs) or 'no CARC'})", 3,
                      {"status_code": claim.status_code, "claim_adjustments": [
                          {"group": a.group_code, "carc": a.reason_code,
                           "amount": format_cents(a.amount_cents)} for a in claim.adjustments],
                       "claim_rarcs": claim_rarcs, "lines": lines})


def _hold(review: ReviewSpec, claim: ClaimPaymentRecord, state: PostingState = PostingState.HELD
          ) -> ClaimDecision:
    return ClaimDecision(state, EntryKind.UNAPPLIED if claim.paid_cents else None, (review,))


def decide(claim: ClaimPaymentRecord, fact: ClaimFact, match: ClaimMatch | None, *,
           set_held: bool, original: tuple[OriginalPayment | None, str] | None = None,
           never_auto_post: frozenset[str] = frozenset(),
           zero_pay: Mapping[tuple[str, str], bool] = NO_ZERO_PAY) -> ClaimDecision:
    """What to do with one claim payment (see the module docstring for the order);
    ``never_auto_post`` and ``zero_pay`` come from the payer's :class:`CarcPolicy`."""
    if set_held:
        return ClaimDecision(PostingState.HELD, None)
    errors = _claim_errors(claim)
    if errors:
        return _hold(_problem_review(claim, errors), claim)
    disposition = classify(fact, zero_pay)
    if disposition is Disposition.RECORD_ONLY:
        if not claim.paid_cents:
            return ClaimDecision(PostingState.RECORDED, None)
        return _hold(ReviewSpec(ReviewKind.UNMATCHED_PAYMENT, ProblemCode.PAYMENT_ON_RECORD_ONLY,
                                f"claim "
                                f"{claim.patient_control_number} (CLP02 {claim.status_code}) "
                                "carries a payment; it is never posted as one", 2), claim)
    if disposition is Disposition.REVERSAL:
        return _decide_reversal(claim, match, original)
    if match is None or not match.is_safe:
        assert match is not None
        return _hold(_unsafe_review(claim, match), claim, PostingState.UNMATCHED)
    # most payers set no never-auto-post CARC: then there is no CAS to gather
    blocked = sorted({a.reason_code for a in _all_cas(claim)} & never_auto_post
                     ) if never_auto_post else []
    if disposition is Disposition.DENIED or blocked:
        review = _denial_review(claim)
        if disposition is Disposition.DENIED and claim.status_code != "4":
            review = ReviewSpec(review.kind, ProblemCode.ZERO_PAY_DENIAL,
                                review.message + "; paid 0.00 "
                                "with nothing for the patient, and the payer's policy does "
                                "not mark every CARC on it contractual on zero pay", 3, review.evidence)
        if blocked:
            review = ReviewSpec(review.kind, ProblemCode.NEVER_AUTO_POST,
                                review.message + "; payer "
                                f"policy: CARC {', '.join(blocked)} never auto-posts", 2,
                                review.evidence)
        return ClaimDecision(PostingState.DENIED,
                             EntryKind.UNAPPLIED if claim.paid_cents else None, (review,))
    return ClaimDecision(PostingState.POSTED, EntryKind.PAYMENT)


def _all_cas(claim: ClaimPaymentRecord) -> list[Any]:
    return list(claim.adjustments) + [a for ln in claim.service_lines for a in ln.adjustments]


def _decide_reversal(claim: ClaimPaymentRecord, match: ClaimMatch | None,
                     original: tuple[OriginalPayment | None, str] | None) -> ClaimDecision:
    found, why = original or (None, "")
    if match is None or not match.is_safe:
        why = f"the claim it reverses is not known ({match.reason if match else 'no match'})"
    elif found is None:
        why = why or "no earlier payment of this claim was received"
    if found is None or match is None or not match.is_safe:
        return _hold(ReviewSpec(ReviewKind.ORPHAN_REVERSAL, ProblemCode.ORPHAN_REVERSAL,
                                f"reversal of claim "
                                f"{claim.patient_control_number} "
                                f"({format_cents(claim.paid_cents)}) held: {why}", 2,
                                {"reason": why}), claim)
    return ClaimDecision(PostingState.REVERSAL, EntryKind.REVERSAL, (), found)
