"""The money invariants any sequence of imports and queue actions must keep, as data.

Each check takes a connection and returns what it found wrong (empty when sound), so a
test can assert on one, all of them (:func:`money_violations`), or print them.  They are
what the state machine in ``test_money_state_machine.py`` checks after every step, and any
posting test may call them after its scenario.

* the ledger's own checks (``ledger check``): every entry sums to zero, has two lines,
  reversals negate their original, each remittance moves its BPR02;
* the queue owns every open dollar once: the open items holding unapplied cash sum to the
  ledger's unapplied cash, no claim payment's cash is held by two open items, and open
  ``credit_balance`` items carry exactly the claims' credits;
* no claim's patient share exceeds what its 835s assigned (see :func:`patient_overshares`);
* no claim's insurance balance is split between payers: a payer never owed anything on a
  claim holds no credit on it (see :func:`payer_splits`);
* and, for steps that must change nothing (a re-import, a refused action), a
  :func:`posting_snapshot` taken before equals the one taken after.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, case, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    Adjustment,
    ClaimPayment,
    JournalEntry,
    JournalLine,
    ProviderAdjustment,
    Refund,
    Remittance,
    ReviewItem,
    ReviewItemEvent,
    SubmittedClaim,
    TransactionSet,
)
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.ledger.journal import account_ids
from edi_posting.money import format_cents
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)
from edi_posting.queue.kinds import holds_unapplied
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.reports.ledger_digest import ledger_digest

__all__ = [
    "PostingSnapshot",
    "ledger_violations",
    "money_violations",
    "patient_overshares",
    "payer_splits",
    "posting_snapshot",
    "queue_violations",
]

_ITEM, _CP, _ADJ = table_of(ReviewItem), table_of(ClaimPayment), table_of(Adjustment)
_ENTRY, _LINE = table_of(JournalEntry), table_of(JournalLine)

# Every table an import or a money action writes to (not the archive, envelopes or audit
# trail: re-receiving a file is itself worth recording there).
_POSTING_TABLES = (JournalEntry, JournalLine, ReviewItem, ReviewItemEvent, Remittance,
                   ClaimPayment, Adjustment, ProviderAdjustment, Refund, SubmittedClaim,
                   TransactionSet)

# Entries by which a specialist deliberately makes the patient owe more than the payer
# assigned (the payer denied, the patient pays); nothing else may.
_TO_PATIENT_KINDS = ("transfer",)


def ledger_violations(conn: Connection) -> list[str]:
    """What ``edi-posting ledger check`` reports (entries sum to zero among them)."""
    return [f"{v.check}: {v.message}" for v in check_ledger(conn)]


def queue_violations(conn: Connection) -> list[str]:
    """The queue owns every open dollar once: unapplied cash, held cash, credits."""
    found = []
    queue, ledger = queue_unapplied_cents(conn), ledger_unapplied_cents(conn)
    if queue != ledger:
        found.append(f"unapplied cash: open items hold {format_cents(queue)}, the ledger "
                     f"holds {format_cents(ledger)}")
    holders: Counter[int] = Counter()
    for row in conn.execute(select(_ITEM.c.kind, _ITEM.c.claim_payment_id, _ITEM.c.amount_cents)
                            .where(_ITEM.c.status.in_(OPEN_STATES))):
        if row.claim_payment_id is not None and row.amount_cents and holds_unapplied(
                row.kind, row.claim_payment_id):
            holders[row.claim_payment_id] += 1
    found += [f"claim payment {cp}: its cash is held by {n} open items"
              for cp, n in sorted(holders.items()) if n > 1]
    return found + [f"credit balance: {m}" for m in credit_mismatches(conn)]


def patient_overshares(conn: Connection) -> list[str]:
    """Claims whose patient balance is more than one 835 adjudication made the patient owe.

    The patient's share of a claim is what the payer's adjudication assigned (its PR
    adjustments).  A claim adjudicated again (a duplicate payment, a correction) still has
    one patient share, so the bound is the largest PR any single claim payment standing on
    the claim assigned; a reversal only lowers it.  What a specialist transferred to the
    patient is deliberate and left out.
    """
    accounts = account_ids(conn)
    pr = (select(_ADJ.c.claim_payment_id, func.sum(_ADJ.c.amount_cents).label("cents"))
          .where(_ADJ.c.group_code == "PR").group_by(_ADJ.c.claim_payment_id).subquery())
    assigned: dict[int, int] = {}
    for claim_id, cents in conn.execute(
            select(_CP.c.submitted_claim_id, pr.c.cents).join(pr, pr.c.claim_payment_id == _CP.c.id)
            .where(_CP.c.submitted_claim_id.is_not(None), _CP.c.status_code != "22")):
        assigned[claim_id] = max(assigned.get(claim_id, 0), int(cents))
    owed = conn.execute(
        select(_LINE.c.submitted_claim_id, func.sum(_LINE.c.amount_cents))
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(_LINE.c.account_id == accounts["patient_ar"],
               _LINE.c.submitted_claim_id.is_not(None),
               _ENTRY.c.kind.not_in(_TO_PATIENT_KINDS))
        .group_by(_LINE.c.submitted_claim_id)).all()
    return [f"claim {claim_id}: the patient owes {format_cents(int(cents))}, its 835s assigned "
            f"at most {format_cents(assigned.get(claim_id, 0))} (patient lines by entry: "
            f"{_patient_lines(conn, claim_id, accounts['patient_ar'])})"
            for claim_id, cents in owed if int(cents) > assigned.get(claim_id, 0)]


def _patient_lines(conn: Connection, claim_id: int, account: int) -> str:
    """Which entries made the patient owe what, to tell one bug from another."""
    rows = conn.execute(select(_ENTRY.c.id, _ENTRY.c.kind, _ENTRY.c.claim_payment_id,
                               _LINE.c.amount_cents)
                        .join(_LINE, _LINE.c.entry_id == _ENTRY.c.id)
                        .where(_LINE.c.submitted_claim_id == claim_id,
                               _LINE.c.account_id == account)
                        .order_by(_ENTRY.c.id, _LINE.c.ordinal))
    return ", ".join(f"entry {r.id} {r.kind} (claim payment {r.claim_payment_id}) "
                     f"{format_cents(r.amount_cents)}" for r in rows)


def payer_splits(conn: Connection) -> list[str]:
    """Claims on which a payer holds a credit without ever having been owed anything there
    (no charge, transfer or forward to it): money credited to a payer other than the one
    the claim is owed by, the claim's total netting to zero while each side is wrong."""
    amount = _LINE.c.amount_cents
    rows = conn.execute(
        select(_LINE.c.submitted_claim_id, _LINE.c.payer_id,
               func.sum(case((amount > 0, amount), else_=0)), func.sum(amount))
        .where(_LINE.c.account_id == account_ids(conn)["insurance_ar"],
               _LINE.c.submitted_claim_id.is_not(None))
        .group_by(_LINE.c.submitted_claim_id, _LINE.c.payer_id)).all()
    return [f"claim {claim_id}: payer {payer_id} was never owed anything on it and holds "
            f"{format_cents(int(total))}" for claim_id, payer_id, owed, total in rows
            if int(owed) == 0 and int(total) < 0]


def money_violations(conn: Connection) -> list[str]:
    """Every invariant above at once, for an assertion after each step."""
    return (ledger_violations(conn) + queue_violations(conn) + patient_overshares(conn)
            + payer_splits(conn))


@dataclass(frozen=True, slots=True)
class PostingSnapshot:
    """What a step that must change nothing is compared on, before and after."""

    digest: str
    rows: tuple[tuple[str, int], ...]
    items: tuple[tuple[int, str, int], ...]  # (id, status, amount) of every review item


def posting_snapshot(conn: Connection) -> PostingSnapshot:
    rows = tuple((model.__tablename__, int(conn.execute(
        select(func.count()).select_from(table_of(model))).scalar_one()))
        for model in _POSTING_TABLES)
    items = tuple((r.id, r.status, r.amount_cents) for r in conn.execute(
        select(_ITEM.c.id, _ITEM.c.status, _ITEM.c.amount_cents).order_by(_ITEM.c.id)))
    return PostingSnapshot(ledger_digest(conn), rows, items)
