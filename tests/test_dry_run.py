"""`--dry-run` on every money action (issue 23): the action runs in a transaction that
rolls back; it prints the entries it would post (kind, accounts, signed amounts) and where
the item would stand, says "would", and writes nothing: no entry, no item event, no audit
event beyond the permission check."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner
from sqlalchemy import func, select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import AuditEvent, JournalEntry, ReviewItem, ReviewItemEvent
from tests.test_queue_money import (
    _denied,
    _paid_before_billed,
    _paid_twice,
    item,
)
from tests.x835 import Practice


def _written(practice: Practice) -> tuple[int, ...]:
    """Counts of everything an action could write (the audit trail's OK events included)."""
    with practice.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (JournalEntry, ReviewItemEvent, ReviewItem, AuditEvent))


def test_cli_apply_dry_run_prints_the_entry_it_would_post_and_writes_nothing(
        practice: Practice, as_user: Any, database_url: str) -> None:
    ident = _paid_before_billed(practice)
    before = _written(practice)
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", "queue", "apply",
                                       str(ident), "--claim", "PCN1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"review item {ident} (dry run, nothing written) would: applied 64.00 to claim PCN1 "
        "(lines posted by the posting rules); 0.00 left unapplied\n"
        "  would post apply: unapplied_cash 64.00; contractual_adjustments 20.00; "
        "patient_ar 16.00; insurance_ar -100.00\n"
        f"  would leave review item {ident} resolved at 0.00\n")
    assert _written(practice) == before
    assert item(practice, ident) == ("open", 6400)
    assert practice.balances("PCN1") == ("100.00", "0.00")


def test_a_dry_run_write_off_refund_and_undo_each_write_nothing(practice: Practice,
                                                                as_user: Any) -> None:
    sam = as_user("sam")
    denial = _denied(practice)
    before = _written(practice)
    planned = edi_posting.write_off(sam, denial, "CO-16", dry_run=True)
    assert planned.plan is not None and planned.entry_ids == ()
    assert [(e.kind, e.lines) for e in planned.plan.entries] == [
        ("write_off", (("other_adjustments", 10000), ("insurance_ar", -10000)))]
    assert planned.plan.describe()[-1] == f"would leave review item {denial} resolved at 0.00"
    assert _written(practice) == before
    done = edi_posting.write_off(sam, denial, "CO-16")
    before = _written(practice)
    undoing = edi_posting.undo_action(sam, denial, dry_run=True)
    assert undoing.plan is not None
    [reversal] = undoing.plan.entries
    assert (reversal.kind, reversal.reverses_entry_id) == ("undo", done.entry_ids[0])
    assert reversal.lines == (("other_adjustments", -10000), ("insurance_ar", 10000))
    assert _written(practice) == before and item(practice, denial)[0] == "resolved"


def test_a_dry_run_refund_above_the_limit_says_it_would_wait_for_approval(
        practice: Practice, as_user: Any) -> None:
    credit = _paid_twice(practice)
    before = _written(practice)
    planned = edi_posting.refund_credit(as_user("sam"), credit, "paid twice", dry_run=True)
    assert planned.message == (f"review item {credit} (dry run, nothing written) would: refund "
                               "of 100.00 waits for approval 1 (above the refund limit 0.00)")
    assert planned.plan is not None
    assert planned.plan.describe()[0] == "would post nothing"
    assert _written(practice) == before


def test_cli_rematch_dry_run_says_would(practice: Practice, as_user: Any,
                                        database_url: str) -> None:
    ident = _paid_before_billed(practice)
    before = _written(practice)
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", "sam", "queue",
                                       "rematch", str(ident), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"review item {ident} (dry run, nothing written) would: ")
    assert "  would post rematch: " in result.stdout
    assert result.stderr == ("would rematch 1 item(s); 1 would apply; 0 refused "
                             "(dry run, nothing written)\n")
    assert _written(practice) == before
