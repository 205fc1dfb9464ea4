"""The notes, reasons and dismissals on review items are inside the hash-chained audit
trail: each audited item event is recorded in its audit event, and `audit verify` fails,
naming the row, when the item event's stored text no longer matches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, select

from edi_posting.cli import main
from edi_posting.db.models import ReviewItemEvent
from edi_posting.review.actions import dismiss, escalate
from tests.test_queue_money import OFFICE_VISIT, act, item_id
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    for pcn, trace in (("PCN1", "TRACE1"), ("PCN2", "TRACE2")):
        p.receive(remit("0", clp(pcn, "4", "100", "0", "0", f"ICN{pcn}",
                                 svc("99213", "100", "0", "CO*16*100")), method="NON",
                        trace=trace))
    yield p
    p.close()


def _bypass_event_triggers(conn: Connection) -> None:
    """What someone with the database file (or the owner role) can do."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER review_item_events_no_update")
    else:
        conn.exec_driver_sql("ALTER TABLE review_item_events DISABLE TRIGGER USER")


def _verify(database_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", "aud", "audit", "verify"])
    return result.exit_code, result.stderr


def _dismissal(practice: Practice, ident: int) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(ReviewItemEvent.id).where(
            ReviewItemEvent.review_item_id == ident, ReviewItemEvent.action == "dismiss")
        ).scalar_one())


def test_an_edited_dismiss_reason_fails_audit_verify_naming_the_row(
        practice: Practice, database_url: str) -> None:
    denial = item_id(practice, "denial")
    act(practice, escalate, denial + 1, "sam", "payer wants the referral")
    act(practice, dismiss, denial, "duplicate of the other denial")
    assert _verify(database_url)[0] == 0
    event = _dismissal(practice, denial)
    with practice.engine.begin() as conn:
        _bypass_event_triggers(conn)
        conn.exec_driver_sql(f"UPDATE review_item_events SET note = 'paid in full' "
                             f"WHERE id = {event}")
    code, stderr = _verify(database_url)
    assert code == 1
    assert stderr.startswith(f"edi-posting: review item event {event} (item {denial}, dismiss) "
                             "does not match the audit event that recorded it (sequence ")
    assert stderr.endswith("): edited after it was recorded\n")


def test_an_edited_resolution_on_the_item_fails_audit_verify(
        practice: Practice, database_url: str) -> None:
    denial = item_id(practice, "denial")
    act(practice, dismiss, denial, "duplicate of the other denial")
    with practice.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE review_items SET resolution = 'paid in full' "
                             f"WHERE id = {denial}")
    code, stderr = _verify(database_url)
    assert code == 1
    assert stderr == (f"edi-posting: review item {denial}'s resolution differs from the "
                      f"note of event {_dismissal(practice, denial)} that closed it (edited)\n")


def test_the_audit_log_shows_the_reason_of_a_dismissal(practice: Practice,
                                                       database_url: str) -> None:
    import json

    act(practice, dismiss, item_id(practice, "denial"), "duplicate of the other denial")
    log = CliRunner().invoke(main, ["--db", database_url, "--actor", "aud", "audit", "log",
                                    "--action", "queue.dismiss", "--format", "json"])
    assert [e["summary"]["note"] for e in json.loads(log.stdout)] == [
        "duplicate of the other denial"]
