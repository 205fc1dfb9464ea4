"""The queue actions of the deposit review items (issue 25), each through the ledger.

* ``match-deposit``: a ``lonely_deposit`` to a named remittance, or a ``silent_era`` to a
  named deposit; the part the two share is matched (Dr bank / Cr cash clearing, entry
  kind ``match_deposit``), and each side's item keeps what is left of it.  On a
  ``deposit_variance`` it is the *split*: another deposit pays the rest of the remittance
  (event ``split-deposit``).
* ``request-era``: a lonely deposit's ERA asked of the payer: a note and the date to look
  again (no money moves; the item waits, in progress).
* ``receive-deposit``: a lonely deposit taken in as a payment without remittance: Dr bank /
  Cr unapplied cash, handed to an ``unmatched_payment`` item holding it (``queue apply``
  puts it on a claim); the deposit is then spoken for and never matched again.
* ``chargeback-won``: a ``returned_item`` (a bounced check, a reversed ACH credit, a
  chargeback) the practice won back: the return's entries are negated (kind
  ``chargeback_won``), the claims' cash (or the returned payment) re-posted and the
  deposit met again; a payer's check waits for its 835 again on its reopened item.
* ``accept-variance``: a deposit short of its remittance, the difference written to other
  adjustments with a reason (Dr other adjustments / Cr cash clearing).  As a write-off, an
  amount above the write-off limit needs a user who may approve.

``queue undo`` walks back a ``match-deposit`` or ``accept-variance`` (one entry each: the
match stops counting once its entry is reversed).  ``receive-deposit`` and
``chargeback-won`` name no entry on their item event, so undo refuses them: the first
hands its cash to another item (undo that item's ``apply`` instead), the second posts
several entries that only stand together.

Runs in the caller's transaction; never commits.  ``--dry-run`` is the API's rehearsal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.access.permissions import MATRIX, Permission, Principal
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import Deposit, DepositMatch, JournalEntry, ReviewItem
from edi_posting.db.workflow import (
    OPEN_STATES,
    DepositMatchMethod,
    ItemAction,
    ReceiptKind,
    ReviewStatus,
)
from edi_posting.ledger.journal import load_entries, negations, write_entries
from edi_posting.money import format_cents
from edi_posting.queue.items import ReviewDraft, open_review_items, record_item_change
from edi_posting.reconciliation.matches import (
    MatchDraft,
    banked_cents,
    lock_deposits,
    record_matches,
)
from edi_posting.reconciliation.payment_returns import held_again
from edi_posting.reconciliation.receipts import Receipt, awaiting_receipts
from edi_posting.records.problems import ProblemCode
from edi_posting.records.states import ReviewKind
from edi_posting.review.actions import ActionError, record_action
from edi_posting.review.approvals import approval_needed
from edi_posting.review.limits import write_off_limit_cents
from edi_posting.review.money import ActionResult, locked_item

__all__ = ["accept_variance", "chargeback_won", "match_deposit", "receive_deposit",
           "request_era"]

_DEPOSIT, _ITEM = table_of(Deposit), table_of(ReviewItem)
_ENTRY, _MATCH = table_of(JournalEntry), table_of(DepositMatch)


def _kind(item: Any, *kinds: ReviewKind) -> None:
    if item.kind not in kinds:
        raise ActionError(f"review item {item.id} is {item.kind}: this action works "
                          f"{' or '.join(map(str, kinds))} items")


def _deposit(conn: Connection, deposit_id: int) -> tuple[Any, int]:
    """The deposit line and what of it no receipt has taken yet."""
    row = conn.execute(select(_DEPOSIT).where(_DEPOSIT.c.id == deposit_id)).first()
    if row is None or row.is_return or row.amount_cents <= 0:
        raise ActionError(f"no deposit {deposit_id} to match (a credit line of the bank)")
    return row, row.amount_cents - banked_cents(conn, [deposit_id]).get(deposit_id, 0)


def _receipt(conn: Connection, receipt_id: int,
             kind: str = ReceiptKind.REMITTANCE) -> Receipt:
    found = awaiting_receipts(conn, ids=[receipt_id], only_open=False,
                              kinds=(ReceiptKind(kind),))
    if not found:
        raise ActionError(f"no {kind} {receipt_id}")
    return found[0]


def _item_receipt(conn: Connection, item: Any) -> Receipt:
    """The receipt a silent ERA or a variance is about: its remittance, else the received
    payment its evidence names (a variance of a payment received without remittance)."""
    evidence = item.evidence or {}
    if item.remittance_id is None and evidence.get("receipt_kind") == ReceiptKind.PAYMENT:
        return _receipt(conn, int(evidence["receipt"]), ReceiptKind.PAYMENT)
    return _receipt(conn, item.remittance_id)


def _sync(conn: Connection, kind: ReviewKind, column: Any, key: int, left: int,
          actor: str, skip: int) -> None:
    """The other side's open item follows what its deposit or remittance has left."""
    for other in conn.execute(select(_ITEM).where(_ITEM.c.kind == kind, column == key,
                                                  _ITEM.c.status.in_(OPEN_STATES),
                                                  _ITEM.c.id != skip)).all():
        done = left <= 0
        record_item_change(conn, other, actor=actor,
                           action=ItemAction.AUTO_RESOLVED if done else ItemAction.AMOUNT_CHANGED,
                           to_status=ReviewStatus.RESOLVED if done else None,
                           note=f"matched from review item {skip}",
                           values={"amount_cents": max(left, 0)})


def _pair_of(conn: Connection, item: Any, remittance_id: int | None,
             deposit_id: int | None) -> tuple[Any, int, Receipt]:
    if item.kind == ReviewKind.LONELY_DEPOSIT:
        if remittance_id is None:
            raise ActionError("name the remittance the deposit pays (--remit ID)")
        deposit, left = _deposit(conn, item.deposit_id)
        return deposit, left, _receipt(conn, remittance_id)
    if deposit_id is None:
        raise ActionError("name the deposit that paid it (--deposit ID)")
    deposit, left = _deposit(conn, deposit_id)
    return deposit, left, _item_receipt(conn, item)


def match_deposit(conn: Connection, item_id: int, *, principal: Principal,
                  remittance_id: int | None = None, deposit_id: int | None = None,
                  amount_cents: int | None = None) -> ActionResult:
    """Match a deposit with a remittance by hand (see the module docstring)."""
    lock_deposits(conn)
    item = locked_item(conn, item_id)
    _kind(item, ReviewKind.LONELY_DEPOSIT, ReviewKind.SILENT_ERA, ReviewKind.DEPOSIT_VARIANCE)
    deposit, left, receipt = _pair_of(conn, item, remittance_id, deposit_id)
    most = min(left, receipt.awaiting_cents)
    amount = most if amount_cents is None else amount_cents
    if most <= 0 or not 0 < amount <= most:
        raise ActionError(f"deposit {deposit.id} has {format_cents(left)} left and remittance "
                          f"{receipt.id} awaits {format_cents(receipt.awaiting_cents)}: "
                          f"at most {format_cents(max(most, 0))} can be matched")
    split = item.kind == ReviewKind.DEPOSIT_VARIANCE
    action = ItemAction.SPLIT_DEPOSIT if split else ItemAction.MATCH_DEPOSIT
    [entry_id] = record_matches(conn, [MatchDraft(
        deposit.id, receipt, amount, DepositMatchMethod.MANUAL, dt.date.today(),
        EntryKind.MATCH_DEPOSIT, item.id, receipt.kind)], principal.name)
    deposit_left, receipt_left = left - amount, receipt.awaiting_cents - amount
    own = deposit_left if item.kind == ReviewKind.LONELY_DEPOSIT else receipt_left
    text = (f"deposit {deposit.id} matched to {receipt.kind} {receipt.id} (trace {receipt.trace}) "
            f"for {format_cents(amount)}; {format_cents(own)} left on this item")
    status = ReviewStatus.RESOLVED if own <= 0 else None
    record_action(conn, item, actor=principal.name, role=principal.role, action=action,
                  to_status=status, note=text, entry_id=entry_id, values={"amount_cents": own},
                  details={"deposit_id": deposit.id, "remittance_id": receipt.id,
                           "amount": format_cents(amount)})
    _sync(conn, ReviewKind.LONELY_DEPOSIT, _ITEM.c.deposit_id, deposit.id, deposit_left,
          principal.name, item.id)
    if receipt.kind == ReceiptKind.REMITTANCE:  # a received payment has no silent ERA
        _sync(conn, ReviewKind.SILENT_ERA, _ITEM.c.remittance_id, receipt.id, receipt_left,
              principal.name, item.id)
    return ActionResult(item.id, action, status or item.status, f"review item {item.id}: {text}",
                        amount, (entry_id,))


def request_era(conn: Connection, item_id: int, note: str, follow_up: dt.date, *,
                principal: Principal) -> ActionResult:
    """Ask the payer for a lonely deposit's ERA: the note, and when to look again."""
    item = locked_item(conn, item_id)
    _kind(item, ReviewKind.LONELY_DEPOSIT, ReviewKind.SILENT_ERA)
    if not note.strip():
        raise ActionError("say whom you asked and how (a note)")
    text = f"ERA requested: {note.strip()}; follow up on {follow_up.isoformat()}"
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.REQUEST_ERA, to_status=ReviewStatus.IN_PROGRESS, note=text,
                  values={"due_date": follow_up}, details={"on": follow_up.isoformat()})
    return ActionResult(item.id, ItemAction.REQUEST_ERA, ReviewStatus.IN_PROGRESS,
                        f"review item {item.id}: {text}")


def receive_deposit(conn: Connection, item_id: int, *, principal: Principal,
                    note: str | None = None) -> ActionResult:
    """A lonely deposit taken in as a payment without remittance (unapplied cash)."""
    lock_deposits(conn)
    item = locked_item(conn, item_id)
    _kind(item, ReviewKind.LONELY_DEPOSIT)
    deposit, left = _deposit(conn, item.deposit_id)
    if left <= 0:
        raise ActionError(f"deposit {deposit.id} has nothing left to receive")
    [held] = open_review_items(conn, [ReviewDraft(
        f"deposit_received:{deposit.id}", ReviewKind.UNMATCHED_PAYMENT,
        f"deposit {deposit.id} of {deposit.deposit_date} ('{deposit.description or ''}') "
        f"received without remittance: {format_cents(left)} to apply", left, 2,
        ProblemCode.LONELY_DEPOSIT, {"deposit_id": deposit.id, "from_item": item.id},
        deposit_id=deposit.id)], principal.name)
    receipt = Receipt(ReceiptKind.UNAPPLIED, held, None, "", left, deposit.bank_reference,
                      deposit.deposit_date, None)
    [entry_id] = record_matches(conn, [MatchDraft(
        deposit.id, receipt, left, DepositMatchMethod.MANUAL, dt.date.today(),
        EntryKind.RECEIVE_DEPOSIT, item.id, ReceiptKind.UNAPPLIED,
        credit=AccountCode.UNAPPLIED_CASH)], principal.name)
    text = (f"received {format_cents(left)} of deposit {deposit.id} as unapplied cash, held by "
            f"review item {held}{f': {note.strip()}' if note and note.strip() else ''}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.RECEIVE_DEPOSIT, to_status=ReviewStatus.RESOLVED,
                  note=text, values={"amount_cents": 0},  # no entry on the event: see below
                  details={"deposit_id": deposit.id, "unmatched_payment_item": held,
                           "entry": entry_id})
    return ActionResult(item.id, ItemAction.RECEIVE_DEPOSIT, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", left, (entry_id,), (held,))


def accept_variance(conn: Connection, item_id: int, reason: str, *,
                    principal: Principal) -> ActionResult:
    """The remittance's shortfall written off to other adjustments, with a reason."""
    lock_deposits(conn)
    item = locked_item(conn, item_id)
    _kind(item, ReviewKind.DEPOSIT_VARIANCE)
    if not reason.strip():
        raise ActionError("accepting a variance needs a reason")
    receipt = _item_receipt(conn, item)
    short, limit = receipt.awaiting_cents, write_off_limit_cents(conn)
    if short <= 0:
        raise ActionError(f"{receipt.kind} {receipt.id} awaits nothing now: nothing to accept")
    if approval_needed(principal) and short > limit and Permission.APPROVE not in MATRIX.get(
            principal.role or "", frozenset()):
        raise ActionError(f"{format_cents(short)} is above the write-off limit "
                          f"{format_cents(limit)}: a lead or an admin accepts it")
    [entry_id] = record_matches(conn, [MatchDraft(
        item.deposit_id, receipt, short, DepositMatchMethod.VARIANCE, dt.date.today(),
        EntryKind.ACCEPT_VARIANCE, item.id, receipt.kind, debit=AccountCode.OTHER_ADJUSTMENTS)],
        principal.name)
    text = (f"accepted the {format_cents(short)} deposit {item.deposit_id} is short of "
            f"{receipt.kind} {receipt.id} as an adjustment: {reason.strip()}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.ACCEPT_VARIANCE, to_status=ReviewStatus.RESOLVED,
                  note=text, entry_id=entry_id, values={"amount_cents": 0},
                  details={"amount": format_cents(short), "reason": reason.strip()})
    return ActionResult(item.id, ItemAction.ACCEPT_VARIANCE, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", short, (entry_id,))


def chargeback_won(conn: Connection, item_id: int, *, principal: Principal,
                   note: str | None = None) -> ActionResult:
    """A returned item won back: its reopened cash negated and its deposit met again."""
    lock_deposits(conn)
    item = locked_item(conn, item_id)
    _kind(item, ReviewKind.RETURNED_ITEM)
    posted = conn.execute(select(_ENTRY.c.id, _ENTRY.c.reverses_entry_id).where(
        _ENTRY.c.review_item_id == item.id, _ENTRY.c.kind == EntryKind.DEPOSIT_RETURN)
        .order_by(_ENTRY.c.id)).all()
    if not posted:
        raise ActionError(f"review item {item.id}: nothing was posted for this return (it "
                          "was not tied to a deposit): nothing to re-post")
    matched = set(conn.execute(select(_MATCH.c.journal_entry_id).where(
        _MATCH.c.journal_entry_id.in_([p.reverses_entry_id for p in posted]))).scalars())
    reopened = load_entries(conn, [p.id for p in posted if p.reverses_entry_id not in matched])
    today = dt.date.today()
    drafts = [replace(d, claim_payment_id=e.claim_payment_id, review_item_id=item.id)
              for d, e in zip(negations(reopened, kind=EntryKind.CHARGEBACK_WON,
                                        key_suffix=f"won:{item.id}", effective_date=today),
                              reopened, strict=True)]
    entry_ids = write_entries(conn, drafts, principal.name)
    again = [MatchDraft(m.deposit_id, _receipt(conn, m.receipt_id, m.receipt_kind),
                        m.amount_cents, DepositMatchMethod.MANUAL, today,
                        EntryKind.CHARGEBACK_WON, item.id, m.receipt_kind)
             for m in conn.execute(select(_MATCH).where(_MATCH.c.journal_entry_id.in_(
                 sorted(matched))))]
    entry_ids += record_matches(conn, again, principal.name)
    held_again(conn, [m.receipt.id for m in again if m.receipt_kind == ReceiptKind.PAYMENT],
                item.id, principal.name)
    text = (f"chargeback won: {format_cents(item.amount_cents)} deposited again and the "
            f"claims' cash re-posted{f': {note.strip()}' if note and note.strip() else ''}")
    record_action(conn, item, actor=principal.name, role=principal.role,
                  action=ItemAction.CHARGEBACK_WON, to_status=ReviewStatus.RESOLVED, note=text,
                  values={"amount_cents": 0},  # no entry on the event: see the docstring
                  details={"entries": entry_ids})
    return ActionResult(item.id, ItemAction.CHARGEBACK_WON, ReviewStatus.RESOLVED,
                        f"review item {item.id}: {text}", int(item.amount_cents),
                        tuple(entry_ids))
