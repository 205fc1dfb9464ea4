"""Decide stage, continued: a payment of lines its payer has adjudicated already is held.

A payer that pays a claim twice (two checks, a PCN changed by a character, an original
arriving after its own reversal and correction) sends the same adjudication twice: the
same contractual and patient-responsibility adjustments.  The first posted them; posting
the second would double the patient's share and leave a credit of the whole charge
(x12-posting-rules.md: never post the same adjustment twice).  So import holds it: its
cash goes to unapplied cash, owned by one ``unmatched_payment`` item (``DUPLICATE_PAYMENT``)
naming the earlier payments and the claim as the candidate, and a specialist decides
(``queue accept-match --confirm``: its cash alone, a credit to refund; or link it to a
reversal).  It is the rule the queue's ``apply`` keeps (:mod:`edi_posting.posting.adjudication_history`).

A payment is a duplicate when the claim carries a standing (posted or applied, not
reversed) payment of the same payer that adjudicated one of its lines; lines nobody paid
yet (a split claim's second part) post.  A payment whose lines cannot be tied to billed
lines, on either side, is a duplicate of any standing payment: which lines it decided is
unknown, and a person decides rather than the engine posting twice.

The standing payments of a set's matched claims are read in one batch per set; the set's
own payments join them as they are decided, and leave them when a reversal takes them back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import EntryKind
from edi_posting.db.lists import among, unindexed
from edi_posting.db.models import ClaimPayment, JournalEntry, JournalLine, Remittance
from edi_posting.matching.records import ClaimMatch
from edi_posting.money import format_cents
from edi_posting.posting.adjudication_history import STANDING_STATES, Adjudication, EarlierPayment
from edi_posting.posting.decisions import ClaimDecision, ReviewSpec
from edi_posting.posting.rules import ClaimFact
from edi_posting.records.problems import ProblemCode
from edi_posting.records.remittance import ClaimPaymentRecord
from edi_posting.records.states import PostingState, ReviewKind
from edi_posting.x12.remit835.file import RemittanceSetRead

__all__ = ["DUPLICATE_PAYMENT", "Standing", "StandingPayments",
           "duplicate_decision", "is_duplicate", "load_standing", "set_standing"]

DUPLICATE_PAYMENT = ProblemCode.DUPLICATE_PAYMENT  # the item's problem code

_CP, _REM = table_of(ClaimPayment), table_of(Remittance)
_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)


@dataclass(frozen=True, slots=True)
class Standing:
    """One standing payment of the payer on a claim, and the billed lines it decided."""

    payment: EarlierPayment
    line_ids: frozenset[int]
    whole_claim: bool  # no line tied to a billed line: it may have decided every line


class StandingPayments:
    """The payer's standing payments per claim, kept current as a set is decided."""

    def __init__(self, by_claim: dict[int, list[Standing]], trace_number: str = "",
                 payment_date: dt.date | None = None) -> None:
        self._by_claim = by_claim
        self._trace_number, self._payment_date = trace_number, payment_date  # this set's

    def of(self, claim_id: int) -> Adjudication | None:
        found = self._by_claim.get(claim_id)
        if not found:
            return None
        return Adjudication(tuple(s.payment for s in found),
                            frozenset().union(*(s.line_ids for s in found)),
                            whole_claim=any(s.whole_claim for s in found))

    def drop(self, claim_payment_id: int) -> None:
        """A reversal took the payment back: it adjudicates nothing any more."""
        for payments in self._by_claim.values():
            payments[:] = [s for s in payments if s.payment.claim_payment_id != claim_payment_id]

    def hold_duplicate(self, claim: ClaimPaymentRecord, match: ClaimMatch, fact: ClaimFact,
                       decision: ClaimDecision, claim_payment_id: int) -> ClaimDecision:
        """``decision``, unless it posts lines the payer adjudicated already: then held.
        A payment that posts stands from now on for the set's later payments."""
        if decision.state != PostingState.POSTED or match.claim_id is None:
            return decision
        found = self.of(match.claim_id)
        if found is not None and is_duplicate(found, fact):
            return duplicate_decision(claim, match, found)
        tied = frozenset(ln.submitted_line_id for ln in fact.lines
                         if ln.submitted_line_id is not None)
        self._by_claim.setdefault(match.claim_id, []).append(Standing(
            EarlierPayment(claim_payment_id, self._trace_number, self._payment_date,
                           claim.paid_cents), tied, whole_claim=not tied))
        return decision


def load_standing(conn: Connection, claim_ids: Collection[int], payer_id: int | None,
                  trace_number: str, payment_date: dt.date | None) -> StandingPayments:
    """The payer's standing payments of these claims (one query when there are none),
    ready to decide the set paid under ``trace_number`` on ``payment_date``."""
    if payer_id is None or not claim_ids:
        return StandingPayments({}, trace_number, payment_date)
    rows = conn.execute(
        select(_CP.c.id, _CP.c.submitted_claim_id, _CP.c.paid_cents, _REM.c.trace_number,
               _REM.c.payment_date)
        .join(_REM, _REM.c.id == _CP.c.remittance_id)
        .where(among(_CP.c.submitted_claim_id, sorted(claim_ids)),
               _CP.c.posting_state.in_(STANDING_STATES), _CP.c.status_code != "22",
               unindexed(_REM.c.payer_id) == payer_id)
        .order_by(_CP.c.id)).all()
    if not rows:
        return StandingPayments({}, trace_number, payment_date)
    lines = _decided_lines(conn, [(r.id, r.submitted_claim_id) for r in rows])
    by_claim: dict[int, list[Standing]] = defaultdict(list)
    for r in rows:
        tied = lines.get(r.id, frozenset())
        by_claim[r.submitted_claim_id].append(Standing(
            EarlierPayment(r.id, r.trace_number, r.payment_date, r.paid_cents), tied,
            whole_claim=not tied))
    return StandingPayments(dict(by_claim), trace_number, payment_date)


def set_standing(conn: Connection, read: RemittanceSetRead, claim_ids: Collection[int],
                 payer_id: int | None) -> StandingPayments:
    """``load_standing`` for the claims the set's payments (not its reversals) matched."""
    header = read.header
    return load_standing(conn, claim_ids, payer_id,
                         header.trace.trace_number if header.trace else "",
                         header.payment.date if header.payment else None)


def _decided_lines(conn: Connection, payments: list[tuple[int, int]]
                   ) -> dict[int, frozenset[int]]:
    """Each payment's billed lines: those its entries (posted at import, or applied from
    the queue; not reversing ones) moved on its own claim."""
    claim_of = dict(payments)
    found: dict[int, set[int]] = defaultdict(set)
    for cp_id, claim_id, line_id in conn.execute(
        select(_ENTRY.c.claim_payment_id, _LINE.c.submitted_claim_id, _LINE.c.submitted_line_id)
        .distinct().join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(among(_ENTRY.c.claim_payment_id, sorted(claim_of)),
               unindexed(_ENTRY.c.reverses_entry_id).is_(None),
               _LINE.c.submitted_line_id.is_not(None))):
        if claim_of.get(cp_id) == claim_id:
            found[cp_id].add(line_id)
    return {cp_id: frozenset(ids) for cp_id, ids in found.items()}


def is_duplicate(found: Adjudication, fact: ClaimFact) -> bool:
    """Whether posting ``fact`` would adjudicate again a line ``found`` decided."""
    if found.whole_claim or not fact.lines:
        return True
    return any(line.submitted_line_id is None or found.covers(line.submitted_line_id)
               for line in fact.lines)


def duplicate_decision(claim: ClaimPaymentRecord, match: ClaimMatch, found: Adjudication
                       ) -> ClaimDecision:
    """Held: the cash to unapplied cash and one item naming the earlier payments."""
    assert match.claim is not None and match.claim_id is not None
    earlier = "; ".join(p.describe() for p in found.payments)
    message = (f"claim payment {claim.patient_control_number} "
               f"({format_cents(claim.paid_cents)}) not posted: claim {match.claim.pcn} "
               f"already carries this payer's adjudication of the same lines: {earlier}; "
               "accept the match with --confirm to post its cash alone (a credit to refund), "
               "or link it to a reversal")
    evidence = {"method": str(match.method), "reason": match.reason,
                "candidates": [_candidate(match)], "earlier_payments": [
                    {"claim_payment_id": p.claim_payment_id, "trace_number": p.trace_number,
                     "payment_date": p.payment_date.isoformat() if p.payment_date else None,
                     "paid": format_cents(p.paid_cents)} for p in found.payments]}
    review = ReviewSpec(ReviewKind.UNMATCHED_PAYMENT, DUPLICATE_PAYMENT, message, 2, evidence)
    return ClaimDecision(PostingState.DUPLICATE,
                         EntryKind.UNAPPLIED if claim.paid_cents else None, (review,))


def _candidate(match: ClaimMatch) -> dict[str, Any]:
    """The matched claim, in the shape of an unsafe match's candidates (``accept-match``)."""
    scored = next((c for c in match.candidates if c.claim_id == match.claim_id), None)
    if scored is not None:
        return {"claim_id": scored.claim_id, "status": scored.status, "score": scored.score,
                "agreed": [str(f) for f in scored.agreed],
                "disagreed": [str(f) for f in scored.disagreed], "reasons": list(scored.reasons)}
    assert match.claim is not None
    return {"claim_id": match.claim_id, "status": match.claim.status, "score": None,
            "agreed": [], "disagreed": [], "reasons": [match.reason]}
