"""A stored claim payment seen again by the match and post stages, for review actions.

Import matches and posts a claim payment from the parsed 835; a specialist resolving an
``unmatched_payment`` works on what import stored.  This module rebuilds, from the stored
rows (claim payment, service lines, CAS adjustments), the same flat views import builds
from the parser's records (``PaymentFacts`` for matching, ``ClaimFact`` for the posting
rules), so ``rematch`` runs the real matching and ``apply`` the real posting rules: one
set of rules, whichever path the money takes.

Read-only; consumes a connection in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import Adjustment, ClaimPayment, ServiceLinePayment
from edi_posting.ledger.journal import Posting
from edi_posting.matching.lines import match_lines
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.matching.records import PaymentFacts
from edi_posting.parties.identity import find_or_create_payer
from edi_posting.posting.adjudication_history import Adjudication
from edi_posting.posting.facts import facts_of
from edi_posting.posting.policy import load_policy
from edi_posting.posting.rules import (
    CasFact,
    ClaimFact,
    Dims,
    Disposition,
    LineFact,
    claim_postings,
    classify,
)

__all__ = ["LinePosting", "applied_line_postings", "as_sent_postings", "stored_claim_fact",
           "stored_has_adjustments", "stored_payment_facts"]

_CP, _SVC, _CAS = table_of(ClaimPayment), table_of(ServiceLinePayment), table_of(Adjustment)


def _lines(conn: Connection, cp_id: int) -> list[Any]:
    return list(conn.execute(select(_SVC).where(_SVC.c.claim_payment_id == cp_id)
                             .order_by(_SVC.c.ordinal)))


def stored_payment_facts(conn: Connection, cp_id: int, payer_id: int | None) -> PaymentFacts:
    """What matching compares, from the stored claim payment (the builder import uses)."""
    cp = conn.execute(select(_CP).where(_CP.c.id == cp_id)).one()
    return facts_of(cp, _lines(conn, cp_id), payer_id)


def stored_claim_fact(conn: Connection, cp_id: int,
                      submitted_line_ids: Mapping[int, int | None]) -> ClaimFact:
    """The posting rules' view of a stored claim payment (as ``claim_fact`` does).

    ``submitted_line_ids`` maps a service-line payment id to the billed line it pays.
    """
    cp = conn.execute(select(_CP).where(_CP.c.id == cp_id)).one()
    by_line: dict[int | None, list[CasFact]] = defaultdict(list)
    for cas in conn.execute(select(_CAS).where(_CAS.c.claim_payment_id == cp_id)
                            .order_by(_CAS.c.ordinal)):
        by_line[cas.service_line_payment_id].append(
            CasFact(cas.group_code, cas.reason_code, cas.amount_cents, cas.id))
    lines = tuple(
        LineFact(line.charge_cents, line.paid_cents, tuple(by_line[line.id]),
                 submitted_line_id=submitted_line_ids.get(line.id),
                 service_line_payment_id=line.id)
        for line in _lines(conn, cp_id))
    return ClaimFact(cp.status_code, cp.charge_cents, cp.paid_cents, tuple(by_line[None]),
                     lines, has_next_payer=bool(cp.crossover_payer_id or cp.crossover_payer_name))


def stored_has_adjustments(conn: Connection, cp_id: int) -> bool:
    """Whether the stored claim payment carries any CAS (claim or line level)."""
    return conn.execute(select(_CAS.c.id).where(_CAS.c.claim_payment_id == cp_id)
                        .limit(1)).first() is not None


def _billed_line_ids(conn: Connection, cp_id: int, claim: Any) -> dict[int, int | None] | None:
    """Service-line payment id -> billed line, by the line-matching rules of import; None
    when a paid line fits no billed line of the claim (then it is not this claim's payment
    line by line, and its adjustments are not posted to it)."""
    facts = stored_payment_facts(conn, cp_id, None)
    found = DatabaseClaimLookup(conn).by_pcns([claim.pcn_normalized]).get(
        claim.pcn_normalized, [])
    candidate = next((c for c in found if c.claim_id == claim.id), None)
    period = ((facts.statement_from, facts.statement_to or facts.statement_from)
              if facts.statement_from else None)
    matches = match_lines(facts.lines, candidate.lines if candidate else (), claim_period=period)
    if not matches.is_complete:
        return None
    ids = [line.id for line in _lines(conn, cp_id)]
    return {line_id: matches.line_id_for(i) for i, line_id in enumerate(ids, 1)}


def _next_payer(conn: Connection, cp_id: int) -> int | None:
    """The crossover payer (NM1*TT) a forwarded claim names, as import finds it."""
    cp = conn.execute(select(_CP.c.crossover_payer_id, _CP.c.crossover_payer_name)
                      .where(_CP.c.id == cp_id)).one()
    name = (cp.crossover_payer_name or "").strip()
    identifier = (cp.crossover_payer_id or "").strip() or name
    return find_or_create_payer(conn, "nm1_tt", identifier, name or identifier) if identifier else None


@dataclass(frozen=True, slots=True)
class LinePosting:
    """What the posting rules make of a stored payment applied to a claim."""

    postings: tuple[Posting, ...]
    duplicated: bool  # some line it pays was adjudicated by the payer already (cash only)
    every_line: bool = False  # ... and that is every line it pays


def applied_line_postings(conn: Connection, cp_id: int, claim: Any, payer_id: int | None,
                          unapplied_cents: int, adjudication: Adjudication | None = None
                          ) -> LinePosting | None:
    """The claim payment posted to ``claim`` by the posting rules, its cash taken from
    unapplied cash (where it has waited) instead of cash clearing.

    Lines ``adjudication`` says the payer decided already post their cash alone (their
    adjustments stand from the earlier payment); the claim-level CAS too when every line
    was decided.  None when the rules do not post it as a payment (a reversal, 23/25, a
    denial), when its lines do not fit the claim's, or when it would not take exactly
    ``unapplied_cents``: the caller then moves cash alone.
    """
    billed = _billed_line_ids(conn, cp_id, claim)
    if billed is None:
        return None
    fact = stored_claim_fact(conn, cp_id, billed)
    policy = load_policy(conn, payer_id)
    disposition = classify(fact, policy.zero_pay)
    if disposition not in (Disposition.POST, Disposition.FORWARDED):
        return None
    fact, decided = _without_decided(fact, adjudication)
    next_payer = _next_payer(conn, cp_id) if disposition is Disposition.FORWARDED else None
    dims = Dims(payer_id, claim.patient_account_id, claim.id, next_payer)
    postings = [replace(p, account=AccountCode.UNAPPLIED_CASH, payer_id=payer_id)
                if p.account == AccountCode.CASH_CLEARING else p
                for p in claim_postings(fact, dims, policy.accounts)]
    unapplied = AccountCode.UNAPPLIED_CASH
    if sum(p.amount_cents for p in postings if p.account == unapplied) != unapplied_cents:
        return None
    return (LinePosting(tuple(postings), decided is not None, decided is True)
            if postings else None)


def as_sent_postings(conn: Connection, cp_id: int, claim: Any, payer_id: int | None, *,
                     with_cash: bool) -> tuple[Posting, ...] | None:
    """The claim payment's own CAS adjustments (and its cash, from unapplied cash, when
    ``with_cash``) posted to ``claim`` by the posting rules, as sent even though it does
    not balance: the rest of the charge stays on the claim's insurance receivable.

    None when the rules would not post it as a payment (a reversal, 23/25, a denial).
    """
    fact = stored_claim_fact(conn, cp_id, _billed_line_ids(conn, cp_id, claim) or {})
    disposition = classify(fact)
    if disposition not in (Disposition.POST, Disposition.FORWARDED):
        return None
    if not with_cash:
        fact = replace(fact, paid_cents=0,
                       lines=tuple(replace(line, paid_cents=0) for line in fact.lines))
    next_payer = _next_payer(conn, cp_id) if disposition is Disposition.FORWARDED else None
    dims = Dims(payer_id, claim.patient_account_id, claim.id, next_payer)
    return tuple(replace(p, account=AccountCode.UNAPPLIED_CASH, payer_id=payer_id)
                 if p.account == AccountCode.CASH_CLEARING else p
                 for p in claim_postings(fact, dims, load_policy(conn, payer_id).accounts))


def _without_decided(fact: ClaimFact, adjudication: Adjudication | None
                     ) -> tuple[ClaimFact, bool | None]:
    """The fact with the adjustments of lines already adjudicated taken out, and whether
    that was every line (True), some (False) or none (None)."""
    if adjudication is None:
        return fact, None
    decided = [adjudication.covers(line.submitted_line_id) for line in fact.lines]
    if not any(decided) and not adjudication.whole_claim:
        return fact, None
    lines = tuple(replace(line, adjustments=()) if done else line
                  for line, done in zip(fact.lines, decided))
    every = all(decided)
    return replace(fact, lines=lines, adjustments=() if every else fact.adjustments), every
