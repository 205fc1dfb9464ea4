"""Match stage: which billed claim (837) each claim payment (835 CLP loop) pays.

Consumes ``PaymentFacts`` (what one claim payment says about the claim it pays) and a
``ClaimLookup`` (the billed claims, as ``ClaimCandidate``); produces a ``ClaimMatch``: the
claim, the rule that found it, the ranked candidates with the fields that agreed and
disagreed, whether the match is safe to post, and the line-level matches
(``edi_posting.matching.lines``).  Pure: the database lookup is ``edi_posting.matching.lookup``
and tests use a fake; only a safe match is posted, everything else goes to review.

The rules, in order:

1. **PCN.**  CLP01, trimmed and upper-cased, equals a claim's CLM01 (same form).  Replaced,
   voided and void submissions are never matched.  Several submissions share a PCN: the
   active one wins over a held one; several active ones are told apart by total charge,
   then payer, else the result is AMBIGUOUS.  Split claims (same CLP01, other CLP07) are
   separate payments that simply match the same claim.
2. **Truncated PCN.**  Payers truncate CLM01: CLP01 of at least
   ``MIN_TRUNCATED_PCN_LENGTH`` characters that is a strict prefix of exactly one active
   claim's PCN matches it; of several, AMBIGUOUS (a charge tie-break is not trusted on a
   PCN that already lost characters).
3. **Fallback**, when the PCN names nothing: candidates by member ID or last name, scored.
   The weights are policy (constants of :mod:`edi_posting.matching.scores`, which scores):

   ==================  ======  ==============================================
   field               points  agrees when
   ==================  ======  ==============================================
   member ID           30      NM1*QC/IL or NM1*74 id is one of the claim's
   last name           15      equal, ignoring case, spaces and punctuation
   first name          10      same
   service dates       20      the payment's period overlaps the claim's
   total charge        15      CLP03 (by magnitude: reversals negate it) = CLM02
   payer               10      same payer
   ==================  ======  ==============================================

   A fallback is safe only when the best candidate scores at least
   ``SAFE_FALLBACK_SCORE`` (80 of 100), beats the runner-up by at least
   ``SAFE_FALLBACK_MARGIN`` (15) and agrees on member ID and service dates (a name alone
   never identifies a person; recurring visits share a charge, not a date).  Below the
   score: NONE; within the margin: AMBIGUOUS; both with the ranked candidates and reasons.

A held claim (intake found a problem; its charge is not on the ledger) can be matched but
the match is never safe: posting cash against it would invent a credit balance.  Scores
are also computed for PCN matches, as evidence for the reviewer; there they rank, the
rules decide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from edi_posting.matching.lines import (
    match_lines,
)
from edi_posting.matching.records import (
    ClaimCandidate,
    ClaimLookup,
    ClaimMatch,
    MatchField,
    PaymentFacts,
    Period,
    ScoredCandidate,
)
from edi_posting.matching.scores import (
    PaidView,
    charge_agrees,
    payer_agrees,
    ranked,
    score,
    status_reason,
)
from edi_posting.parties.identity import normalize_pcn
from edi_posting.records.states import MatchMethod, SubmissionStatus

__all__ = ["MATCHABLE_STATUSES", "SAFE_FALLBACK_MARGIN", "SAFE_FALLBACK_SCORE", "match_claim", "match_claims"]

SAFE_FALLBACK_SCORE = 80
SAFE_FALLBACK_MARGIN = 15
MIN_TRUNCATED_PCN_LENGTH = 6

# replaced/voided: superseded by a later submission, which is the one to pay;
# void: the frequency-8 request itself, which bills nothing.
MATCHABLE_STATUSES = (SubmissionStatus.ACTIVE, SubmissionStatus.HELD)

_REQUIRED_FOR_SAFE_FALLBACK = (MatchField.MEMBER_ID, MatchField.SERVICE_DATES)


# --- deciding ---------------------------------------------------------------------------


def match_claim(payment: PaymentFacts, lookup: ClaimLookup) -> ClaimMatch:
    """Find the claim a payment pays by PCN, truncated PCN, then scored fallback."""
    pcn = normalize_pcn(payment.patient_control_number)
    exact = lookup.by_pcns([pcn]).get(pcn, []) if pcn else []
    return _match(PaidView.of(payment), pcn, exact, lookup)


def _match(
    paid: PaidView, pcn: str, found: list[ClaimCandidate], lookup: ClaimLookup
) -> ClaimMatch:
    """``match_claim`` once the claims carrying the (normalized) PCN are known."""
    exact = [c for c in found if c.pcn_normalized == pcn]
    result = _decide_by_pcn(paid, exact, MatchField.PCN)
    if result is None and len(pcn) >= MIN_TRUNCATED_PCN_LENGTH:
        longer = [c for c in lookup.by_pcn_prefix(pcn)
                  if c.pcn_normalized.startswith(pcn) and len(c.pcn_normalized) > len(pcn)]
        result = _decide_by_pcn(paid, longer, MatchField.TRUNCATED_PCN)
    if result is None:
        result = _decide_fallback(paid, lookup)
    superseded = [c for c in exact if c.status not in MATCHABLE_STATUSES]
    if result.claim_id is None and superseded:  # evidence for the reviewer, never a match
        evidence = tuple(score(paid, c, MatchField.PCN) for c in superseded)
        result = ClaimMatch(result.claim_id, result.method, result.candidates + evidence,
                            result.is_safe, result.reason)
    return result


def match_claims(payments: Sequence[PaymentFacts], lookup: ClaimLookup) -> list[ClaimMatch]:
    """Match the claim payments of one transaction set with a single PCN look-up and a
    single look-up for the PCNs that can only match truncated."""
    keys = [normalize_pcn(p.patient_control_number) for p in payments]
    pcns = sorted(set(keys) - {""})
    found = lookup.by_pcns(pcns) if pcns else {}
    # exactly the PCNs for which match_claim will ask by_pcn_prefix: no matchable claim
    # carries them whole, and they are long enough to be trusted truncated
    prefixes = [p for p in pcns if len(p) >= MIN_TRUNCATED_PCN_LENGTH and not any(
        c.pcn_normalized == p and c.status in MATCHABLE_STATUSES for c in found.get(p, []))]
    by_prefix = lookup.by_pcn_prefixes(prefixes) if prefixes else {}
    prefetched = _PrefetchedLookup(found, frozenset(prefixes), by_prefix, lookup)
    matches = [_match(PaidView.of(payment), pcn, found.get(pcn, []) if pcn else [], prefetched)
               for payment, pcn in zip(payments, keys)]
    learnt = _learnt_payer(payments, matches)
    if learnt is None:
        return matches
    return [m if m.is_safe else _match(PaidView.of(replace(p, payer_id=learnt)), pcn,
                                       found.get(pcn, []) if pcn else [], prefetched)
            for p, pcn, m in zip(payments, keys, matches)]


def _learnt_payer(payments: Sequence[PaymentFacts], matches: Sequence[ClaimMatch]) -> int | None:
    """The payer of a set no identifier named (every payment's ``payer_id`` None), as the
    caller learns it: the payer most of its safely matched claims were billed to
    (``posting.parties.learn_payer``).  The set's unsafe matches are scored again with it,
    so their candidates score what ``queue rematch`` (which knows the payer by then) scores
    them: one score for the same candidate, whenever it is asked."""
    if any(p.payer_id is not None for p in payments):
        return None
    billed = Counter(m.claim.payer_id for m in matches
                     if m.is_safe and m.claim is not None and m.claim.payer_id)
    return int(billed.most_common(1)[0][0]) if billed else None


@dataclass(frozen=True, slots=True)
class _PrefetchedLookup:
    found: dict[str, list[ClaimCandidate]]
    prefixes: frozenset[str]  # asked already: absent from by_prefix means nothing found
    by_prefix: dict[str, list[ClaimCandidate]]
    inner: ClaimLookup

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        return {p: self.found[p] for p in pcns if p in self.found}

    def by_pcn_prefix(self, prefix: str) -> list[ClaimCandidate]:
        if prefix in self.prefixes:
            return self.by_prefix.get(prefix, [])
        return self.inner.by_pcn_prefix(prefix)

    def by_pcn_prefixes(self, prefixes: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        return {p: found for p in prefixes if (found := self.by_pcn_prefix(p))}

    def by_member_or_name(
        self, member_ids: Sequence[str], last_name: str | None, dates: Period | None,
        first_name: str | None = None,
    ) -> list[ClaimCandidate]:
        return self.inner.by_member_or_name(member_ids, last_name, dates, first_name)


def _decide_by_pcn(
    paid: PaidView, claims: list[ClaimCandidate], by: MatchField
) -> ClaimMatch | None:
    """The PCN rules; None when no matchable claim carries the PCN (try the next rule)."""
    active = [c for c in claims if c.status == SubmissionStatus.ACTIVE]
    pool = active or [c for c in claims if c.status == SubmissionStatus.HELD]
    if not pool:
        return None
    if by is MatchField.PCN and len(pool) > 1:
        pool = _tell_apart(paid, pool)
    method = MatchMethod.PCN if by is MatchField.PCN else MatchMethod.TRUNCATED_PCN
    scored = ranked([score(paid, c, by) for c in pool])
    if len(pool) > 1:
        return ClaimMatch(None, MatchMethod.AMBIGUOUS, scored, False,
                          f"{len(pool)} {pool[0].status} claims share the {by}")
    return _matched(paid.facts, pool[0], method, scored, f"{by} agrees")


def _tell_apart(paid: PaidView, pool: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """Narrow same-PCN claims by total charge, then payer, while that leaves any."""
    narrowed = [c for c in pool if charge_agrees(paid, c)]
    pool = narrowed or pool
    narrowed = [c for c in pool if payer_agrees(paid, c)]
    return narrowed or pool


def _matched(
    payment: PaymentFacts, claim: ClaimCandidate, method: MatchMethod,
    scored: tuple[ScoredCandidate, ...], reason: str,
) -> ClaimMatch:
    is_safe = claim.status == SubmissionStatus.ACTIVE
    if not is_safe:
        reason += f"; {status_reason(claim.status)}"
    period = None
    if payment.statement_from is not None:
        period = (payment.statement_from, payment.statement_to or payment.statement_from)
    lines = match_lines(payment.lines, claim.lines, claim_period=period)
    return ClaimMatch(claim.claim_id, method, scored, is_safe, reason, claim, lines)


def _decide_fallback(paid: PaidView, lookup: ClaimLookup) -> ClaimMatch:
    payment = paid.facts
    member_ids, last_name = paid.member_ids, (payment.patient_last_name or "").strip()
    if not member_ids and not last_name:
        return ClaimMatch(None, MatchMethod.NONE, (), False,
                          "PCN unknown and no member ID or name to search by")
    found = [c for c in lookup.by_member_or_name(member_ids, last_name or None, paid.period,
                                                 payment.patient_first_name)
             if c.status in MATCHABLE_STATUSES]
    if not found:
        return ClaimMatch(None, MatchMethod.NONE, (), False,
                          "PCN unknown and no claim by member ID or name")
    scored = ranked([score(paid, c) for c in found])
    best = scored[0]
    missing = [str(f) for f in _REQUIRED_FOR_SAFE_FALLBACK if f not in best.agreed]
    if best.score < SAFE_FALLBACK_SCORE or missing:
        why = f"best fallback candidate scores {best.score} (safe from {SAFE_FALLBACK_SCORE})"
        why += f", {' and '.join(missing)} not agreeing" if missing else ""
        return ClaimMatch(None, MatchMethod.NONE, scored, False, why)
    if len(scored) > 1 and best.score - scored[1].score < SAFE_FALLBACK_MARGIN:
        return ClaimMatch(None, MatchMethod.AMBIGUOUS, scored, False,
                          f"two fallback candidates score {best.score} and {scored[1].score}"
                          f" (a safe lead is {SAFE_FALLBACK_MARGIN})")
    claim = next(c for c in found if c.claim_id == best.claim_id)
    return _matched(payment, claim, MatchMethod.FALLBACK, scored,
                    f"fallback score {best.score} of 100")
