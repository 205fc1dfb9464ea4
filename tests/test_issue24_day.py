"""Issue 24 as a new user tries it after ``edi-posting demo``: a payer's check comes before
its paper EOB, the EOB is keyed and imported and claims the check (its cash counted once),
a patient pays by card; the ledger checks out and ``claim show`` names each source."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import JournalLine, LedgerAccount

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", url, "--actor", "alice", *args])


def _balance(url: str, account: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(
                select(func.coalesce(func.sum(JournalLine.amount_cents), 0))
                .join(LedgerAccount, LedgerAccount.id == JournalLine.account_id)
                .where(LedgerAccount.code == account)).scalar_one())
    finally:
        engine.dispose()


def test_a_check_received_before_its_keyed_eob_is_claimed_by_it_and_counted_once(
        database_url: str) -> None:
    assert cli(database_url, "demo").exit_code == 0
    before = {a: _balance(database_url, a) for a in ("cash_clearing", "unapplied_cash")}
    received = cli(database_url, "payment", "receive", "--payer", "BLUE MEADOW INSURANCE",
                   "--amount", "94.70", "--reference", "PAPER-77001", "--date", "2025-03-28")
    assert received.exit_code == 0, received.output
    waiting = cli(database_url, "queue", "list", "--kind", "awaiting_remittance",
                  "--format", "json")
    [item] = json.loads(waiting.stdout)
    assert item["amount"] == "94.70"

    keyed = cli(database_url, "import", str(FIXTURES / "eob" / "blue-meadow-2025-03-28.csv"))
    assert keyed.exit_code == 0, keyed.output
    account = json.loads(cli(database_url, "claim", "show", "A12177C0000021", "--format",
                             "json").stdout)["account_number"]
    card = cli(database_url, "payment", "post", "--account", account, "--amount",
               "10.00", "--method", "card", "--reference", "VISA-0001", "--date", "2025-04-01")
    assert card.exit_code == 0, card.output

    after = {a: _balance(database_url, a) for a in ("cash_clearing", "unapplied_cash")}
    closed = json.loads(cli(database_url, "queue", "list", "--kind", "awaiting_remittance",
                            "--format", "json").stdout)
    payments = json.loads(cli(database_url, "payment", "list", "--format", "json").stdout)
    check = cli(database_url, "ledger", "check")
    shown = cli(database_url, "claim", "show", "A85885C0000001")

    assert closed == []  # the keyed EOB claimed the check: the item closed on its own
    assert {p["reference"]: p["status"] for p in payments} == {"PAPER-77001": "claimed",
                                                               "VISA-0001": "applied"}
    assert after["unapplied_cash"] == before["unapplied_cash"]  # nothing left unapplied
    # the check's 94.70 and the card's 10.00 in cash clearing once each, not the EOB again
    assert after["cash_clearing"] - before["cash_clearing"] == 9470 + 1000
    assert check.exit_code == 0, check.output
    assert shown.exit_code == 0, shown.output
    assert "blue-meadow-2025-03-28.csv" in shown.stdout and "row" in shown.stdout
