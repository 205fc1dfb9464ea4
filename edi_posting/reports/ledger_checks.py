"""Ledger invariants, each a small named check over the whole database, and the digest.

``check_ledger`` runs every check and returns the violations (empty when the ledger is
sound); ``edi-posting ledger check`` exits 1 when there are any.  The last three hold the
review queue to the ledger: every open dollar a person must act on (unapplied cash, a
credit balance) is owned by exactly one open item.  ``ledger_digest`` (defined in
``edi_posting.reports.ledger_digest``) is re-exported here.  Balances are never
stored (they are sums over journal lines), so "account balances equal the fold of their
lines" holds by construction; the checks below cover what could still go wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import aliased

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.models import JournalEntry, JournalLine, LedgerAccount, Remittance
from edi_posting.money import format_cents
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    owned_twice,
    queue_unapplied_cents,
)
from edi_posting.reconciliation.status import cash_clearing_difference
from edi_posting.records.remittance_parts import signed_payment_cents

__all__ = ["CHECKS", "Violation", "check_ledger"]

_E, _L, _A = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)
_R = table_of(Remittance)


@dataclass(frozen=True, slots=True)
class Violation:
    check: str
    entry_id: int | None
    message: str


def entries_sum_to_zero(conn: Connection) -> list[Violation]:
    rows = conn.execute(
        select(_L.c.entry_id, func.sum(_L.c.amount_cents))
        .group_by(_L.c.entry_id)
        .having(func.sum(_L.c.amount_cents) != 0)
    ).all()
    return [Violation("entries_sum_to_zero", e, f"entry {e} sums to {total} cents, not 0")
            for e, total in rows]


def entries_have_lines(conn: Connection) -> list[Violation]:
    counts = select(_L.c.entry_id, func.count().label("n")).group_by(_L.c.entry_id).subquery()
    rows = conn.execute(
        select(_E.c.id, counts.c.n).outerjoin(counts, counts.c.entry_id == _E.c.id)
        .where(func.coalesce(counts.c.n, 0) < 2)
    ).all()
    return [Violation("entries_have_lines", e, f"entry {e} has {n or 0} line(s); at least 2 needed")
            for e, n in rows]


def reversals_negate_their_original(conn: Connection) -> list[Violation]:
    """A reversal's lines are exactly the negated lines of the entry it reverses."""
    original = aliased(_L)
    reversal_lines = (
        select(_E.c.id, _E.c.reverses_entry_id, _L.c.account_id, _L.c.amount_cents,
               _L.c.submitted_claim_id)
        .join(_L, _L.c.entry_id == _E.c.id)
        .where(_E.c.reverses_entry_id.is_not(None))
    )
    found: dict[int, list[tuple[int, int, object]]] = {}
    originals: dict[int, int] = {}
    for entry_id, reverses, account, amount, claim in conn.execute(reversal_lines):
        found.setdefault(entry_id, []).append((account, -amount, claim))
        originals[entry_id] = reverses
    violations = []
    for entry_id, lines in found.items():
        expected = conn.execute(
            select(original.c.account_id, original.c.amount_cents, original.c.submitted_claim_id)
            .where(original.c.entry_id == originals[entry_id])
        ).all()
        if sorted(lines, key=repr) != sorted((tuple(r) for r in expected), key=repr):
            violations.append(Violation(
                "reversals_negate_their_original", entry_id,
                f"entry {entry_id} does not exactly negate entry {originals[entry_id]}"))
    return violations


def remittances_move_their_payment(conn: Connection) -> list[Violation]:
    """Per remittance, cash clearing of its entries = BPR02 (posted + unapplied - PLB)."""
    cash = conn.execute(select(_A.c.id).where(_A.c.code == AccountCode.CASH_CLEARING)).scalar_one()
    moved = (
        select(_E.c.remittance_id, func.sum(_L.c.amount_cents).label("cents"))
        .join(_L, _L.c.entry_id == _E.c.id)
        .where(_L.c.account_id == cash, _E.c.remittance_id.is_not(None))
        .group_by(_E.c.remittance_id).subquery()
    )
    rows = conn.execute(
        select(_R.c.id, _R.c.payment_cents, _R.c.credit_debit, func.coalesce(moved.c.cents, 0))
        .outerjoin(moved, moved.c.remittance_id == _R.c.id)
    ).all()
    violations = []
    for remittance_id, payment, credit_debit, cents in rows:
        expected = signed_payment_cents(payment, credit_debit)
        if int(cents) != expected:
            violations.append(Violation(
                "remittances_move_their_payment", None,
                f"remittance {remittance_id}: its entries move {int(cents)} cents through cash "
                f"clearing, BPR02 is {expected}"))
    return violations


def queue_owns_unapplied_cash(conn: Connection) -> list[Violation]:
    """The open items holding unapplied cash own exactly the ledger's unapplied cash: no
    cash waits in suspense that no one is working (an item closed behind its back)."""
    ledger, queue = ledger_unapplied_cents(conn), queue_unapplied_cents(conn)
    if ledger == queue:
        return []
    return [Violation("queue_owns_unapplied_cash", None,
                      f"the ledger holds {format_cents(ledger)} in unapplied cash; open review "
                      f"items own {format_cents(queue)}")]


def queue_carries_credit_balances(conn: Connection) -> list[Violation]:
    """Every side of a claim in credit (each payer's insurance balance, the patient balance,
    below zero; never netted with a side that owes) has its open ``credit_balance`` item
    carrying exactly that side's credit, and no open item carries a credit the ledger does
    not show."""
    return [Violation("queue_carries_credit_balances", None, text)
            for text in credit_mismatches(conn)]


def no_dollar_owned_twice(conn: Connection) -> list[Violation]:
    """No claim payment's cash, and no side's credit, is owned by two open items."""
    return [Violation("no_dollar_owned_twice", None, text) for text in owned_twice(conn)]


def cash_clearing_awaits_deposit(conn: Connection) -> list[Violation]:
    """Cash clearing holds exactly the money received and not yet deposited: each
    receipt's cash less what deposits met (issue 25); anything else moving it is wrong."""
    text = cash_clearing_difference(conn)
    return [] if text is None else [Violation("cash_clearing_awaits_deposit", None, text)]


CHECKS: list[Callable[[Connection], list[Violation]]] = [
    entries_sum_to_zero,
    entries_have_lines,
    reversals_negate_their_original,
    remittances_move_their_payment,
    queue_owns_unapplied_cash,
    queue_carries_credit_balances,
    no_dollar_owned_twice,
    cash_clearing_awaits_deposit,
]


def check_ledger(conn: Connection) -> list[Violation]:
    violations: list[Violation] = []
    for check in CHECKS:
        violations.extend(check(conn))
    return violations
