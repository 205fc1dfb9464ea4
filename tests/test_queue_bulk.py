"""Bulk work over a filter: `queue assign`, `queue escalate` and `queue write-off` without an
item id act on every open item the filter selects (the filters of `queue list`), report
each item, and refuse a filter that names nothing.  A bulk write-off keeps the approval
rules: an item whose claim would pass the write-off limit waits for a second person."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

import edi_posting
from edi_posting.cli import main
from tests.test_queue_priorities import _deny, _unmatched
from tests.x835 import Practice


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


def _queue(session: Any) -> list[tuple[int, str, str, str | None]]:
    return [(r["id"], r["kind"], r["status"], r["assignee"])
            for r in edi_posting.list_queue(session, status=None)]


def _three(practice: Practice) -> None:
    _deny(practice, "PCN1", "100", served_days_ago=40, paid_days_ago=10, trace="T1")
    _deny(practice, "PCN2", "50", served_days_ago=40, paid_days_ago=10, trace="T2")
    _unmatched(practice, "ZZZ1", "20", paid_days_ago=2, trace="T3")


def test_assign_over_a_filter_assigns_each_matching_item_and_reports_it(
        practice: Practice, as_user: Any, database_url: str) -> None:
    _three(practice)
    done = _cli(database_url, "sam", "assign", "--kind", "denial", "--payer", "ACME01",
                "--to", "sam")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0, "review item 1: assigned to sam\nreview item 2: assigned to sam\n",
        "assign: 2 item(s) done\n")
    assert _queue(as_user("sam")) == [(1, "denial", "in_progress", "sam"),
                                      (2, "denial", "in_progress", "sam"),
                                      (3, "unmatched_payment", "open", None)]
    one = _cli(database_url, "sam", "assign", "3", "leo")  # the one-item form is unchanged
    assert (one.exit_code, one.stderr) == (0, "review item 3: assign done\n")


def test_escalate_over_a_filter_escalates_each_matching_item(
        practice: Practice, as_user: Any, database_url: str) -> None:
    _three(practice)
    done = _cli(database_url, "sam", "escalate", "--kind", "unmatched_payment", "--to", "lead",
                "--note", "not ours?")
    assert (done.exit_code, done.stdout) == (0, "review item 3: escalated to lead\n")
    assert _queue(as_user("sam"))[2] == (3, "unmatched_payment", "escalated", "lead")


@pytest.mark.parametrize("args", [
    ["assign", "--to", "sam"], ["escalate", "--to", "lead", "--note", "why"],
    ["write-off", "--reason", "CO-45"], ["assign", "1", "sam", "--kind", "denial"],
])
def test_a_bulk_action_without_a_filter_is_refused(practice: Practice, as_user: Any,
                                                   database_url: str, args: list[str]) -> None:
    _three(practice)
    refused = _cli(database_url, "sam", *args)
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.startswith("edi-posting: ")
    assert [a for _, _, a, _ in _queue(as_user("sam"))] == ["open", "open", "open"]


def test_bulk_write_off_takes_small_balances_by_carc_and_leaves_those_past_the_limit_for_approval(
        practice: Practice, as_user: Any, database_url: str) -> None:
    for number, (charge, carc) in enumerate((("3", "CO*45"), ("4", "CO*45"), ("2", "CO*16"),
                                             ("50", "CO*45")), start=1):
        _deny(practice, f"PCN{number}", charge, served_days_ago=40, paid_days_ago=10,
              trace=f"T{number}", group_carc=carc)
    edi_posting.set_write_off_limit(as_user("ada"), 350)
    done = _cli(database_url, "sam", "write-off", "--kind", "denial", "--carc", "CO-45",
                "--max-amount", "5.00", "--reason", "small-balance")
    assert done.exit_code == 0, done.output
    assert done.stdout == (
        "review item 1: wrote off 3.00 of claim PCN1's insurance balance (small-balance); the "
        "denying payer's balance on the claim is settled\n"
        "review item 2: write-off of 4.00 waits for approval 1 (write-offs on claim PCN2 would "
        "reach 4.00, above the write-off limit 3.50)\n")
    assert done.stderr == "write-off: 1 item(s) written off, 1 wait(s) for approval\n"
    assert [practice.balances(f"PCN{n}")[0] for n in (1, 2, 3, 4)] == [
        "0.00", "4.00", "2.00", "50.00"]
    assert practice.items("resolved") == [("denial", "PCN1")]
    assert [s for _, _, s, _ in _queue(as_user("sam"))] == ["open", "open", "open"]
    pending = json.loads(_cli(database_url, "ada", "approvals", "--format", "json").stdout)
    assert [(p["item_id"], p["amount"]) for p in pending] == [(2, "4.00")]


def test_bulk_write_off_needs_a_maximum_and_the_one_item_form_is_unchanged(
        practice: Practice, as_user: Any, database_url: str) -> None:
    _deny(practice, "PCN1", "3", served_days_ago=40, paid_days_ago=10, trace="T1",
          group_carc="CO*45")
    no_max = _cli(database_url, "sam", "write-off", "--kind", "denial", "--reason", "CO-45")
    assert no_max.exit_code == 2 and "--max-amount" in no_max.stderr
    one = _cli(database_url, "sam", "write-off", "1", "--reason", "CO-45")
    assert (one.exit_code, one.stdout) == (
        0, ("review item 1: wrote off 3.00 of claim PCN1's insurance balance (CO-45); the "
            "denying payer's balance on the claim is settled\n"))
