"""`queue show` and `claim show` show every CARC/RARC with its description (table, json)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from edi_posting.cli import main

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def _cli(database_url: str, *args: str) -> str:
    result = CliRunner().invoke(main, ["--db", database_url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_queue_and_claim_show_describe_every_carc_and_rarc(database_url: str) -> None:
    _cli(database_url, "import", str(DEMO / "837"), str(DEMO / "835"))
    denials = json.loads(_cli(database_url, "queue", "list", "--kind", "denial",
                              "--format", "json"))
    [item] = [d for d in denials if "CO-197" in d["message"]]
    detail = json.loads(_cli(database_url, "queue", "show", str(item["id"]), "--format", "json"))
    assert {(c["list"], c["code"]) for c in detail["codes"]} == {("CARC", "197"), ("RARC", "M62")}
    line = detail["evidence"]["lines"][0]
    assert line["adjustments"][0]["carc_description"] == (
        "Precertification/authorization/notification/pre-treatment absent.")
    assert line["rarcs_descriptions"] == {
        "M62": "Missing/incomplete/invalid treatment authorization code."}
    table = _cli(database_url, "queue", "show", str(item["id"]))
    assert "CARC  197   Precertification/authorization/notification/pre-treatment absent." in table

    claim = json.loads(_cli(database_url, "claim", "show", "A31715C0000023", "--format", "json"))
    assert ("CARC", "45") in {(c["list"], c["code"]) for c in claim["codes"]}
    [adjusted] = [j for j in claim["journal"] if j["reason_code"] == "45"][:1]
    assert adjusted["reason_description"].startswith("Charge exceeds fee schedule")
    assert "Codes:" in _cli(database_url, "claim", "show", "A31715C0000023")
