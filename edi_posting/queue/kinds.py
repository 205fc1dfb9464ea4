"""What each kind of review item holds: money waiting in unapplied cash, or money a specialist
must move before the item can close.

Posting opens items and the queue's money figures follow them (:mod:`edi_posting.queue.credits`),
while review actions decide what may close an item; all three read these sets, so they live
below all three.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MONEY_KINDS", "UNAPPLIED_KINDS", "holds_money", "holds_unapplied"]

# Items whose resolution moves money: they can be resolved by a money action, never dismissed.
MONEY_KINDS = frozenset({"unmatched_payment", "ambiguous_match", "credit_balance",
                         "balancing_failure", "orphan_reversal", "unlinked_plb",
                         "deposit_variance", "lonely_deposit"})

# Items whose amount is money waiting in unapplied cash.  A denial or claim problem raised by
# an 835 claim payment holds its CLP04 there too (never-auto-post CARCs, unreadable claims).
UNAPPLIED_KINDS = frozenset({"unmatched_payment", "ambiguous_match", "balancing_failure",
                             "orphan_reversal"})


def holds_unapplied(kind: str, claim_payment_id: int | None) -> bool:
    """True when the item's amount sits in unapplied cash (what the queue must show)."""
    return kind in UNAPPLIED_KINDS or (
        kind in ("denial", "claim_problem") and claim_payment_id is not None)


# Payments that owe nothing to a claim once they hold nothing: a 0.00 unmatched payment has
# no cash to apply, so without dismiss no one could ever close it.
_CLOSABLE_AT_ZERO = frozenset({"unmatched_payment", "ambiguous_match"})


def holds_money(item: Any) -> bool:
    """True when closing the item needs a money action (dismiss would lose track of money)."""
    if item.kind in _CLOSABLE_AT_ZERO and not item.amount_cents:
        return False
    return item.kind in MONEY_KINDS or (holds_unapplied(item.kind, item.claim_payment_id)
                                        and bool(item.amount_cents))
