"""What a posted remittance changes beyond its own entries: the credit balances it causes
or changes (kept as every review action keeps them), ``awaiting_correction`` items its
corrections settle, and held duplicate payments its PLB WO recoveries take back.

Both run after the set's entries are written (same transaction), because both look at
the claim's balance or items as they now stand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among, unindexed
from edi_posting.db.models import JournalLine, ReviewItem
from edi_posting.db.workflow import OPEN_STATES, ItemAction, ReviewStatus
from edi_posting.ledger.journal import EntryDraft
from edi_posting.money import format_cents
from edi_posting.posting.adjudicated import DUPLICATE_PAYMENT
from edi_posting.posting.decisions import ClaimDecision
from edi_posting.queue.items import ReviewDraft, close_review_items, record_item_change
from edi_posting.records.source import SourceRef
from edi_posting.records.states import PostingState, ReviewKind

__all__ = ["Touched", "credit_reviews", "follow_recovered_duplicates", "resolve_corrections"]

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


def resolve_corrections(conn: Connection, corrected: Sequence[int], actor: str,
                        source: SourceRef | None) -> int:
    """Close open ``awaiting_correction`` items of claims this set paid or denied again
    (``corrected``: ``claim_pass.corrected_claims``)."""
    if not corrected:
        return 0
    ids = conn.execute(select(_ITEM.c.id).where(
        unindexed(_ITEM.c.kind) == ReviewKind.AWAITING_CORRECTION,
        unindexed(_ITEM.c.status).in_(OPEN_STATES),
        among(_ITEM.c.submitted_claim_id, corrected))).scalars().all()
    where = (f"file {source.file_name}, ST02 {source.transaction_set_control_number}"
             if source else "a later remittance")
    return close_review_items(conn, ids, actor, f"correction received in {where}")


def credit_reviews(conn: Connection, drafts: Sequence[EntryDraft],
                   touched: Mapping[int, Touched], *, actor: str, cause: str
                   ) -> list[ReviewDraft]:
    """Keep the credit items of the claims this set moved equal to their sides in credit,
    the same way a review action does (:func:`follow_credit_items`), and return the items
    to open with the set's others: one per side newly in credit.

    A later payment, reversal or PLB WO recovery can shrink or clear a credit already
    being worked: its item follows (or resolves itself, with an event saying why).  A new
    item links the claim payment that moved its claim (none for a claim a PLB moved).
    """
    from edi_posting.queue.credits import (  # queue side, imported late
        CreditCause,
        follow_credit_items,
    )

    moved = {p.submitted_claim_id for d in drafts for p in d.lines
             if p.submitted_claim_id is not None
             and p.account in (AccountCode.INSURANCE_AR, AccountCode.PATIENT_AR)}
    causes = {claim_id: CreditCause(f"claim payment {t.claim_payment_id} ({cause})",
                                    claim_payment_id=t.claim_payment_id,
                                    remittance_id=t.remittance_id, file_id=t.file_id)
              for claim_id, t in touched.items()}
    return follow_credit_items(conn, moved | set(touched), actor=actor,
                               cause=CreditCause(cause), causes=causes)


def follow_recovered_duplicates(conn: Connection, drafts: Sequence[EntryDraft],
                                decisions: Iterable[ClaimDecision], *, actor: str,
                                cause: str) -> None:
    """The items of held duplicate payments this set took back (a PLB WO, or a reversal of
    the payment itself): each now holds that much less unapplied cash (resolved when
    nothing is left), so nobody refunds to the payer what it has recovered already."""
    recovered: dict[int, int] = {d.original.claim_payment_id: d.original.paid_cents
                                 for d in decisions if d.entry == EntryKind.REVERSAL and d.original
                                 and d.original.posting_state == PostingState.DUPLICATE}
    for draft in drafts:
        if draft.kind == EntryKind.PLB and draft.claim_payment_id is not None:
            taken = sum(p.amount_cents for p in draft.lines
                        if p.account == AccountCode.UNAPPLIED_CASH)
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
            conn, item, actor=actor,
            action=ItemAction.AUTO_RESOLVED if left == 0 else ItemAction.AMOUNT_CHANGED,
            to_status=ReviewStatus.RESOLVED if left == 0 else None, values={"amount_cents": left},
            note=f"the payer recovered {format_cents(recovered[item.claim_payment_id])} of "
                 f"this payment ({cause}); {format_cents(left)} left unapplied")
