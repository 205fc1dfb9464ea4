"""Issue 7 as a new team meets it: users, the demo imported by a poster, an auditor who
may look but not touch, and an audit chain that catches a hand edit at its row."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from sqlalchemy import text

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from tests.test_audit_chain import _bypass_triggers


def _as(database_url: str, actor: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", database_url, "--actor", actor, *args])


def test_demo_by_a_poster_auditor_refused_and_a_hand_edit_caught(database_url: str) -> None:
    assert _as(database_url, "ada", "users", "add", "ada", "--role", "admin").exit_code == 0
    assert _as(database_url, "ada", "users", "add", "pat", "--role", "poster").exit_code == 0
    assert _as(database_url, "ada", "users", "add", "aud", "--role", "auditor").exit_code == 0
    demo = _as(database_url, "pat", "demo")
    assert demo.exit_code == 0, demo.output
    items = json.loads(_as(database_url, "aud", "queue", "list", "--format", "json").stdout)
    refused = _as(database_url, "aud", "queue", "assign", str(items[0]["id"]), "aud")
    assert refused.exit_code == 77
    assert "permission denied (resolve)" in refused.stderr
    log = json.loads(_as(database_url, "aud", "audit", "log", "--actor", "aud",
                         "--format", "json").stdout)
    assert [e["action"] for e in log if e["outcome"] == "refused"] == ["queue.assign"]
    verified = _as(database_url, "aud", "audit", "verify")
    assert verified.exit_code == 0, verified.output
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        _bypass_triggers(conn)
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE sequence = 3"))
    engine.dispose()
    broken = _as(database_url, "aud", "audit", "verify")
    assert broken.exit_code == 1
    assert "audit chain broken at sequence 3" in broken.stderr
