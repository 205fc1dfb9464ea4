"""What a posted remittance changes beyond its own entries: credit balances it causes,
``awaiting_correction`` items its corrections settle, and held duplicate payments its PLB
WO recoveries take back.

Both run after the set's entries are written (same transaction), because both look at
the claim's balance or items as they now stand.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, select

from edi_posting.db.base import table_of
from edi_posting.db.lists import among
from edi_posting.db.models import JournalLine, ReviewItem
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.ledger import EntryDraft, account_ids
from edi_posting.matching import ClaimMatch
from edi_posting.money import format_cents
from edi_posting.records.source import SourceRef
from edi_posting.remittance_adjudicated import DUPLICATE_PAYMENT
from edi_posting.remittance_decisions import DUPLICATE_STATE, ClaimDecision
from edi_posting.review_queue import ReviewDraft, close_review_items, record_item_change

__all__ = ["Touched", "credit_balance_reviews", "follow_credits", "follow_recovered_duplicates",
           "resolve_corrections"]

_LINE, _ITEM = table_of(JournalLine), table_of(ReviewItem)


@dataclass(frozen=True, slots=True)
class Touched:
    """A claim whose balance this remittance moved, and the claim payment that moved it."""

    claim_payment_id: int
    pcn: str
    patient_account_id: int | None
    payer_id: int | None
    remittance_id: int
    file_id: int


def credit_balance_reviews(conn: Connection, touched: Mapping[int, Touched]) -> list[ReviewDraft]:
    """A ``credit_balance`` item for each touched claim now below zero on insurance or
    patient, unless one is already open for it."""
    if not touched:
        return []
    accounts = account_ids(conn)
    ins, pat = accounts["insurance_ar"], accounts["patient_ar"]
    amount = _LINE.c.amount_cents
    rows = conn.execute(
        select(_LINE.c.submitted_claim_id,
               func.sum(case((_LINE.c.account_id == ins, amount), else_=0)),
               func.sum(case((_LINE.c.account_id == pat, amount), else_=0)))
        .where(among(_LINE.c.submitted_claim_id, sorted(touched)))
        .group_by(_LINE.c.submitted_claim_id)
    ).all()
    negative = {r[0]: (int(r[1]), int(r[2])) for r in rows if int(r[1]) < 0 or int(r[2]) < 0}
    if not negative:
        return []
    already = set(conn.execute(select(_ITEM.c.submitted_claim_id).where(
        _ITEM.c.kind == "credit_balance", _ITEM.c.status.in_(OPEN_STATES),
        among(_ITEM.c.submitted_claim_id, sorted(negative)))).scalars())
    drafts = []
    for claim_id, (insurance, patient) in sorted(negative.items()):
        if claim_id in already:
            continue
        t = touched[claim_id]
        sides = [f"{name} {format_cents(value)}" for name, value in
                 (("insurance", insurance), ("patient", patient)) if value < 0]
        drafts.append(ReviewDraft(
            f"credit_balance|claim:{claim_id}|cp:{t.claim_payment_id}", "credit_balance",
            f"claim {t.pcn} has a credit balance ({', '.join(sides)}) after claim payment "
            f"{t.claim_payment_id}", amount_cents=-min(insurance, 0) - min(patient, 0),
            priority=2, problem_code="CREDIT_BALANCE",
            evidence={"insurance": format_cents(insurance), "patient": format_cents(patient),
                      "cause_claim_payment_id": t.claim_payment_id},
            payer_id=t.payer_id, patient_account_id=t.patient_account_id,
            submitted_claim_id=claim_id, claim_payment_id=t.claim_payment_id,
            remittance_id=t.remittance_id, file_id=t.file_id,
        ))
    return drafts


def resolve_corrections(conn: Connection, matches: Sequence[ClaimMatch],
                        decisions: Sequence[ClaimDecision], actor: str,
                        source: SourceRef | None) -> int:
    """Close open ``awaiting_correction`` items of claims this set paid or denied again."""
    corrected = sorted({m.claim_id for m, d in zip(matches, decisions)
                        if m.claim_id is not None and d.state in ("posted", "denied")})
    if not corrected:
        return 0
    ids = conn.execute(select(_ITEM.c.id).where(
        _ITEM.c.kind == "awaiting_correction", _ITEM.c.status.in_(OPEN_STATES),
        among(_ITEM.c.submitted_claim_id, corrected))).scalars().all()
    where = (f"file {source.file_name}, ST02 {source.transaction_set_control_number}"
             if source else "a later remittance")
    return close_review_items(conn, ids, actor, f"correction received in {where}")


def follow_credits(conn: Connection, drafts: Sequence[EntryDraft], paid_claims: Collection[int],
                   *, actor: str, cause: str) -> None:
    """Keep the credit items of the claims this set moved equal to their ledger credit.

    A later payment, reversal or PLB WO recovery can shrink or clear a credit that is
    already being worked: its item follows (or resolves itself, with an event saying why).
    Claims moved only by a PLB get an item here when they go into credit; those moved by
    a claim payment get theirs from :func:`credit_balance_reviews`.
    """
    from edi_posting.queue_credits import refresh_credit_balances  # queue side, imported late

    moved = {p.submitted_claim_id for d in drafts for p in d.lines
             if p.submitted_claim_id is not None and p.account in ("insurance_ar", "patient_ar")}
    if not moved:
        return
    worked = set(conn.execute(select(_ITEM.c.submitted_claim_id).where(
        _ITEM.c.kind == "credit_balance", _ITEM.c.status.in_(OPEN_STATES),
        among(_ITEM.c.submitted_claim_id, sorted(moved)))).scalars())
    follow = worked | (moved - set(paid_claims))
    if follow:
        refresh_credit_balances(conn, sorted(follow), actor=actor, cause=cause)


def follow_recovered_duplicates(conn: Connection, drafts: Sequence[EntryDraft],
                                decisions: Sequence[ClaimDecision], *, actor: str,
                                cause: str) -> None:
    """The items of held duplicate payments this set took back (a PLB WO, or a reversal of
    the payment itself): each now holds that much less unapplied cash (resolved when
    nothing is left), so nobody refunds to the payer what it has recovered already."""
    recovered: dict[int, int] = {d.original.claim_payment_id: d.original.paid_cents
                                 for d in decisions if d.entry == "reversal" and d.original
                                 and d.original.posting_state == DUPLICATE_STATE}
    for draft in drafts:
        if draft.kind == "plb" and draft.claim_payment_id is not None:
            taken = sum(p.amount_cents for p in draft.lines if p.account == "unapplied_cash")
            if taken:
                recovered[draft.claim_payment_id] = recovered.get(draft.claim_payment_id,
                                                                  0) + taken
    if not recovered:
        return
    for item in conn.execute(select(_ITEM).where(
            among(_ITEM.c.claim_payment_id, sorted(recovered)), _ITEM.c.status.in_(OPEN_STATES),
            _ITEM.c.problem_code == DUPLICATE_PAYMENT)).all():
        left = item.amount_cents - recovered[item.claim_payment_id]
        record_item_change(
            conn, item, actor=actor, action="auto_resolved" if left == 0 else "amount_changed",
            to_status="resolved" if left == 0 else None, values={"amount_cents": left},
            note=f"the payer recovered {format_cents(recovered[item.claim_payment_id])} of "
                 f"this payment ({cause}); {format_cents(left)} left unapplied")
