"""The deposit review items' actions through the public API (``deposits match``,
``request-era``, ``receive``, ``accept-variance``): ``resolve`` checked once, one write
transaction, and ``dry_run=True`` rehearsed in a transaction rolled back (the result's
``plan`` says what would be posted), exactly as the other queue money actions
(:mod:`edi_posting.api.queue_money`)."""

from __future__ import annotations

import datetime as dt

from edi_posting.api.queue_money import _resolve as resolve_action  # the one dry-run path
from edi_posting.api.session import Session
from edi_posting.review import deposits
from edi_posting.review.money import ActionResult

__all__ = ["accept_variance", "chargeback_won", "match_deposit", "receive_deposit",
           "request_era"]


def match_deposit(session: Session, item_id: int, *, remittance_id: int | None = None,
                  deposit_id: int | None = None, amount_cents: int | None = None,
                  dry_run: bool = False) -> ActionResult:
    """A lonely deposit to a remittance, a silent ERA to a deposit, or (split) another
    deposit paying the rest of a variance's remittance; all they share, or ``amount_cents``."""
    return resolve_action(session, "match-deposit", item_id, lambda conn, who: (
        deposits.match_deposit(conn, item_id, principal=who, remittance_id=remittance_id,
                               deposit_id=deposit_id, amount_cents=amount_cents)), dry_run)


def request_era(session: Session, item_id: int, note: str, follow_up: dt.date, *,
                dry_run: bool = False) -> ActionResult:
    """Note that the ERA was asked for, and when to look again."""
    return resolve_action(session, "request-era", item_id, lambda conn, who: (
        deposits.request_era(conn, item_id, note, follow_up, principal=who)), dry_run)


def receive_deposit(session: Session, item_id: int, *, note: str | None = None,
                    dry_run: bool = False) -> ActionResult:
    """A lonely deposit received as a payment without remittance (unapplied cash, held by
    a new unmatched-payment item)."""
    return resolve_action(session, "receive-deposit", item_id, lambda conn, who: (
        deposits.receive_deposit(conn, item_id, principal=who, note=note)), dry_run)


def accept_variance(session: Session, item_id: int, reason: str, *,
                    dry_run: bool = False) -> ActionResult:
    """A deposit's shortfall against its remittance to other adjustments, with a reason
    (above the write-off limit: a user who may approve)."""
    return resolve_action(session, "accept-variance", item_id, lambda conn, who: (
        deposits.accept_variance(conn, item_id, reason, principal=who)), dry_run)


def chargeback_won(session: Session, item_id: int, *, note: str | None = None,
                   dry_run: bool = False) -> ActionResult:
    """A returned item won back (a chargeback reversed in the practice's favour): the
    claims' cash re-posted and the deposit met again; the item closes."""
    return resolve_action(session, "chargeback-won", item_id, lambda conn, who: (
        deposits.chargeback_won(conn, item_id, principal=who, note=note)), dry_run)
