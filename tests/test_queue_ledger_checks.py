"""`ledger check` proves every open dollar has exactly one owner in the queue (issue 19, §3).

The queue-vs-ledger figures (unapplied cash, credit balances) are named ledger checks, and
so is "no dollar owned twice".  Each test breaks the queue by SQL, as a bug or a hand edit
would, and expects `ledger check` to name the violation and exit 1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import insert, select, update

from edi_posting.cli import main
from edi_posting.db.models import ReviewItem
from edi_posting.reports.ledger_checks import check_ledger
from tests.test_queue_money import (
    OFFICE_VISIT,
    PAID_WITH_SHARES,
    accept_duplicates,
    item_id,
)
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    p.close()


def _violations(practice: Practice) -> list[tuple[str, str]]:
    with practice.engine.connect() as conn:
        return [(v.check, v.message) for v in check_ledger(conn)]


def _cli_check(database_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", database_url, "ledger", "check", "--format",
                                       "csv"])
    return result.exit_code, result.stdout


def test_an_item_closed_by_sql_while_its_cash_sits_in_unapplied_is_reported(
        practice: Practice, database_url: str) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    ident = item_id(practice, "unmatched_payment")
    assert _violations(practice) == []
    with practice.engine.begin() as conn:
        conn.execute(update(ReviewItem).where(ReviewItem.id == ident).values(status="resolved"))
    assert _violations(practice) == [(
        "queue_owns_unapplied_cash",
        "the ledger holds 64.00 in unapplied cash; open review items own 0.00")]
    code, out = _cli_check(database_url)
    assert code == 1
    assert "queue_owns_unapplied_cash,,the ledger holds 64.00 in unapplied cash" in out


def test_a_credit_balance_no_open_item_carries_is_reported(practice: Practice) -> None:
    practice.bill(("PCN1", OFFICE_VISIT))
    paid = clp("PCN1", "1", "100", "100", "0", "ICN1", svc("99213", "100", "100"))
    practice.receive(remit("100", paid))
    practice.receive(remit("100", paid.replace("ICN1", "ICN2"), trace="TRACE2"))
    accept_duplicates(practice)
    with practice.engine.begin() as conn:
        conn.execute(update(ReviewItem).where(ReviewItem.kind == "credit_balance")
                     .values(status="dismissed"))
        claim, payer = conn.execute(select(ReviewItem.submitted_claim_id,
                                           ReviewItem.payer_id).where(
            ReviewItem.kind == "credit_balance")).one()
    assert _violations(practice) == [(
        "queue_carries_credit_balances",
        f"claim {claim}, payer {payer}'s side: ledger credit 100.00, queue shows 0.00")]


def test_the_same_payment_owned_by_two_open_items_is_reported(practice: Practice) -> None:
    practice.receive(remit("64", PAID_WITH_SHARES))
    ident = item_id(practice, "unmatched_payment")
    with practice.engine.begin() as conn:
        row = conn.execute(select(ReviewItem).where(ReviewItem.id == ident)).mappings().one()
        conn.execute(update(ReviewItem).where(ReviewItem.id == ident).values(amount_cents=3000))
        copy = {k: v for k, v in row.items() if k not in ("id", "dedupe_key", "amount_cents")}
        conn.execute(insert(ReviewItem).values(**copy, dedupe_key="copy", amount_cents=3400))
        second = conn.execute(select(ReviewItem.id).where(ReviewItem.dedupe_key == "copy")
                              ).scalar_one()
    assert _violations(practice) == [(
        "no_dollar_owned_twice",
        (f"claim payment {row['claim_payment_id']}: its cash is owned by open review items "
         f"{ident}, {second}"))]
