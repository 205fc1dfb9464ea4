"""`ledger check` finds what is wrong; `ledger digest` is a stable fingerprint."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import insert, select

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import JournalEntry, JournalLine, LedgerAccount
from tests.test_import_837 import FIXTURE


def _raw_entry(conn, key: str, amounts: list[int], reverses: int | None = None) -> int:  # type: ignore[no-untyped-def]
    account = conn.execute(select(LedgerAccount.id).where(LedgerAccount.code == "cash_clearing")).scalar_one()
    entry = conn.execute(insert(JournalEntry.__table__).values(
        entry_key=key, kind="manual", effective_date=dt.date(2026, 1, 1), actor="t",
        reverses_entry_id=reverses)).inserted_primary_key[0]
    for ordinal, amount in enumerate(amounts, start=1):
        conn.execute(insert(JournalLine.__table__).values(
            entry_id=entry, ordinal=ordinal, account_id=account, amount_cents=amount))
    return int(entry)


def test_ledger_check_names_each_violation_and_exits_1(database_url: str) -> None:
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        _raw_entry(conn, "ok", [100, -100])
        _raw_entry(conn, "unbalanced", [100, -90])
        _raw_entry(conn, "lonely", [0])
        original = _raw_entry(conn, "original", [500, -500])
        _raw_entry(conn, "bad-reversal", [-400, 400], reverses=original)
    engine.dispose()
    result = CliRunner().invoke(main, ["--db", database_url, "ledger", "check", "--format", "csv"])
    assert result.exit_code == 1
    assert result.stdout == (
        "check,entry_id,message\n"
        "entries_sum_to_zero,2,\"entry 2 sums to 10 cents, not 0\"\n"
        "entries_have_lines,3,entry 3 has 1 line(s); at least 2 needed\n"
        "reversals_negate_their_original,5,entry 5 does not exactly negate entry 4\n"
    )


def test_same_imports_in_the_same_order_give_the_same_digest_on_any_database(
    database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "clinic.837"
    path.write_text(FIXTURE)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    digests = []
    for url in (database_url, other):
        runner = CliRunner()
        assert runner.invoke(main, ["--db", url, "import", str(path)]).exit_code == 0
        digests.append(runner.invoke(main, ["--db", url, "ledger", "digest"]).stdout)
    assert digests[0] == digests[1]
    assert len(digests[0].strip()) == 64
