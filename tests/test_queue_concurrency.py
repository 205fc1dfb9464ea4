"""Two specialists applying the same unapplied cash at once never apply it twice.

Each specialist has their own engine (own connections), as two processes would.  On SQLite
the second writer waits on BEGIN IMMEDIATE; on PostgreSQL on the item row's FOR UPDATE
lock.  Either way the second one then sees what the first did.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.models import JournalEntry, ReviewItem
from edi_posting.queue.credits import (
    credit_mismatches,
    ledger_unapplied_cents,
    queue_unapplied_cents,
)
from edi_posting.reports.ledger_checks import check_ledger
from edi_posting.review.actions import ActionError
from edi_posting.review.money import apply_cash
from tests.acting import as_user
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def unapplied(database_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """64.00 received before its claim was billed: one unmatched_payment item."""
    practice = Practice(database_url, tmp_path)
    practice.receive(remit("64", clp("PCN1", "1", "100", "64", "0", "ICN1",
                                     svc("99213", "100", "64", "CO*45*36"))))
    practice.bill_unanswered(("PCN1", (("HC:99213", "100"),)))  # `import` would match it
    with practice.engine.connect() as conn:
        ident = conn.execute(select(ReviewItem.id).where(
            ReviewItem.kind == "unmatched_payment")).scalar_one()
    practice.close()
    yield database_url, ident


def _specialist(url: str, ident: int, amount: int | None, start: threading.Barrier,
                outcomes: list[str], hold_seconds: float = 0.0) -> None:
    engine = make_engine(url)
    try:
        start.wait()
        with write_transaction(engine) as conn:
            apply_cash(conn, ident, "PCN1", principal=as_user(conn, "sam"),
                       amount_cents=amount)
            time.sleep(hold_seconds)  # keep the lock while the other one tries
        outcomes.append("applied")
    except ActionError as exc:
        outcomes.append(f"refused: {exc}")
    finally:
        engine.dispose()


def _race(url: str, ident: int, amount: int | None, hold_seconds: float) -> list[str]:
    start, outcomes = threading.Barrier(2), []  # type: ignore[var-annotated]
    threads = [threading.Thread(target=_specialist, args=(url, ident, amount, start, outcomes,
                                                          hold_seconds)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def _applied_entries_and_invariants(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert check_ledger(conn) == []
            assert queue_unapplied_cents(conn) == ledger_unapplied_cents(conn)
            assert credit_mismatches(conn) == []
            return int(conn.execute(select(func.count()).select_from(JournalEntry)
                                    .where(JournalEntry.review_item_id.is_not(None))).scalar_one())
    finally:
        engine.dispose()


@pytest.mark.parametrize("hold_seconds", [0.0, 0.5])
def test_two_specialists_applying_the_whole_cash_apply_it_once(
    unapplied: tuple[str, int], hold_seconds: float
) -> None:
    url, ident = unapplied
    outcomes = _race(url, ident, None, hold_seconds)
    assert outcomes == ["applied", f"refused: review item {ident} is resolved already"]
    assert _applied_entries_and_invariants(url) == 1


def test_two_partial_applies_that_together_exceed_the_cash_cannot_both_post(
    unapplied: tuple[str, int]
) -> None:
    url, ident = unapplied
    outcomes = _race(url, ident, 4000, 0.3)
    assert outcomes == ["applied", ("refused: the amount must be more than 0.00 and at most "
                                   f"24.00 (what item {ident} holds)")]
    assert _applied_entries_and_invariants(url) == 1
