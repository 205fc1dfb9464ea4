"""The queue's two money figures, kept equal to the ledger after every review action.

* Unapplied cash: the open items that hold money in suspense (``holds_unapplied``) carry
  that money as their amount; their sum is the unapplied-cash ledger balance (a credit,
  so its negation).  Actions that apply cash lower the item's amount by what they move.
* Credit balances: an open ``credit_balance`` item carries its claim's credit (the part of
  the insurance and patient balances below zero).  After an action moves money on a claim,
  :func:`refresh_credit_balances` brings the claim's item in line with the ledger: the
  amount follows the balance, the item resolves itself (with an event saying why) when the
  credit is gone, and a new item opens when an action creates a credit.

Consumes a connection inside the caller's transaction; never commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, case, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import JournalLine, ReviewItem, SubmittedClaim
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.ledger import account_ids, claim_balances
from edi_posting.money import format_cents
from edi_posting.review_actions import holds_unapplied
from edi_posting.review_queue import (
    ReviewDraft,
    close_review_items,
    open_review_items,
    record_item_change,
)

__all__ = [
    "claim_credit_cents",
    "credit_mismatches",
    "ledger_unapplied_cents",
    "own_reopened_balance",
    "owned_twice",
    "queue_unapplied_cents",
    "refresh_credit_balances",
]

_ITEM, _LINE = table_of(ReviewItem), table_of(JournalLine)
_CLAIM = table_of(SubmittedClaim)


def claim_credit_cents(conn: Connection, claim_id: int) -> int:
    """The claim's credit: what its insurance and patient balances are below zero."""
    balances = claim_balances(conn, claim_id)
    return -min(balances.insurance_cents, 0) - min(balances.patient_cents, 0)


def queue_unapplied_cents(conn: Connection) -> int:
    """Unapplied cash as the queue shows it: the amounts of the open items holding it."""
    rows = conn.execute(select(_ITEM.c.kind, _ITEM.c.claim_payment_id, _ITEM.c.amount_cents)
                        .where(_ITEM.c.status.in_(OPEN_STATES)))
    return sum(r.amount_cents for r in rows if holds_unapplied(r.kind, r.claim_payment_id))


def ledger_unapplied_cents(conn: Connection) -> int:
    """The unapplied-cash balance of the ledger, as money held (credit positive)."""
    account = account_ids(conn)["unapplied_cash"]
    total = conn.execute(select(func.coalesce(func.sum(_LINE.c.amount_cents), 0))
                         .where(_LINE.c.account_id == account)).scalar_one()
    return -int(total)


def credit_mismatches(conn: Connection) -> list[str]:
    """Where the queue's credit balances and the ledger's negative claim balances differ.

    Empty when every claim below zero has open ``credit_balance`` items summing to its
    credit, and no open item claims a credit the ledger does not show.
    """
    accounts = account_ids(conn)
    receivable = (accounts["insurance_ar"], accounts["patient_ar"])
    amount = _LINE.c.amount_cents
    sums = conn.execute(
        select(_LINE.c.submitted_claim_id,
               func.sum(case((_LINE.c.account_id == receivable[0], amount), else_=0)),
               func.sum(case((_LINE.c.account_id == receivable[1], amount), else_=0)))
        .where(_LINE.c.account_id.in_(receivable), _LINE.c.submitted_claim_id.is_not(None))
        .group_by(_LINE.c.submitted_claim_id)).all()
    ledger = {c: -min(int(i), 0) - min(int(p), 0) for c, i, p in sums}
    shown: dict[int, int] = {}
    for claim_id, cents in conn.execute(select(_ITEM.c.submitted_claim_id, _ITEM.c.amount_cents)
                                        .where(_ITEM.c.kind == "credit_balance",
                                               _ITEM.c.status.in_(OPEN_STATES))):
        shown[claim_id] = shown.get(claim_id, 0) + cents
    problems = []
    for claim_id in sorted(set(ledger) | set(shown)):
        if ledger.get(claim_id, 0) != shown.get(claim_id, 0):
            problems.append(f"claim {claim_id}: ledger credit "
                            f"{format_cents(ledger.get(claim_id, 0))}, queue shows "
                            f"{format_cents(shown.get(claim_id, 0))}")
    return problems


def owned_twice(conn: Connection) -> list[str]:
    """Money two open items own at once: one claim payment's cash held by two items, or
    one claim's credit carried by two ``credit_balance`` items."""
    rows = conn.execute(select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.claim_payment_id,
                               _ITEM.c.submitted_claim_id, _ITEM.c.amount_cents)
                        .where(_ITEM.c.status.in_(OPEN_STATES)).order_by(_ITEM.c.id))
    payments: dict[int, list[int]] = {}
    credits: dict[int, list[int]] = {}
    for r in rows:
        if r.claim_payment_id is not None and r.amount_cents and holds_unapplied(
                r.kind, r.claim_payment_id):
            payments.setdefault(r.claim_payment_id, []).append(r.id)
        elif r.kind == "credit_balance" and r.submitted_claim_id is not None:
            credits.setdefault(r.submitted_claim_id, []).append(r.id)
    return ([f"claim payment {k}: its cash is owned by open review items "
             f"{', '.join(map(str, v))}" for k, v in sorted(payments.items()) if len(v) > 1]
            + [f"claim {k}: its credit is carried by open review items "
               f"{', '.join(map(str, v))}" for k, v in sorted(credits.items()) if len(v) > 1])


def refresh_credit_balances(conn: Connection, claim_ids: Iterable[int], *, actor: str,
                            cause: str, entry_id: int | None = None) -> list[int]:
    """Bring each claim's ``credit_balance`` item in line with its ledger balance.

    ``cause`` says which action moved the money; it goes into the events.  Returns the ids
    of the items opened (an action that overpays a claim creates a credit to work).
    """
    opened: list[int] = []
    for claim_id in sorted(set(claim_ids)):
        credit = claim_credit_cents(conn, claim_id)
        items = conn.execute(select(_ITEM).where(
            _ITEM.c.kind == "credit_balance", _ITEM.c.status.in_(OPEN_STATES),
            _ITEM.c.submitted_claim_id == claim_id).order_by(_ITEM.c.id)).all()
        if credit == 0:
            close_review_items(conn, [i.id for i in items], actor,
                               f"credit balance cleared: {cause}")
        elif items:
            _follow_amount(conn, items[0], credit, actor, cause, entry_id)
            close_review_items(conn, [i.id for i in items[1:]], actor,
                               f"credit balance now carried by item {items[0].id}")
        else:
            opened += _open_credit(conn, claim_id, credit, actor, cause, entry_id)
    return opened


def own_reopened_balance(conn: Connection, claim_id: int, insurance_before: int, *,
                         actor: str, cause: str, entry_id: int | None,
                         payer_id: int | None) -> list[int]:
    """Open an ``awaiting_correction`` item owning what an action reopened on a claim.

    A reversal applied by hand, or a PLB recovery placed on a settled claim, takes money
    back: the payer's balance on the claim opens again (above what it was, and above
    zero).  That is the state an imported reversal leaves, so the same kind of item owns
    it (amount negative, as import's), until the correction arrives or someone transfers
    or writes the balance off.
    """
    after = claim_balances(conn, claim_id).insurance_cents
    reopened = max(after, 0) - max(insurance_before, 0)
    if reopened <= 0:
        return []
    claim = conn.execute(select(_CLAIM.c.patient_control_number, _CLAIM.c.patient_account_id)
                         .where(_CLAIM.c.id == claim_id)).one()
    return open_review_items(conn, [ReviewDraft(
        f"awaiting_correction|claim:{claim_id}|entry:{entry_id}", "awaiting_correction",
        f"claim {claim.patient_control_number} owed again ({format_cents(reopened)}) after "
        f"{cause}: waiting for the payer's correction", amount_cents=-reopened, priority=3,
        problem_code="AWAITING_CORRECTION",
        evidence={"insurance_before": format_cents(insurance_before),
                  "insurance_after": format_cents(after), "cause": cause,
                  "cause_entry_id": entry_id},
        payer_id=payer_id, patient_account_id=claim.patient_account_id,
        submitted_claim_id=claim_id)], actor)


def _follow_amount(conn: Connection, item: Any, credit: int, actor: str, cause: str,
                   entry_id: int | None) -> None:
    if item.amount_cents == credit:
        return
    record_item_change(
        conn, item, actor=actor, action="amount_changed", values={"amount_cents": credit},
        entry_id=entry_id, note=f"credit balance now {format_cents(credit)} (was "
                                f"{format_cents(item.amount_cents)}): {cause}")


def _open_credit(conn: Connection, claim_id: int, credit: int, actor: str, cause: str,
                 entry_id: int | None) -> list[int]:
    claim = conn.execute(select(_CLAIM.c.patient_control_number, _CLAIM.c.patient_account_id,
                                _CLAIM.c.payer_id).where(_CLAIM.c.id == claim_id)).one()
    balances = claim_balances(conn, claim_id)
    return open_review_items(conn, [ReviewDraft(
        f"credit_balance|claim:{claim_id}|entry:{entry_id}", "credit_balance",
        f"claim {claim.patient_control_number} has a credit balance "
        f"({format_cents(credit)}) after {cause}", amount_cents=credit, priority=2,
        problem_code="CREDIT_BALANCE",
        evidence={"insurance": format_cents(balances.insurance_cents),
                  "patient": format_cents(balances.patient_cents), "cause": cause,
                  "cause_entry_id": entry_id},
        payer_id=claim.payer_id, patient_account_id=claim.patient_account_id,
        submitted_claim_id=claim_id)], actor)
