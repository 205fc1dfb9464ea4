"""The review queue: listing, showing, stats and the non-money actions, audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.cli import main
from tests.test_import_837 import FIXTURE

MISMATCH = FIXTURE.replace("CLM*PCN-1001*125.50", "CLM*PCN-1001*130.00")


@pytest.fixture
def queued(database_url: str, tmp_path: Path) -> str:
    path = tmp_path / "mismatch.837"
    path.write_text(MISMATCH)
    runner = CliRunner()
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("pat", "poster")):
        assert runner.invoke(main, ["--db", database_url, "--actor", "ada", "users", "add", name, "--role", role]).exit_code == 0
    result = runner.invoke(main, ["--db", database_url, "--actor", "pat", "import", str(path)])
    assert result.exit_code == 0, result.output
    return database_url


def _cli(db: str, actor: str, *args: str) -> object:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, *args])


def test_queue_list_json_has_the_documented_keys(queued: str) -> None:
    result = _cli(queued, "sam", "queue", "list", "--format", "json")
    items = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert len(items) == 1
    item = items[0]
    assert {k: item[k] for k in ("kind", "status", "amount", "patient_control_number", "age_days", "assignee")} == {
        "kind": "claim_problem", "status": "open", "amount": "130.00",
        "patient_control_number": "PCN-1001", "age_days": 0, "assignee": None}
    assert {"id", "payer"} <= set(item)


def test_assign_note_escalate_leave_events_and_audit(queued: str) -> None:
    item = json.loads(_cli(queued, "sam", "queue", "list", "--format", "json").stdout)[0]["id"]  # type: ignore[attr-defined]
    assert _cli(queued, "sam", "queue", "assign", str(item), "sam").exit_code == 0  # type: ignore[attr-defined]
    assert _cli(queued, "sam", "queue", "note", str(item), "asked billing to fix CLM02").exit_code == 0  # type: ignore[attr-defined]
    assert _cli(queued, "sam", "queue", "escalate", str(item), "--to", "admin", "--note", "needs a rebill").exit_code == 0  # type: ignore[attr-defined]
    shown = json.loads(_cli(queued, "sam", "queue", "show", str(item), "--format", "json").stdout)  # type: ignore[attr-defined]
    assert shown["status"] == "escalated" and shown["assignee"] == "admin"
    assert [(e["action"], e["to_status"]) for e in shown["events"]] == [
        ("opened", "open"), ("assign", "in_progress"), ("note", "in_progress"), ("escalate", "escalated")]
    log = json.loads(_cli(queued, "ada", "audit", "log", "--action", "queue.*", "--format", "json").stdout)  # type: ignore[attr-defined]
    actions = [e["action"] for e in log if e["outcome"] == "ok" and e["action"] != "queue.list"]
    assert actions == ["queue.assign", "queue.note", "queue.escalate", "queue.show"]


def test_escalate_without_a_note_and_actions_by_a_poster_are_refused(queued: str) -> None:
    item = json.loads(_cli(queued, "sam", "queue", "list", "--format", "json").stdout)[0]["id"]  # type: ignore[attr-defined]
    empty = _cli(queued, "sam", "queue", "escalate", str(item), "--to", "admin", "--note", " ")
    assert empty.exit_code == 65 and "needs a note" in empty.stderr  # type: ignore[attr-defined]
    poster = _cli(queued, "pat", "queue", "assign", str(item), "pat")
    assert poster.exit_code == 77 and "permission denied (resolve)" in poster.stderr  # type: ignore[attr-defined]


def test_dismiss_closes_a_non_money_item_with_its_reason(queued: str) -> None:
    item = json.loads(_cli(queued, "sam", "queue", "list", "--format", "json").stdout)[0]["id"]  # type: ignore[attr-defined]
    assert _cli(queued, "sam", "queue", "dismiss", str(item), "--reason", "rebilled as PCN-1002").exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(_cli(queued, "sam", "queue", "list", "--format", "json").stdout) == []  # type: ignore[attr-defined]
    stats = _cli(queued, "sam", "queue", "stats", "--format", "csv").stdout  # type: ignore[attr-defined]
    assert stats == "kind,status,age_bucket,count,amount\nclaim_problem,dismissed,0-30,1,130.00\n"


def test_older_than_filters_by_whole_days_in_the_database(queued: str) -> None:
    import datetime as dt

    from sqlalchemy import update

    from edi_posting.audit.writes import write_transaction
    from edi_posting.db.engine import make_engine
    from edi_posting.db.models import ReviewItem
    from edi_posting.queue.items import QueueFilter, list_items

    engine = make_engine(queued)
    today = dt.date.today()
    with write_transaction(engine) as conn:
        conn.execute(update(ReviewItem).values(
            created_at=dt.datetime.combine(today - dt.timedelta(days=31), dt.time(23, 59),
                                           tzinfo=dt.UTC)))
    with engine.connect() as conn:
        ages = {n: [i["age_days"] for i in list_items(conn, QueueFilter(older_than_days=n),
                                                       today)] for n in (30, 31)}
    engine.dispose()
    assert ages == {30: [31], 31: []}


def test_limit_keeps_the_first_items_of_the_sort_order(queued: str, tmp_path: Path) -> None:
    second = tmp_path / "second.837"
    second.write_text(MISMATCH.replace("PCN-1001", "PCN-1002").replace("BATCH1", "BATCH2")
                      .replace("000000101", "000000102"))
    assert _cli(queued, "pat", "import", str(second)).exit_code == 0  # type: ignore[attr-defined]
    every = json.loads(_cli(queued, "sam", "queue", "list", "--format", "json").stdout)  # type: ignore[attr-defined]
    first = CliRunner().invoke(main, ["--db", queued, "--actor", "sam", "queue", "list",
                                      "--format", "json"], env={"EDI_POSTING_QUEUE_LIMIT": "1"})
    assert len(every) == 2 and json.loads(first.stdout) == every[:1]
