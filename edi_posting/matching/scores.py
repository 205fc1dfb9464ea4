"""Match stage, scoring: how far one claim payment and one billed claim agree.

Consumes a ``PaymentFacts`` and ``ClaimCandidate`` records; produces ``ScoredCandidate``
records (the points, the fields that agreed and disagreed, one sentence per field) that
:mod:`edi_posting.matching.claims` ranks and decides on.  The weights and the fields are the
module docstring of :mod:`edi_posting.matching.claims`.

Scoring runs for every claim payment (as evidence for the reviewer even when the PCN
decides) and, in the fallback, against up to ``FALLBACK_LIMIT`` candidates per payment.
So the payment's side is normalized once (``PaidView``), and the sentences that carry no
amount are built once at import.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from edi_posting.matching.records import (
    ClaimCandidate,
    MatchField,
    PaymentFacts,
    Period,
    ScoredCandidate,
)
from edi_posting.names import plain
from edi_posting.records.states import SubmissionStatus

__all__ = [
    "WEIGHTS",
    "WEIGHT_FIRST_NAME",
    "WEIGHT_LAST_NAME",
    "WEIGHT_MEMBER_ID",
    "WEIGHT_PAYER",
    "WEIGHT_SERVICE_DATES",
    "WEIGHT_TOTAL_CHARGE",
    "PaidView",
    "charge_agrees",
    "payer_agrees",
    "ranked",
    "score",
    "status_reason",
]


WEIGHT_MEMBER_ID = 30
WEIGHT_LAST_NAME = 15
WEIGHT_FIRST_NAME = 10
WEIGHT_SERVICE_DATES = 20
WEIGHT_TOTAL_CHARGE = 15
WEIGHT_PAYER = 10

WEIGHTS = {
    MatchField.MEMBER_ID: WEIGHT_MEMBER_ID,
    MatchField.LAST_NAME: WEIGHT_LAST_NAME,
    MatchField.FIRST_NAME: WEIGHT_FIRST_NAME,
    MatchField.SERVICE_DATES: WEIGHT_SERVICE_DATES,
    MatchField.TOTAL_CHARGE: WEIGHT_TOTAL_CHARGE,
    MatchField.PAYER: WEIGHT_PAYER,
}
# the order in which fields are compared, and so of ``agreed``, ``disagreed``, ``reasons``
_FIELDS = tuple(WEIGHTS)


class _Dated(Protocol):
    """A paid or a billed service line, as far as its dates go."""

    @property
    def service_date_from(self) -> dt.date | None: ...

    @property
    def service_date_to(self) -> dt.date | None: ...


def _period(
    statement_from: dt.date | None, statement_to: dt.date | None, lines: Sequence[_Dated]
) -> Period | None:
    """The statement period, else the span of the line dates (paid or billed lines)."""
    if statement_from is not None:
        return (statement_from, statement_to or statement_from)
    dates = [d for line in lines for d in (line.service_date_from, line.service_date_to) if d]
    return (min(dates), max(dates)) if dates else None


@dataclass(frozen=True, slots=True)
class PaidView:
    """The payment's side of every comparison, normalized once per payment."""

    facts: PaymentFacts
    member_ids: tuple[str, ...]  # plain, without blanks or a repeat
    last_name: str  # plain
    first_name: str  # plain
    period: Period | None  # statement period, else the span of the line dates
    charge_cents: int  # CLP03 by magnitude: a reversal negates it

    @classmethod
    def of(cls, payment: PaymentFacts) -> PaidView:
        member, corrected = plain(payment.member_id), plain(payment.corrected_member_id)
        if not corrected or corrected == member:
            member_ids: tuple[str, ...] = (member,) if member else ()
        else:
            member_ids = (member, corrected) if member else (corrected,)
        return cls(payment, member_ids, plain(payment.patient_last_name),
                   plain(payment.patient_first_name),
                   _period(payment.statement_from, payment.statement_to, payment.lines),
                   abs(payment.charge_cents))


def charge_agrees(paid: PaidView, claim: ClaimCandidate) -> bool:
    return paid.charge_cents == claim.charge_cents


def payer_agrees(paid: PaidView, claim: ClaimCandidate) -> bool | None:
    payer_id = paid.facts.payer_id
    if payer_id is None or claim.payer_id is None:
        return None
    return payer_id == claim.payer_id


def _same(ours: str, theirs: str | None) -> bool | None:
    other = plain(theirs)
    return (ours == other) if ours and other else None


def _compare(paid: PaidView, claim: ClaimCandidate) -> tuple[bool | None, ...]:
    """Each scored field, in ``_FIELDS`` order: True agrees, False differs, None unknown
    on one side."""
    theirs = {plain(m) for m in claim.member_ids} - {""}
    ours = paid.member_ids
    billed = _period(claim.statement_from, claim.statement_to, claim.lines)
    period = paid.period
    return (
        not theirs.isdisjoint(ours) if ours and theirs else None,
        _same(paid.last_name, claim.patient_last_name),
        _same(paid.first_name, claim.patient_first_name),
        None if period is None or billed is None else (
            period[0] <= billed[1] and billed[0] <= period[1]),
        paid.charge_cents == claim.charge_cents,
        payer_agrees(paid, claim),
    )


def _fixed_reason(field: MatchField, ok: bool | None) -> str:
    """A sentence without names, ids, dates (PHI) or amounts."""
    if ok is None:
        return f"{field} unknown on one side"
    if field is MatchField.SERVICE_DATES:
        return "service dates overlap" if ok else "service dates do not overlap"
    return f"{field} {'agrees' if ok else 'differs'}"


_Outcome = tuple[bool | None, ...]  # one per field of _FIELDS
# points, agreed, disagreed, sentences (the one of a differing charge left blank)
_Tally = tuple[int, tuple[MatchField, ...], tuple[MatchField, ...], tuple[str, ...]]
_CHARGE_AT = _FIELDS.index(MatchField.TOTAL_CHARGE)


@functools.cache
def _tally(by: MatchField | None, outcome: _Outcome) -> _Tally:
    """Everything of a score that depends only on which fields agreed: at most 3 * 3**6
    outcomes, so each is worked out once."""
    agreed = [by] if by is not None else []
    reasons = [f"{by} agrees"] if by is not None else []
    disagreed: list[MatchField] = []
    for field, ok in zip(_FIELDS, outcome):
        if ok:
            agreed.append(field)
        elif ok is False:
            disagreed.append(field)
        reasons.append(_fixed_reason(field, ok))
    points = sum(WEIGHTS[field] for field, ok in zip(_FIELDS, outcome) if ok)
    return points, tuple(agreed), tuple(disagreed), tuple(reasons)


def score(paid: PaidView, claim: ClaimCandidate, by: MatchField | None = None) -> ScoredCandidate:
    """The points of one candidate, with the fields that agreed and disagreed and one
    sentence per field (charges are shown: they are not PHI)."""
    outcome = _compare(paid, claim)
    points, agreed, disagreed, reasons = _tally(by, outcome)
    if outcome[_CHARGE_AT] is False:
        at = _CHARGE_AT + (by is not None)
        charge = (f"total charge differs: paid claim {paid.charge_cents} cents, "
                  f"billed {claim.charge_cents} cents")
        reasons = (*reasons[:at], charge, *reasons[at + 1:])
    if claim.status != SubmissionStatus.ACTIVE:
        reasons += (status_reason(claim.status),)
    return ScoredCandidate(claim.claim_id, claim.status, points, agreed, disagreed, reasons)


def status_reason(status: str) -> str:
    if status == SubmissionStatus.HELD:
        return "claim is held at intake: its charge is not on the ledger"
    return f"claim is {status}: never matched"


def ranked(scored: list[ScoredCandidate]) -> tuple[ScoredCandidate, ...]:
    """Best first; the lower claim id first among equal scores."""
    if len(scored) < 2:
        return tuple(scored)
    return tuple(sorted(scored, key=lambda s: (-s.score, s.claim_id)))
