"""Write-offs above the limit (cumulative per claim) and refunds above the refund limit wait
for a second person: a different user holding `approve` posts them, or rejects them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from edi_posting.cli import main
from edi_posting.db.models import Refund
from tests.acting import as_user
from tests.test_queue_money import (
    _paid_twice,
    events,
    item,
    item_id,
)
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def users(practice: Practice, database_url: str) -> str:
    for name, role in (("ada", "admin"), ("bea", "admin"), ("sam", "specialist"),
                       ("leo", "lead"), ("aud", "auditor")):
        assert CliRunner().invoke(main, ["--db", database_url, "--actor", "ada", "users", "add",
                                         name, "--role", role]).exit_code == 0
    return database_url


def _cli(db: str, actor: str, *args: str) -> Any:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, "queue", *args])


def _denied_300(practice: Practice) -> int:
    practice.bill(("PCN1", (("HC:99213", "300"),)))
    practice.receive(remit("0", clp("PCN1", "4", "300", "0", "0", "ICN1",
                                    svc("99213", "300", "0", "CO*16*300")), method="NON"))
    return item_id(practice, "denial")


def _approvals(db: str, *args: str) -> list[dict[str, Any]]:
    listed = _cli(db, "ada", "approvals", "--format", "json", *args)
    assert listed.exit_code == 0, listed.output
    return list(json.loads(listed.stdout))


def test_write_off_limit_is_cumulative_per_claim_so_99_99_17_waits_past_100(
        practice: Practice, users: str) -> None:
    ident = _denied_300(practice)
    first = _cli(users, "sam", "write-off", str(ident), "--reason", "CO-16", "--amount", "99")
    assert first.exit_code == 0, first.output
    second = _cli(users, "sam", "write-off", str(ident), "--reason", "CO-16", "--amount", "99")
    assert second.exit_code == 0, second.output
    assert second.stdout == (f"review item {ident}: write-off of 99.00 waits for approval 1 "
                             "(write-offs on claim PCN1 would reach 198.00, above the write-off "
                             "limit 100.00)\n")
    third = _cli(users, "sam", "write-off", str(ident), "--reason", "CO-16", "--amount", "17")
    assert "waits for approval 2" in third.stdout
    assert practice.balances("PCN1") == ("201.00", "0.00")  # only the first 99.00 posted
    pending = _approvals(users)
    assert [(a["id"], a["item_id"], a["action"], a["amount"], a["requested_by"], a["status"])
            for a in pending] == [(1, ident, "write-off", "99.00", "sam", "pending"),
                                  (2, ident, "write-off", "17.00", "sam", "pending")]
    assert [a for a, _ in events(practice, ident)] == [
        "opened", "write-off", "approval_requested", "approval_requested"]


def test_the_requester_can_never_approve_their_own_and_a_different_approver_posts_it(
        practice: Practice, users: str) -> None:
    ident = _denied_300(practice)
    asked = _cli(users, "ada", "write-off", str(ident), "--reason", "CO-16", "--amount", "150")
    assert "waits for approval 1" in asked.stdout
    own = _cli(users, "ada", "approve", "1")
    assert own.exit_code == 77
    assert own.stderr == ("edi-posting: permission denied (approve): approval 1 was requested "
                          "by ada; a different user holding 'approve' must decide it\n")
    specialist = _cli(users, "sam", "approve", "1")
    assert specialist.exit_code == 77 and "permission denied (approve)" in specialist.stderr
    assert practice.balances("PCN1") == ("300.00", "0.00")
    done = _cli(users, "bea", "approve", "1")
    assert done.exit_code == 0, done.output
    assert done.stdout == (f"review item {ident}: wrote off 150.00 of claim PCN1's insurance "
                           "balance (CO-16); approved by bea (approval 1, requested by ada)\n")
    assert practice.balances("PCN1") == ("150.00", "0.00")
    assert _approvals(users, "--status", "approved")[0]["decided_by"] == "bea"
    again = _cli(users, "bea", "approve", "1")
    assert (again.exit_code, again.stderr) == (65, "edi-posting: approval 1 is approved already\n")
    log = CliRunner().invoke(main, ["--db", users, "--actor", "aud", "audit", "log", "--action",
                                    "queue.approve", "--format", "json"])
    assert [(e["actor"], e["role"], e["outcome"]) for e in json.loads(log.stdout)] == [
        ("ada", "admin", "refused"), ("sam", "specialist", "refused"), ("bea", "admin", "ok")]


def test_every_refund_above_the_refund_limit_waits_for_a_second_person(
        practice: Practice, users: str) -> None:
    ident = _paid_twice(practice)
    asked = _cli(users, "sam", "refund", str(ident), "--reason", "paid twice")
    assert asked.exit_code == 0, asked.output
    assert asked.stdout == (f"review item {ident}: refund of 100.00 waits for approval 1 "
                            "(above the refund limit 0.00)\n")
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    assert item(practice, ident) == ("open", 10000)
    done = _cli(users, "bea", "approve", "1")
    assert done.exit_code == 0, done.output
    assert practice.balances("PCN1") == ("0.00", "0.00")
    with practice.engine.connect() as conn:
        refunds = conn.execute(select(Refund.amount_cents, Refund.approved_by)).all()
    assert [tuple(r) for r in refunds] == [(10000, "bea")]
    assert item(practice, ident)[0] == "resolved"


def test_a_refund_at_or_below_the_refund_limit_posts_at_once(practice: Practice,
                                                             users: str) -> None:
    ident = _paid_twice(practice)
    assert _cli(users, "sam", "refund-limit", "500").exit_code == 77
    assert _cli(users, "ada", "refund-limit", "500").stdout == "500.00\n"
    done = _cli(users, "sam", "refund", str(ident), "--reason", "paid twice")
    assert done.exit_code == 0 and "refund 1 of 100.00" in done.stdout
    assert practice.balances("PCN1") == ("0.00", "0.00")


def test_a_rejected_approval_posts_nothing_and_cannot_be_approved_later(
        practice: Practice, users: str) -> None:
    ident = _paid_twice(practice)
    _cli(users, "sam", "refund", str(ident), "--reason", "paid twice")
    usage = _cli(users, "bea", "reject-approval", "1")
    assert usage.exit_code == 2
    rejected = _cli(users, "bea", "reject-approval", "1", "--note", "payer will recoup by PLB")
    assert rejected.exit_code == 0, rejected.output
    assert rejected.stdout == "approval 1 rejected: payer will recoup by PLB\n"
    assert _cli(users, "ada", "approve", "1").exit_code == 65
    assert practice.balances("PCN1") == ("-100.00", "0.00")
    assert _approvals(users) == []
    assert _approvals(users, "--status", "rejected")[0]["decision_note"] == "payer will recoup by PLB"


def test_without_users_a_single_person_database_posts_refunds_and_write_offs_at_once(
        practice: Practice, database_url: str) -> None:
    ident = _denied_300(practice)
    done = _cli(database_url, "solo", "write-off", str(ident), "--reason", "CO-16")
    assert done.exit_code == 0 and "wrote off 300.00" in done.stdout
    assert _approvals(database_url) == []


def test_a_refund_without_an_amount_takes_at_most_the_credit_of_the_payer_in_credit(
        practice: Practice) -> None:
    """The payer paid twice (100.00) and the patient overpaid at the desk (30.00): each
    side's credit has its own item, and a refund to the payer is the payer's 100.00, never
    the patient's."""
    import datetime as dt

    from edi_posting.audit.writes import write_transaction
    from edi_posting.db.models import SubmittedClaim
    from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
    from edi_posting.queue.credits import refresh_credit_balances
    from edi_posting.review.refunds import refund

    ident = _paid_twice(practice)
    with write_transaction(practice.engine) as conn:
        claim = conn.execute(select(SubmittedClaim.id, SubmittedClaim.patient_account_id).where(
            SubmittedClaim.patient_control_number == "PCN1")).one()
        dims = {"patient_account_id": claim.patient_account_id, "submitted_claim_id": claim.id}
        entry = write_entries(conn, [EntryDraft("desk:1", "manual", dt.date(2026, 3, 1), (
            Posting("cash_clearing", 3000), Posting("patient_ar", -3000, **dims)))], "desk")[0]
        [patient_item] = refresh_credit_balances(conn, [claim.id], actor="desk",
                                                 cause="desk payment", entry_id=entry)
    assert item(practice, ident) == ("open", 10000)
    assert item(practice, patient_item) == ("open", 3000)
    with write_transaction(practice.engine) as conn:
        to_payer = refund(conn, ident, "paid twice", principal=as_user(conn, "solo"))
    assert to_payer.amount_cents == 10000 and practice.balances("PCN1") == ("0.00", "-30.00")
    with write_transaction(practice.engine) as conn:
        to_patient = refund(conn, patient_item, "overpaid at the desk",
                            principal=as_user(conn, "solo"))
    assert to_patient.amount_cents == 3000 and practice.balances("PCN1") == ("0.00", "0.00")


def test_a_lead_approves_a_specialists_refund_but_not_their_own(practice: Practice,
                                                               users: str) -> None:
    ident = _paid_twice(practice)
    _cli(users, "leo", "refund", str(ident), "--reason", "paid twice", "--amount", "40")
    assert _cli(users, "leo", "approve", "1").exit_code == 77
    _cli(users, "sam", "refund", str(ident), "--reason", "paid twice", "--amount", "60")
    done = _cli(users, "leo", "approve", "2")
    assert done.exit_code == 0, done.output
    assert practice.balances("PCN1") == ("-40.00", "0.00")
    assert [a["id"] for a in _approvals(users)] == [1]
