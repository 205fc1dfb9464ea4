"""What each kind of review item holds: money waiting in unapplied cash, or money a specialist
must move before the item can close.

Posting opens items and the queue's money figures follow them (:mod:`edi_posting.queue.credits`),
while review actions decide what may close an item; all three read these sets, so they live
below all three.
"""

from __future__ import annotations

from typing import Any

from edi_posting.records.states import ReviewKind

# ReviewKind itself lives in records (the review_items CHECK, in db, is built from it); it is
# re-exported here, beside what each kind holds, for the stages that open and work items.
__all__ = ["CLOSABLE_AT_ZERO", "MONEY_KINDS", "UNAPPLIED_KINDS", "holds_money",
           "holds_unapplied"]

# Items whose resolution moves money: they can be resolved by a money action, never dismissed.
MONEY_KINDS = frozenset({
    ReviewKind.UNMATCHED_PAYMENT, ReviewKind.AMBIGUOUS_MATCH, ReviewKind.CREDIT_BALANCE,
    ReviewKind.BALANCING_FAILURE, ReviewKind.ORPHAN_REVERSAL, ReviewKind.UNLINKED_PLB,
    ReviewKind.DEPOSIT_VARIANCE, ReviewKind.LONELY_DEPOSIT, ReviewKind.AWAITING_REMITTANCE})

# Items whose amount is money waiting in unapplied cash.  A denial or claim problem raised by
# an 835 claim payment holds its CLP04 there too (never-auto-post CARCs, unreadable claims).
# A check received without its remittance (``payment receive``, a lockbox row) holds its
# amount there until an 835 claims it, or someone applies or returns it.
UNAPPLIED_KINDS = frozenset({ReviewKind.UNMATCHED_PAYMENT, ReviewKind.AMBIGUOUS_MATCH,
                             ReviewKind.BALANCING_FAILURE, ReviewKind.ORPHAN_REVERSAL,
                             ReviewKind.AWAITING_REMITTANCE})


def holds_unapplied(kind: str, claim_payment_id: int | None) -> bool:
    """True when the item's amount sits in unapplied cash (what the queue must show)."""
    return kind in UNAPPLIED_KINDS or (
        kind in (ReviewKind.DENIAL, ReviewKind.CLAIM_PROBLEM) and claim_payment_id is not None)


# Money kinds whose amount is all they own: once it is 0.00 they owe nothing to any claim
# (a 0.00 unmatched payment has no cash to apply; an orphan reversal of 0.00, a payer
# reversing a denial we never received, negates nothing posted), so without dismiss no one
# could ever close them.  A claim-level balancing failure at 0.00 still owns its unposted
# adjustments (post-as-sent closes it); a credit balance closes itself at 0.00.
CLOSABLE_AT_ZERO = frozenset({ReviewKind.UNMATCHED_PAYMENT, ReviewKind.AMBIGUOUS_MATCH,
                              ReviewKind.ORPHAN_REVERSAL,
                              ReviewKind.AWAITING_REMITTANCE})


def holds_money(item: Any) -> bool:
    """True when closing the item needs a money action (dismiss would lose track of money)."""
    if item.kind in CLOSABLE_AT_ZERO and not item.amount_cents:
        return False
    return item.kind in MONEY_KINDS or (holds_unapplied(item.kind, item.claim_payment_id)
                                        and bool(item.amount_cents))
