"""`history claim` and `history account` tell the whole story in order, with sources."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_import_837 import FIXTURE

REPLACEMENT = (FIXTURE.replace("*000000101*", "*000000102*").replace("BATCH1", "BATCH2")
               .replace("11:B:1", "11:B:7").replace("GE*1*101", "GE*1*102")
               .replace("*1200*101*X", "*1200*102*X").replace("IEA*1*000000101", "IEA*1*000000102"))


def test_claim_history_shows_charge_reversal_and_replacement_with_their_files(
    database_url: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.837", tmp_path / "second.837"
    first.write_text(FIXTURE)
    second.write_text(REPLACEMENT)
    runner = CliRunner()
    for path in (first, second):
        assert runner.invoke(main, ["--db", database_url, "--actor", "pat", "import", str(path)]).exit_code == 0
    result = runner.invoke(main, ["--db", database_url, "history", "claim", "PCN-1001", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["what"], r["amount"], r["source_file"], r["actor"]) for r in rows] == [
        ("charge", "125.50", "first.837", "pat"),
        ("charge_reversal", "-125.50", "second.837", "pat"),
        ("charge", "125.50", "second.837", "pat"),
    ]
    assert rows[1]["detail"] == f"reverses entry {rows[0]['entry_id']}"  # said once


def test_account_history_of_an_unknown_account_exits_66(database_url: str) -> None:
    result = CliRunner().invoke(main, ["--db", database_url, "history", "account", "nope"])
    assert result.exit_code == 66
    assert "no account 'nope'" in result.stderr
