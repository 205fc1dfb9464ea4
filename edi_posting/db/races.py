"""Races between concurrent importers on PostgreSQL, and what to do when one is lost.

Every idempotency key is a UNIQUE constraint, and two importers may reach the same key at
once: the same file under two names, the same transaction set in two files, a payer alias
or an interchange both learn.  PostgreSQL makes the second inserter wait for the first to
commit and then refuses it (unique_violation), or breaks a lock cycle (deadlock_detected).
Neither is an error of the input or of the code: the loser rolls its unit back and runs it
again from the start, and the rerun sees the winner's rows (a set the winner posted is
``already_imported``).  SQLite writers hold BEGIN IMMEDIATE, so they never race; a UNIQUE
violation there is a real bug and is raised at once.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError

from edi_posting.logs import log_event

__all__ = ["ATTEMPTS", "is_race", "lock_claims", "retry_races"]

T = TypeVar("T")
ATTEMPTS = 6  # a unit can lose one race per key it shares with others (alias, ISA, set)
# unique_violation, deadlock_detected, serialization_failure
_RACE_STATES = frozenset({"23505", "40P01", "40001"})


def is_race(exc: BaseException) -> bool:
    """A lost race with another writer (PostgreSQL SQLSTATE), not a bug."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _RACE_STATES


def retry_races(attempt: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """``attempt()`` (one whole transaction), run again after each lost race; the last
    loss is raised."""
    for number in range(1, attempts + 1):
        try:
            return attempt()
        except DBAPIError as exc:
            if number == attempts or not is_race(exc):
                raise
            state = getattr(exc.orig, "sqlstate", None)
            log_event(logging.INFO, "import.race", code=state, count=number)
            time.sleep(random.uniform(0.01, 0.05) * number)  # jitter: losers spread out
    raise AssertionError("unreachable")  # pragma: no cover


def lock_claims(conn: Connection, claim_ids: Iterable[int]) -> None:
    """Hold these claims until the transaction ends (PostgreSQL ``FOR UPDATE``, in id order).

    Two writers touching one claim at once (two importers posting two payments of it, an
    import beside a specialist's action) each read the claim's balances and payments as
    committed before the other: each sees the claim settled, so neither holds the second
    payment as a duplicate nor opens the credit item their sum leaves.  Whoever comes second
    waits here for the first to commit, and its next statements (READ COMMITTED) see the
    first's rows.  SQLite writers already hold the whole database (BEGIN IMMEDIATE).
    """
    from edi_posting.db.base import table_of
    from edi_posting.db.lists import among
    from edi_posting.db.models import SubmittedClaim

    ids = sorted(set(claim_ids))
    if ids and conn.dialect.name == "postgresql":
        claims = table_of(SubmittedClaim)
        conn.execute(select(claims.c.id).where(among(claims.c.id, ids))
                     .order_by(claims.c.id).with_for_update()).all()
