"""`queue return`: money that is not ours goes back to the payer (issue 23).

An unidentified payment, after research, is for another practice: its unapplied cash
leaves in one balanced ``return`` entry (Dr unapplied cash / Cr cash clearing, or Cr
refunds payable), the item closes, a return above the refund limit waits for a second
person as a refund does, and `queue undo` takes it back.  Through the public API and the
CLI, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import JournalEntry, ReviewItemEvent
from tests.test_queue_money import entry_kind, entry_lines, events, item, item_id, stranger
from tests.x835 import Practice, remit, svc


def _not_ours(practice: Practice) -> int:
    """A payment for a patient this practice never saw: 50.00 held in unapplied cash."""
    practice.receive(remit("50", stranger("ELSEWHERE", "70", "50",
                                          svc("99214", "70", "50", "CO*45*20"))))
    return item_id(practice, "unmatched_payment")


def _checked(session: Any) -> None:
    assert edi_posting.check_ledger(session).violations == []


def test_return_to_the_payer_posts_dr_unapplied_cr_cash_and_closes_the_item(
        practice: Practice, as_user: Any) -> None:
    ident = _not_ours(practice)
    edi_posting.set_refund_limit(as_user("ada"), 10_000)
    done = edi_posting.return_payment(as_user("sam"), ident, "paid for another practice")
    assert done.status == "resolved" and done.amount_cents == 5000
    assert done.message == (f"review item {ident}: returned 50.00 to ACME HEALTH from cash: "
                            "paid for another practice")
    [entry] = done.entry_ids
    assert entry_kind(practice, entry) == ("return", ident)
    assert entry_lines(practice, entry) == [("unapplied_cash", 5000, None),
                                            ("cash_clearing", -5000, None)]
    assert item(practice, ident) == ("resolved", 0)
    assert events(practice, ident)[-1] == ("return", "resolved")
    _checked(as_user("aud"))


def test_return_as_a_refund_posts_a_refund_payable(practice: Practice, as_user: Any) -> None:
    ident = _not_ours(practice)
    edi_posting.set_refund_limit(as_user("ada"), 10_000)
    done = edi_posting.return_payment(as_user("sam"), ident, "paid in error", to="refund")
    assert entry_lines(practice, done.entry_ids[0]) == [("unapplied_cash", 5000, None),
                                                        ("refunds_payable", -5000, None)]
    assert "as a refund payable" in done.message
    _checked(as_user("aud"))


def test_a_return_above_the_refund_limit_waits_for_a_second_person(
        practice: Practice, as_user: Any) -> None:
    ident = _not_ours(practice)  # the refund limit is 0.00: every return waits
    waiting = edi_posting.return_payment(as_user("sam"), ident, "paid for another practice")
    assert waiting.message == (f"review item {ident}: return of 50.00 waits for approval 1 "
                               "(above the refund limit 0.00)")
    assert item(practice, ident) == ("open", 5000) and waiting.entry_ids == ()
    with pytest.raises(edi_posting.PermissionDeniedError):
        edi_posting.approve(as_user("sam"), 1)  # never one's own request
    approved = edi_posting.approve(as_user("leo"), 1)
    assert approved.status == "resolved"
    assert "approved by leo (approval 1, requested by sam)" in approved.message
    assert item(practice, ident) == ("resolved", 0)
    _checked(as_user("aud"))


def test_undo_of_a_return_reopens_the_item_with_its_cash(practice: Practice,
                                                         as_user: Any) -> None:
    ident = _not_ours(practice)
    edi_posting.set_refund_limit(as_user("ada"), 10_000)
    done = edi_posting.return_payment(as_user("sam"), ident, "wrong practice")
    undone = edi_posting.undo_action(as_user("sam"), ident, reason="it was ours after all")
    assert undone.message.startswith(f"review item {ident}: undid return (entry "
                                     f"{done.entry_ids[0]} reversed by entry")
    assert item(practice, ident) == ("open", 5000)
    _checked(as_user("aud"))


def test_return_refuses_an_item_holding_no_unapplied_cash(practice: Practice,
                                                          as_user: Any) -> None:
    from tests.test_api_queue import _denied
    ident = _denied(practice)
    with pytest.raises(edi_posting.ActionError, match="holds no unapplied cash to return"):
        edi_posting.return_payment(as_user("sam"), ident, "not ours")
    with pytest.raises(edi_posting.ActionError, match="one of payer, refund"):
        edi_posting.return_payment(as_user("sam"), ident, "not ours", to="bank")


def test_cli_return_prints_what_it_did_and_dry_run_writes_nothing(
        practice: Practice, as_user: Any, database_url: str) -> None:
    ident = _not_ours(practice)
    edi_posting.set_refund_limit(as_user("ada"), 10_000)
    runner = CliRunner()

    def queue(*args: str) -> Any:
        return runner.invoke(main, ["--db", database_url, "--actor", "sam", "queue", *args])

    def written() -> tuple[int, int]:
        with practice.engine.connect() as conn:
            return (conn.execute(select(func.count()).select_from(JournalEntry)).scalar_one(),
                    conn.execute(select(func.count()).select_from(ReviewItemEvent)).scalar_one())

    before = written()
    rehearsed = queue("return", str(ident), "--reason", "not ours", "--dry-run")
    assert rehearsed.exit_code == 0, rehearsed.output
    assert rehearsed.stdout == (
        f"review item {ident} (dry run, nothing written) would: returned 50.00 to ACME HEALTH "
        "from cash: not ours\n"
        "  would post return: unapplied_cash 50.00; cash_clearing -50.00\n"
        f"  would leave review item {ident} resolved at 0.00\n")
    assert written() == before and item(practice, ident) == ("open", 5000)
    refused = queue("return", str(ident), "--reason", "not ours", "--to", "bank")
    assert refused.exit_code == 2
    done = queue("return", str(ident), "--reason", "not ours", "--to", "refund")
    assert (done.exit_code, done.stdout) == (0, (f"review item {ident}: returned 50.00 to "
                                                 "ACME HEALTH as a refund payable: not ours\n"))
    again = queue("return", str(ident), "--reason", "not ours")
    assert (again.exit_code, again.stderr) == (65, (f"edi-posting: review item {ident} is "
                                                    "resolved already\n"))
