"""Ledger checks, its digest and the open PLB forwarding balances (``read_ledger``).

No PHI: these read totals and invariants, so they are authorised but not audited as reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.money import format_cents
from edi_posting.posting.plb import open_forwarding_balances
from edi_posting.reports import ledger_checks
from edi_posting.reports.ledger_checks import Violation
from edi_posting.reports.ledger_digest import ledger_digest as digest_of

__all__ = ["LedgerCheck", "check_ledger", "forwarding_balances", "ledger_digest"]


@dataclass(frozen=True, slots=True)
class LedgerCheck:
    """The outcome of every invariant: ``ok`` when ``violations`` is empty."""

    checks: int
    violations: list[Violation]

    @property
    def ok(self) -> bool:
        return not self.violations


def check_ledger(session: Session) -> LedgerCheck:
    """Run every ledger invariant (entries sum to zero, reversals negate, BPR02 moved, every
    open dollar owned once...) and name each violation."""
    session.authorize(Permission.READ_LEDGER, "ledger.check")
    with session.reading() as conn:
        violations = ledger_checks.check_ledger(conn)
    return LedgerCheck(len(ledger_checks.CHECKS), violations)


def ledger_digest(session: Session) -> str:
    """A SHA-256 of the ledger's content: equal content, equal digest, whatever the ids,
    the database or the order independent files were imported in."""
    session.authorize(Permission.READ_LEDGER, "ledger.digest")
    with session.reading() as conn:
        return digest_of(conn)


def forwarding_balances(session: Session) -> list[dict[str, object]]:
    """PLB FB references that have not netted to zero yet (money a payer still carries)."""
    session.authorize(Permission.READ_LEDGER, "ledger.forwarding-balances")
    with session.reading() as conn:
        return [{"payer_id": b.payer_id, "reference": b.reference,
                 "net": format_cents(b.net_cents), "plb_count": b.count}
                for b in open_forwarding_balances(conn)]
