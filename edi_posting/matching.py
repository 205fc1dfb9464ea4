"""Match stage: which billed claim (837) each claim payment (835 CLP loop) pays.

Consumes ``PaymentFacts`` (what one claim payment says about the claim it pays) and a
``ClaimLookup`` (the billed claims, as ``ClaimCandidate``); produces a ``ClaimMatch``: the
claim, the rule that found it, the ranked candidates with the fields that agreed and
disagreed, whether the match is safe to post, and the line-level matches
(``edi_posting.matching_lines``).  Pure: the database lookup is ``edi_posting.match_lookup``
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
   The weights are policy (module constants):

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

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from edi_posting.identity import normalize_pcn
from edi_posting.match_records import (
    ClaimCandidate,
    ClaimLookup,
    ClaimMatch,
    MatchField,
    MatchMethod,
    PaymentFacts,
    Period,
    ScoredCandidate,
)
from edi_posting.matching_lines import (
    CandidateLine,
    LineMatch,
    LineMatches,
    LineMatchMethod,
    LinePaymentFacts,
    match_lines,
)

__all__ = [
    "MATCHABLE_STATUSES",
    "CandidateLine",
    "ClaimCandidate",
    "ClaimLookup",
    "ClaimMatch",
    "LineMatch",
    "LineMatchMethod",
    "LineMatches",
    "LinePaymentFacts",
    "MatchField",
    "MatchMethod",
    "PaymentFacts",
    "ScoredCandidate",
    "match_claim",
    "match_claims",
    "match_lines",
]

WEIGHT_MEMBER_ID = 30
WEIGHT_LAST_NAME = 15
WEIGHT_FIRST_NAME = 10
WEIGHT_SERVICE_DATES = 20
WEIGHT_TOTAL_CHARGE = 15
WEIGHT_PAYER = 10
SAFE_FALLBACK_SCORE = 80
SAFE_FALLBACK_MARGIN = 15
MIN_TRUNCATED_PCN_LENGTH = 6

ACTIVE, HELD = "active", "held"
# replaced/voided: superseded by a later submission, which is the one to pay;
# void: the frequency-8 request itself, which bills nothing.
MATCHABLE_STATUSES = (ACTIVE, HELD)

_WEIGHTS = {
    MatchField.MEMBER_ID: WEIGHT_MEMBER_ID,
    MatchField.LAST_NAME: WEIGHT_LAST_NAME,
    MatchField.FIRST_NAME: WEIGHT_FIRST_NAME,
    MatchField.SERVICE_DATES: WEIGHT_SERVICE_DATES,
    MatchField.TOTAL_CHARGE: WEIGHT_TOTAL_CHARGE,
    MatchField.PAYER: WEIGHT_PAYER,
}
_REQUIRED_FOR_SAFE_FALLBACK = (MatchField.MEMBER_ID, MatchField.SERVICE_DATES)


# --- comparing fields -----------------------------------------------------------------


_NOT_PLAIN = re.compile(r"[^0-9A-Z]")


def _plain(text: str | None) -> str:
    """Names and ids compare without case, spaces or punctuation (O'NEIL = ONEIL)."""
    if not text:
        return ""
    upper = text.upper()
    if upper.isascii() and upper.isalnum():  # already plain: the common case, no regex
        return upper
    return _NOT_PLAIN.sub("", upper)


def _member_ids(payment: PaymentFacts) -> tuple[str, ...]:
    """The payment's member IDs, plain, without blanks or a repeat."""
    member, corrected = _plain(payment.member_id), _plain(payment.corrected_member_id)
    if not corrected or corrected == member:
        return (member,) if member else ()
    return (member, corrected) if member else (corrected,)


def _payment_period(payment: PaymentFacts) -> Period | None:
    """The statement period, else the span of the line dates."""
    if payment.statement_from is not None:
        return (payment.statement_from, payment.statement_to or payment.statement_from)
    return _span([d for line in payment.lines
                  for d in (line.service_date_from, line.service_date_to) if d])


def _candidate_period(claim: ClaimCandidate) -> Period | None:
    if claim.statement_from is not None:
        return (claim.statement_from, claim.statement_to or claim.statement_from)
    return _span([d for line in claim.lines
                  for d in (line.service_date_from, line.service_date_to) if d])


def _span(dates: list[dt.date]) -> Period | None:
    return (min(dates), max(dates)) if dates else None


def _compare(payment: PaymentFacts, claim: ClaimCandidate) -> dict[MatchField, bool | None]:
    """Each scored field: True agrees, False differs, None unknown on one side."""
    ours, theirs = _member_ids(payment), {_plain(m) for m in claim.member_ids} - {""}
    paid_period, billed_period = _payment_period(payment), _candidate_period(claim)
    return {
        MatchField.MEMBER_ID: not theirs.isdisjoint(ours) if ours and theirs else None,
        MatchField.LAST_NAME: _same(payment.patient_last_name, claim.patient_last_name),
        MatchField.FIRST_NAME: _same(payment.patient_first_name, claim.patient_first_name),
        MatchField.SERVICE_DATES: None if paid_period is None or billed_period is None else (
            paid_period[0] <= billed_period[1] and billed_period[0] <= paid_period[1]),
        MatchField.TOTAL_CHARGE: abs(payment.charge_cents) == claim.charge_cents,
        MatchField.PAYER: None if payment.payer_id is None or claim.payer_id is None else (
            payment.payer_id == claim.payer_id),
    }


def _same(ours: str | None, theirs: str | None) -> bool | None:
    a, b = _plain(ours), _plain(theirs)
    return (a == b) if a and b else None


def _score(
    payment: PaymentFacts, claim: ClaimCandidate, by: MatchField | None = None
) -> ScoredCandidate:
    """One pass over the compared fields (scoring runs for every claim payment)."""
    agreed: list[MatchField] = []
    disagreed: list[MatchField] = []
    reasons: list[str] = []
    if by is not None:
        agreed.append(by)
        reasons.append(f"{by} agrees")
    score = 0
    for field, ok in _compare(payment, claim).items():
        if ok:
            agreed.append(field)
            score += _WEIGHTS[field]
        elif ok is False:
            disagreed.append(field)
        reasons.append(_reason(field, ok, payment, claim))
    if claim.status != ACTIVE:
        reasons.append(_status_reason(claim.status))
    return ScoredCandidate(claim.claim_id, claim.status, score, tuple(agreed),
                           tuple(disagreed), tuple(reasons))


def _reason(field: MatchField, ok: bool | None, payment: PaymentFacts, claim: ClaimCandidate) -> str:
    """A sentence without names, ids or dates (PHI); charges are shown, they are not."""
    if ok is None:
        return f"{field} unknown on one side"
    if field is MatchField.TOTAL_CHARGE and not ok:
        return (f"total charge differs: paid claim {abs(payment.charge_cents)} cents, "
                f"billed {claim.charge_cents} cents")
    if field is MatchField.SERVICE_DATES:
        return "service dates overlap" if ok else "service dates do not overlap"
    return f"{field} {'agrees' if ok else 'differs'}"


def _status_reason(status: str) -> str:
    if status == HELD:
        return "claim is held at intake: its charge is not on the ledger"
    return f"claim is {status}: never matched"


def _ranked(scored: list[ScoredCandidate]) -> tuple[ScoredCandidate, ...]:
    return tuple(sorted(scored, key=lambda s: (-s.score, s.claim_id)))


# --- deciding ---------------------------------------------------------------------------


def match_claim(payment: PaymentFacts, lookup: ClaimLookup) -> ClaimMatch:
    """Find the claim a payment pays by PCN, truncated PCN, then scored fallback."""
    pcn = normalize_pcn(payment.patient_control_number)
    exact = [c for c in lookup.by_pcns([pcn]).get(pcn, []) if c.pcn_normalized == pcn] if pcn else []
    found = _decide_by_pcn(payment, exact, MatchField.PCN)
    if found is None and len(pcn) >= MIN_TRUNCATED_PCN_LENGTH:
        longer = [c for c in lookup.by_pcn_prefix(pcn)
                  if c.pcn_normalized.startswith(pcn) and len(c.pcn_normalized) > len(pcn)]
        found = _decide_by_pcn(payment, longer, MatchField.TRUNCATED_PCN)
    if found is None:
        found = _decide_fallback(payment, lookup)
    superseded = [c for c in exact if c.status not in MATCHABLE_STATUSES]
    if found.claim_id is None and superseded:  # evidence for the reviewer, never a match
        evidence = tuple(_score(payment, c, MatchField.PCN) for c in superseded)
        found = ClaimMatch(found.claim_id, found.method, found.candidates + evidence,
                           found.is_safe, found.reason)
    return found


def match_claims(payments: Sequence[PaymentFacts], lookup: ClaimLookup) -> list[ClaimMatch]:
    """Match the claim payments of one transaction set with a single PCN look-up and a
    single look-up for the PCNs that can only match truncated."""
    pcns = sorted({normalize_pcn(p.patient_control_number) for p in payments} - {""})
    found = lookup.by_pcns(pcns) if pcns else {}
    # exactly the PCNs for which match_claim will ask by_pcn_prefix: no matchable claim
    # carries them whole, and they are long enough to be trusted truncated
    prefixes = [p for p in pcns if len(p) >= MIN_TRUNCATED_PCN_LENGTH and not any(
        c.pcn_normalized == p and c.status in MATCHABLE_STATUSES for c in found.get(p, []))]
    by_prefix = lookup.by_pcn_prefixes(prefixes) if prefixes else {}
    prefetched = _PrefetchedLookup(found, frozenset(prefixes), by_prefix, lookup)
    return [match_claim(payment, prefetched) for payment in payments]


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
        self, member_ids: Sequence[str], last_name: str | None, dates: Period | None
    ) -> list[ClaimCandidate]:
        return self.inner.by_member_or_name(member_ids, last_name, dates)


def _decide_by_pcn(
    payment: PaymentFacts, claims: list[ClaimCandidate], by: MatchField
) -> ClaimMatch | None:
    """The PCN rules; None when no matchable claim carries the PCN (try the next rule)."""
    active = [c for c in claims if c.status == ACTIVE]
    pool = active or [c for c in claims if c.status == HELD]
    if not pool:
        return None
    if by is MatchField.PCN and len(pool) > 1:
        pool = _tell_apart(payment, pool)
    method = MatchMethod.PCN if by is MatchField.PCN else MatchMethod.TRUNCATED_PCN
    scored = _ranked([_score(payment, c, by) for c in pool])
    if len(pool) > 1:
        return ClaimMatch(None, MatchMethod.AMBIGUOUS, scored, False,
                          f"{len(pool)} {pool[0].status} claims share the {by}")
    return _matched(payment, pool[0], method, scored, f"{by} agrees")


def _tell_apart(payment: PaymentFacts, pool: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """Narrow same-PCN claims by total charge, then payer, while that leaves any."""
    for field in (MatchField.TOTAL_CHARGE, MatchField.PAYER):
        narrowed = [c for c in pool if _compare(payment, c)[field]]
        if narrowed:
            pool = narrowed
    return pool


def _matched(
    payment: PaymentFacts, claim: ClaimCandidate, method: MatchMethod,
    scored: tuple[ScoredCandidate, ...], reason: str,
) -> ClaimMatch:
    is_safe = claim.status == ACTIVE
    if not is_safe:
        reason += f"; {_status_reason(claim.status)}"
    period = None
    if payment.statement_from is not None:
        period = (payment.statement_from, payment.statement_to or payment.statement_from)
    lines = match_lines(payment.lines, claim.lines, claim_period=period)
    return ClaimMatch(claim.claim_id, method, scored, is_safe, reason, claim, lines)


def _decide_fallback(payment: PaymentFacts, lookup: ClaimLookup) -> ClaimMatch:
    member_ids, last_name = _member_ids(payment), (payment.patient_last_name or "").strip()
    if not member_ids and not last_name:
        return ClaimMatch(None, MatchMethod.NONE, (), False,
                          "PCN unknown and no member ID or name to search by")
    found = [c for c in lookup.by_member_or_name(member_ids, last_name or None,
                                                 _payment_period(payment))
             if c.status in MATCHABLE_STATUSES]
    if not found:
        return ClaimMatch(None, MatchMethod.NONE, (), False,
                          "PCN unknown and no claim by member ID or name")
    scored = _ranked([_score(payment, c) for c in found])
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
