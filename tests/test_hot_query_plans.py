"""The import's per-set look-ups search by the few claims (or claim payments) a set names,
never by a column most rows share.

SQLite keeps no statistics (no ANALYZE): offered an index on ``account_id`` (two values
cover half the journal) beside one on ``submitted_claim_id``, it may walk the first, and
the look-up then reads the whole ledger for every transaction set: an import that slows
down as the ledger grows.  Each test captures the statements a look-up runs and asks
SQLite for their plan; on PostgreSQL (which plans from statistics) the same look-ups run
and answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from edi_posting.db.engine import make_engine
from edi_posting.ledger.journal import EntryDraft, Posting
from edi_posting.posting.adjudicated import _decided_lines, load_standing
from edi_posting.posting.entries import reversible_entries
from edi_posting.posting.followups import follow_recovered_duplicates, resolve_corrections
from edi_posting.posting.parties import _holding
from edi_posting.posting.reversals import stored_originals
from edi_posting.queue.credit_sides import credit_items, side_balances

# what one transaction set of a payer's file names: about 80 claims (SQLite, without
# statistics, weighs an IN list by its length: a short one hides the bad plan)
_A_SET = list(range(1, 81))


@contextmanager
def _captured(conn: sa.Connection) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def keep(_c: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any,
             _many: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    sa.event.listen(conn, "before_cursor_execute", keep)
    try:
        yield seen
    finally:
        sa.event.remove(conn, "before_cursor_execute", keep)


def _plans(database_url: str, look_up: Callable[[sa.Connection], object]) -> list[str]:
    """The plan lines (SQLite) of every SELECT ``look_up`` runs; [] on PostgreSQL."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            with _captured(conn) as seen:
                look_up(conn)
            if engine.dialect.name != "sqlite":
                return []
            return [str(row[3]) for statement, parameters in seen
                    for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}",
                                                    parameters)]
    finally:
        engine.dispose()


def test_claim_side_balances_search_the_journal_by_claim_not_by_account(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: side_balances(conn, _A_SET))
    if plans:
        assert any("ix_journal_lines_submitted_claim_id" in p for p in plans), plans
        assert not any("ix_journal_lines_account_id" in p for p in plans), plans


def test_payer_holding_claims_searches_the_journal_by_claim_not_by_account(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: _holding(conn, 1, set(_A_SET)))
    if plans:
        assert any("ix_journal_lines_submitted_claim_id" in p for p in plans), plans
        assert not any("ix_journal_lines_account_id" in p for p in plans), plans


def test_standing_payments_are_found_by_claim_not_by_every_payment_of_the_payer(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: load_standing(conn, _A_SET, 1, "T", None))
    if plans:
        assert any("ix_claim_payments_submitted_claim_id" in p for p in plans), plans
        assert not any("ix_remittances_payer_id" in p for p in plans), plans


def test_lines_a_payment_decided_are_found_by_payment_not_by_every_unreversed_entry(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: _decided_lines(conn, [(i, i) for i in _A_SET]))
    if plans:
        assert any("ix_journal_entries_claim_payment_id" in p for p in plans), plans
        assert not any("reverses_entry_id" in p for p in plans), plans


@pytest.mark.parametrize("claim_ids", [[1], [1, 2, 3]])
def test_claim_side_balances_answer_on_an_empty_ledger(database_url: str,
                                                       claim_ids: list[int]) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        assert side_balances(conn, claim_ids) == {}
    engine.dispose()


def test_corrections_close_the_items_of_the_set_claims_not_every_awaiting_correction(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: resolve_corrections(conn, _A_SET, "t", None))
    if plans:
        assert any("ix_review_items_submitted_claim_id" in p for p in plans), plans
        assert not any("ix_review_items_kind" in p for p in plans), plans


def test_credit_items_of_the_set_claims_are_found_by_claim_not_by_kind(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: credit_items(conn, _A_SET))
    if plans:
        assert any("ix_review_items_submitted_claim_id" in p for p in plans), plans
        assert not any("ix_review_items_kind" in p for p in plans), plans


def test_held_duplicates_a_reversal_may_take_back_are_found_by_claim_not_by_status(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: stored_originals(conn, _A_SET))
    if plans:
        assert not any("ix_review_items_status" in p for p in plans), plans


def test_recovered_duplicates_are_found_by_payment_not_by_every_open_item(
        database_url: str) -> None:
    recovery = EntryDraft("k", "plb", dt.date(2026, 1, 5), (
        Posting("unapplied_cash", 100), Posting("cash_clearing", -100)), claim_payment_id=7)
    plans = _plans(database_url, lambda conn: follow_recovered_duplicates(
        conn, [recovery], [], actor="t", cause="c"))
    if plans:
        assert any("ix_review_items_claim_payment_id" in p for p in plans), plans
        assert not any("ix_review_items_status" in p for p in plans), plans


def test_entries_a_reversal_negates_are_checked_for_reversal_one_by_one_not_listed_whole(
        database_url: str) -> None:
    plans = _plans(database_url, lambda conn: reversible_entries(conn, _A_SET))
    if plans:
        assert any("ix_journal_entries_claim_payment_id" in p for p in plans), plans
        assert not any("LIST SUBQUERY" in p for p in plans), plans
