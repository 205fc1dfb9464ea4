"""Follow-up dates: a specialist dates the next look at an item (an item event, audited),
an administrator sets default windows per kind and payer (appeal, timely filing) that
items get when they open, and the queue lists what is due today or overdue."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import AuditEvent
from tests.test_queue_money import events
from tests.test_queue_priorities import _deny, _unmatched, _x12_date
from tests.x835 import Practice

TODAY = dt.date.today()


def _ids(session: Any, **flt: Any) -> list[int]:
    return [r["id"] for r in edi_posting.list_queue(session, **flt)]


def _audited(practice: Practice, action: str) -> list[tuple[str, str, str | None, Any]]:
    with practice.engine.connect() as conn:
        return [(e.actor, e.outcome, e.object_id, e.summary) for e in conn.execute(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.sequence))]


def test_a_follow_up_date_is_an_item_event_on_the_audit_trail_and_the_queue_lists_it_due(
        practice: Practice, as_user: Any) -> None:
    _deny(practice, "PCN1", "100", served_days_ago=40, paid_days_ago=10, trace="T1")
    _deny(practice, "PCN2", "50", served_days_ago=40, paid_days_ago=10, trace="T2")
    sam = as_user("sam")
    first, second = _ids(sam)
    message = edi_posting.follow_up_item(sam, first, TODAY, note="payer said call back")
    assert message == f"review item {first}: follow up on {TODAY.isoformat()} (payer said call back)"
    edi_posting.follow_up_item(sam, second, TODAY - dt.timedelta(days=1))
    assert _ids(sam, due="today") == [first]
    assert _ids(sam, due="overdue") == [second]
    assert edi_posting.show_queue_item(sam, first)["due_date"] == TODAY.isoformat()
    assert events(practice, first) == [("opened", "open"), ("follow-up", "open")]
    assert [(a, o, i) for a, o, i, _ in _audited(practice, "queue.follow-up")] == [
        ("sam", "ok", str(first)), ("sam", "ok", str(second))]
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(resolve\)"):
        edi_posting.follow_up_item(as_user("pat"), first, TODAY)


def test_an_item_opens_with_the_default_due_date_of_its_kind_and_payer(
        practice: Practice, as_user: Any) -> None:
    _deny(practice, "PCN0", "100", served_days_ago=40, paid_days_ago=10, trace="T0")
    ada = as_user("ada")
    with pytest.raises(edi_posting.PermissionDeniedError, match=r"\(administer\)"):
        edi_posting.set_follow_up_default(as_user("sam"), "denial", 30)
    edi_posting.set_follow_up_default(ada, "denial", 30)
    edi_posting.set_follow_up_default(ada, "denial", 90, payer="ACME01")  # its appeal window
    edi_posting.set_follow_up_default(ada, "unmatched_payment", 5)
    assert [(d["kind"], d["payer"], d["days"]) for d in edi_posting.follow_up_defaults(ada)] == [
        ("denial", None, 30), ("denial", "ACME01", 90), ("unmatched_payment", None, 5)]
    _deny(practice, "PCN1", "100", served_days_ago=40, paid_days_ago=10, trace="T1")
    _unmatched(practice, "ZZZ1", "20", paid_days_ago=2, trace="T2")
    due = [(r["kind"], r["due_date"]) for r in edi_posting.list_queue(as_user("sam"))]
    assert due == [("denial", None),  # opened before the windows were set
                   ("denial", (TODAY + dt.timedelta(days=80)).isoformat()),
                   ("unmatched_payment", (TODAY + dt.timedelta(days=3)).isoformat())]
    audited = _audited(practice, "queue.follow-up-default")
    assert [(o, s.get("after")) for _, o, _, s in audited] == [
        ("refused", None), ("ok", "30 days"), ("ok", "90 days"), ("ok", "5 days")]


def test_a_default_of_zero_days_removes_it(practice: Practice, as_user: Any) -> None:
    ada = as_user("ada")
    edi_posting.set_follow_up_default(ada, "denial", 30)
    edi_posting.set_follow_up_default(ada, "denial", 0)
    assert edi_posting.follow_up_defaults(ada) == []
    _deny(practice, "PCN1", "100", served_days_ago=40, paid_days_ago=10, trace="T1")
    assert [r["due_date"] for r in edi_posting.list_queue(as_user("sam"))] == [None]


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


def test_cli_follow_up_and_its_defaults(practice: Practice, as_user: Any,
                                        database_url: str) -> None:
    as_user("sam")
    _deny(practice, "PCN1", "100", served_days_ago=40, paid_days_ago=10, trace="T1")
    ident = _ids(as_user("sam"))[0]
    done = _cli(database_url, "sam", "follow-up", str(ident), "--on", "2031-01-15",
                "--note", "appeal sent")
    assert (done.exit_code, done.stdout) == (
        0, f"review item {ident}: follow up on 2031-01-15 (appeal sent)\n")
    bad = _cli(database_url, "sam", "follow-up", str(ident), "--on", "15/01/2031")
    assert bad.exit_code == 2 and "--on" in bad.stderr
    missing = _cli(database_url, "sam", "follow-up", "999", "--on", "2031-01-15")
    assert (missing.exit_code, missing.stderr) == (65, "edi-posting: no review item 999\n")
    refused = _cli(database_url, "sam", "follow-up-default", "--kind", "denial", "--days", "30")
    assert refused.exit_code == 77
    kind = _cli(database_url, "ada", "follow-up-default", "--kind", "denials", "--days", "30")
    assert kind.exit_code == 2 and "'denial'" in kind.stderr
    unknown = _cli(database_url, "ada", "follow-up-default", "--kind", "denial", "--payer",
                   "NOPE", "--days", "30")
    assert (unknown.exit_code, unknown.stderr) == (
        65, "edi-posting: no payer with identifier 'NOPE'\n")
    set_ = _cli(database_url, "ada", "follow-up-default", "--kind", "denial", "--payer",
                "ACME01", "--days", "90")
    assert (set_.exit_code, set_.stdout) == (
        0, "denial items of payer ACME01 are due 90 days after their payment date\n")
    shown = _cli(database_url, "sam", "follow-up-default", "--format", "json")
    assert json.loads(shown.stdout) == [{"kind": "denial", "payer": "ACME01", "days": 90}]
    assert _x12_date(0)  # the dates above are absolute: the item is not due yet
    assert json.loads(_cli(database_url, "sam", "list", "--due", "overdue", "--format",
                           "json").stdout) == []
