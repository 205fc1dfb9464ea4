"""Issue 23's sharp edges, each a defect with its regression test: a format offered by the
environment that a command does not have, `import --dry-run` saying what it would do,
reversal amounts signed in `history`, and a credit item's message stating its amount."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select

from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import ClaimPayment, ReviewItem
from edi_posting.review.refunds import refund
from tests.test_cli_import_835 import _files
from tests.test_history import REPLACEMENT
from tests.test_import_837 import FIXTURE
from tests.test_queue_credit_sides import _credit_items, _primary_overpays_secondary_owes
from tests.test_queue_money import act
from tests.x835 import Practice

CSV = {"EDI_POSTING_FORMAT": "csv"}


def test_a_csv_format_from_the_environment_falls_back_to_the_commands_default(
        database_url: str, tmp_path: Path) -> None:
    (tmp_path / "day.837").write_text(FIXTURE)
    runner = CliRunner()
    imported = runner.invoke(main, ["--db", database_url, "--actor", "pat", "import",
                                    str(tmp_path / "day.837")], env=CSV)
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines()[0].split()[:3] == ["file", "kind", "status"]
    shown = runner.invoke(main, ["--db", database_url, "claim", "show", "PCN-1001"], env=CSV)
    assert shown.exit_code == 0, shown.output
    assert "PCN-1001" in shown.stdout
    listed = runner.invoke(main, ["--db", database_url, "queue", "list"], env=CSV)
    assert listed.exit_code == 0 and listed.stdout.startswith("id,")  # csv where offered


def test_a_format_a_command_does_not_have_given_as_a_flag_exits_2(database_url: str,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "day.837").write_text(FIXTURE)
    result = CliRunner().invoke(main, ["--db", database_url, "import", "--format", "csv",
                                       str(tmp_path / "day.837")])
    assert result.exit_code == 2
    assert "'csv' is not one of 'table', 'json'" in result.stderr


def test_import_dry_run_says_would_import_and_would_post(tmp_path: Path) -> None:
    claims, remits = _files(tmp_path)
    db = f"sqlite:///{tmp_path / 'edi.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "import", str(claims)]).exit_code == 0
    result = runner.invoke(main, ["--db", db, "import", "--dry-run", str(remits)])
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()[:2]
    assert "would post" in header and "would queue" in header and " posted " not in header
    assert row.split()[:4] == ["day.835", "835", "would", "import"]
    plan = result.stdout.split("(dry run, nothing written):\n", 1)[1].splitlines()
    assert plan[1].split()[:5] == ["PCN1", "1", "80.00", "would", "post"]
    assert "imported" not in result.stderr and "posted" not in result.stderr
    assert "would import" in result.stderr and "1 would post" in result.stderr
    engine = make_engine(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ClaimPayment)).scalar_one() == 0
    engine.dispose()


def test_history_prints_a_reversal_amount_with_its_sign(database_url: str,
                                                        tmp_path: Path) -> None:
    first, second = tmp_path / "first.837", tmp_path / "second.837"
    first.write_text(FIXTURE)
    second.write_text(REPLACEMENT)
    runner = CliRunner()
    for path in (first, second):
        assert runner.invoke(main, ["--db", database_url, "import", str(path)]).exit_code == 0
    result = runner.invoke(main, ["--db", database_url, "history", "claim", "PCN-1001",
                                  "--format", "json"])
    assert [(r["what"], r["amount"]) for r in json.loads(result.stdout)] == [
        ("charge", "125.50"), ("charge_reversal", "-125.50"), ("charge", "125.50")]


def test_a_credit_items_message_states_its_current_amount(practice: Practice) -> None:
    _primary_overpays_secondary_owes(practice)
    [(ident, _, _)] = _credit_items(practice)
    act(practice, refund, ident, "paid twice", amount_cents=4000)
    with practice.engine.connect() as conn:
        message = conn.execute(select(ReviewItem.message).where(ReviewItem.id == ident)
                               ).scalar_one()
    assert "credit balance (60.00)" in message and "100.00" not in message


def test_queue_show_with_a_csv_format_from_the_environment_shows_its_default(
        practice: Practice, database_url: str) -> None:
    from tests.test_api_queue import _denied
    ident = _denied(practice)
    shown = CliRunner().invoke(main, ["--db", database_url, "queue", "show", str(ident)],
                               env=CSV)
    assert shown.exit_code == 0, shown.output
    assert "denial" in shown.stdout
