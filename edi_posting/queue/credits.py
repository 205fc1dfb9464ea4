"""The queue's two money figures, kept equal to the ledger after every review action.

* Unapplied cash: the open items that hold money in suspense (``holds_unapplied``) carry
  that money as their amount; their sum is the unapplied-cash ledger balance (a credit,
  so its negation).  Actions that apply cash lower the item's amount by what they move.
* Credit balances: each side of a claim in credit (a payer's insurance balance below
  zero, the patient balance below zero: :mod:`edi_posting.queue.credit_sides`) is owned by one
  open ``credit_balance`` item carrying exactly that side's credit; sides are never
  netted.  After anything moves money on a claim (a review action, an import),
  :func:`follow_credit_items` brings the claim's items in line with the ledger, the one
  way credit items are opened and kept: the amount follows the side's credit, the item
  resolves itself (with an event saying why) when the credit is gone, and a side newly
  in credit gets its own item (keyed by claim and side, whatever opened it).

Consumes a connection inside the caller's transaction; never commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import JournalLine, Payer, ReviewItem, SubmittedClaim
from edi_posting.db.races import lock_claims
from edi_posting.db.workflow import OPEN_STATES, ItemAction
from edi_posting.ledger.journal import account_ids, claim_balances
from edi_posting.money import format_cents
from edi_posting.queue.credit_sides import (
    ClaimSide,
    assign_sides,
    credit_items,
    item_side,
    ordered,
    side_credits,
)
from edi_posting.queue.items import (
    ReviewDraft,
    close_review_items,
    open_review_items,
    record_item_change,
)
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind

__all__ = [
    "CreditCause",
    "credit_mismatches",
    "follow_credit_items",
    "ledger_unapplied_cents",
    "own_reopened_balance",
    "owned_twice",
    "queue_unapplied_cents",
    "refresh_credit_balances",
]

_FIGURE = re.compile(r"credit balance \([^)]*\)")
_ITEM, _LINE = table_of(ReviewItem), table_of(JournalLine)
_CLAIM, _PAYER = table_of(SubmittedClaim), table_of(Payer)


def queue_unapplied_cents(conn: Connection) -> int:
    """Unapplied cash as the queue shows it: the amounts of the open items holding it."""
    rows = conn.execute(select(_ITEM.c.kind, _ITEM.c.claim_payment_id, _ITEM.c.amount_cents)
                        .where(_ITEM.c.status.in_(OPEN_STATES)))
    return sum(r.amount_cents for r in rows if holds_unapplied(r.kind, r.claim_payment_id))


def ledger_unapplied_cents(conn: Connection) -> int:
    """The unapplied-cash balance of the ledger, as money held (credit positive)."""
    account = account_ids(conn)[AccountCode.UNAPPLIED_CASH]
    total = conn.execute(select(func.coalesce(func.sum(_LINE.c.amount_cents), 0))
                         .where(_LINE.c.account_id == account)).scalar_one()
    return -int(total)


def credit_mismatches(conn: Connection) -> list[str]:
    """Where the queue's credit balances and the ledger's sides in credit differ.

    Empty when every side in credit (each payer's insurance receivable, the patient
    receivable, below zero) has an open ``credit_balance`` item carrying exactly its
    credit, and no open item carries a credit the ledger does not show.
    """
    credits, items = side_credits(conn, None), credit_items(conn, None)
    problems = []
    for claim_id in sorted(set(credits) | set(items)):
        ledger = credits.get(claim_id, {})
        shown: dict[ClaimSide, int] = {}
        owners = assign_sides(ledger, items.get(claim_id, []))
        for item in items.get(claim_id, []):
            side = owners[item.id]
            if side is not None:
                shown[side] = shown.get(side, 0) + item.amount_cents
            elif item.amount_cents:
                problems.append(f"claim {claim_id}: open review item {item.id} carries "
                                f"{format_cents(item.amount_cents)}, a credit no side of "
                                "the claim has")
        for side in sorted(set(ledger) | set(shown), key=lambda s: s.token):
            if ledger.get(side, 0) != shown.get(side, 0):
                problems.append(f"claim {claim_id}, {side.label}: ledger credit "
                                f"{format_cents(ledger.get(side, 0))}, queue shows "
                                f"{format_cents(shown.get(side, 0))}")
    return problems


def owned_twice(conn: Connection) -> list[str]:
    """Money two open items own at once: one claim payment's cash held by two items, or
    one side's credit (a payer's, the patient's) carried by two ``credit_balance`` items."""
    rows = conn.execute(select(_ITEM.c.id, _ITEM.c.kind, _ITEM.c.claim_payment_id,
                               _ITEM.c.amount_cents)
                        .where(_ITEM.c.status.in_(OPEN_STATES)).order_by(_ITEM.c.id))
    payments: dict[int, list[int]] = {}
    for r in rows:
        if r.claim_payment_id is not None and r.amount_cents and holds_unapplied(
                r.kind, r.claim_payment_id):
            payments.setdefault(r.claim_payment_id, []).append(r.id)
    credits, twice = side_credits(conn, None), []
    for claim_id, items in sorted(credit_items(conn, None).items()):
        carriers: dict[ClaimSide, list[int]] = {}
        for item_id, side in assign_sides(credits.get(claim_id, {}), items).items():
            if side is not None:
                carriers.setdefault(side, []).append(item_id)
        twice += [f"claim {claim_id}, {side.label}: its credit is carried by open review "
                  f"items {', '.join(map(str, ids))}"
                  for side, ids in sorted(carriers.items(), key=lambda kv: kv[0].token)
                  if len(ids) > 1]
    return [f"claim payment {k}: its cash is owned by open review items "
            f"{', '.join(map(str, v))}" for k, v in sorted(payments.items()) if len(v) > 1] + twice


@dataclass(frozen=True, slots=True)
class CreditCause:
    """What moved a claim's money: said in the events, and linked from a new item."""

    text: str
    entry_id: int | None = None
    claim_payment_id: int | None = None
    remittance_id: int | None = None
    file_id: int | None = None


def refresh_credit_balances(conn: Connection, claim_ids: Iterable[int], *, actor: str,
                            cause: str, entry_id: int | None = None) -> list[int]:
    """Bring each claim's ``credit_balance`` items in line with its sides in credit.

    ``cause`` says which action moved the money; it goes into the events.  Returns the ids
    of the items opened (an action that overpays a claim creates a credit to work).
    """
    drafts = follow_credit_items(conn, claim_ids, actor=actor,
                                 cause=CreditCause(cause, entry_id))
    return open_review_items(conn, drafts, actor)


def follow_credit_items(conn: Connection, claim_ids: Iterable[int], *, actor: str,
                        cause: CreditCause, causes: Mapping[int, CreditCause] | None = None
                        ) -> list[ReviewDraft]:
    """The one way credit items are kept: per claim, each side in credit keeps its open
    item (the amount follows the ledger), items whose side is out of credit resolve
    (with an event saying why), and a draft is returned for each side no item owns yet.

    The caller opens the drafts (an import opens them with the rest of its set's items);
    ``causes`` gives a claim its own cause (the claim payment that moved it).
    """
    ids = sorted(set(claim_ids))
    if not ids:
        return []
    lock_claims(conn, ids)  # a concurrent writer's entries on them are seen, not missed
    credits, items = side_credits(conn, ids), credit_items(conn, ids)
    drafts = []
    for claim_id in sorted(set(credits) | set(items)):
        said = (causes or {}).get(claim_id, cause)
        unowned = _follow_claim(conn, credits.get(claim_id, {}), items.get(claim_id, []),
                                actor, said)
        drafts += [_credit_draft(conn, claim_id, side, credits[claim_id][side], said)
                   for side in unowned]
    return drafts


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
        f"awaiting_correction|claim:{claim_id}|entry:{entry_id}", ReviewKind.AWAITING_CORRECTION,
        f"claim {claim.patient_control_number} owed again ({format_cents(reopened)}) after "
        f"{cause}: waiting for the payer's correction", amount_cents=-reopened, priority=3,
        problem_code=ProblemCode.AWAITING_CORRECTION,
        evidence={"insurance_before": format_cents(insurance_before),
                  "insurance_after": format_cents(after), "cause": cause,
                  "cause_entry_id": entry_id},
        payer_id=payer_id, patient_account_id=claim.patient_account_id,
        submitted_claim_id=claim_id)], actor)


def _follow_claim(conn: Connection, credits: Mapping[ClaimSide, int], items: Sequence[Any],
                  actor: str, cause: CreditCause) -> list[ClaimSide]:
    """Follow, adopt or resolve the claim's open items; return the sides left unowned."""
    owners, carried = assign_sides(credits, items), dict[ClaimSide, int]()
    for item in items:
        side = owners[item.id]
        if side is None or side not in credits:
            close_review_items(conn, [item.id], actor, f"credit balance cleared: {cause.text}")
        elif side in carried:
            close_review_items(conn, [item.id], actor,
                               f"credit balance now carried by item {carried[side]}")
        else:
            carried[side] = item.id
            _follow_amount(conn, item, side, credits[side], actor, cause)
    return [side for side in ordered(credits) if side not in carried]


def _follow_amount(conn: Connection, item: Any, side: ClaimSide, credit: int, actor: str,
                   cause: CreditCause) -> None:
    """The item's amount follows its side's credit; an item stored without a side (older
    versions) has the side it owns recorded, so it keeps that side from now on."""
    adopt = item_side(item) is None
    if item.amount_cents != credit:
        values: dict[str, Any] = {"amount_cents": credit,
                                  "message": _restated(item.message, credit)}
        if adopt:
            values["evidence"] = {**(item.evidence or {}), **side.evidence()}
        record_item_change(
            conn, item, actor=actor, action=ItemAction.AMOUNT_CHANGED, values=values,
            entry_id=cause.entry_id, note=f"credit balance now {format_cents(credit)} (was "
                                          f"{format_cents(item.amount_cents)}): {cause.text}")
    elif adopt:
        record_item_change(
            conn, item, actor=actor, action=ItemAction.SIDE_RECORDED,
            values={"evidence": {**(item.evidence or {}), **side.evidence()}},
            note=f"the credit of {format_cents(credit)} is {side.label}")


def _restated(message: str, credit: int) -> str:
    """The item's message with the credit it states now (a message saying the opening
    figure after a partial refund would send a specialist to refund money twice)."""
    figure = f"credit balance ({format_cents(credit)})"
    restated, found = _FIGURE.subn(figure, message, count=1)
    return restated if found else f"{message} (credit balance now {format_cents(credit)})"


def _credit_draft(conn: Connection, claim_id: int, side: ClaimSide, credit: int,
                  cause: CreditCause) -> ReviewDraft:
    """An item owning one side's credit, keyed by claim, side and how many that side had
    before (one key format whatever opened it; a closed item's key is never reused)."""
    claim = conn.execute(select(_CLAIM.c.patient_control_number, _CLAIM.c.patient_account_id)
                         .where(_CLAIM.c.id == claim_id)).one()
    prefix = f"credit_balance|claim:{claim_id}|{side.token}|"
    before = conn.execute(select(func.count()).where(
        _ITEM.c.dedupe_key.like(prefix + "%"))).scalar_one()
    owed = ("the patient" if side.is_patient else
            f"payer {_payer_name(conn, side.payer_id)}")
    balances = claim_balances(conn, claim_id)
    return ReviewDraft(
        f"{prefix}{int(before) + 1}", ReviewKind.CREDIT_BALANCE,
        f"claim {claim.patient_control_number} has a credit balance ({format_cents(credit)}) "
        f"owed to {owed} after {cause.text}", amount_cents=credit, priority=2,
        problem_code=ProblemCode.CREDIT_BALANCE,
        evidence={**side.evidence(), "credit": format_cents(credit),
                  "insurance": format_cents(balances.insurance_cents),
                  "patient": format_cents(balances.patient_cents), "cause": cause.text,
                  "cause_entry_id": cause.entry_id,
                  "cause_claim_payment_id": cause.claim_payment_id},
        payer_id=side.payer_id, patient_account_id=claim.patient_account_id,
        submitted_claim_id=claim_id, claim_payment_id=cause.claim_payment_id,
        remittance_id=cause.remittance_id, file_id=cause.file_id)


def _payer_name(conn: Connection, payer_id: int | None) -> str:
    if payer_id is None:
        return "(none named)"
    return str(conn.execute(select(_PAYER.c.name).where(_PAYER.c.id == payer_id)).scalar())
