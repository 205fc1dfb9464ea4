"""Closed accounting periods (issue 26): after `period close 2026-03` nothing posts into
March; a late 835 paid in March posts on the first open day, its memo keeping the
original date and naming the closed period; the ledger stays clean.  Through the public
API and the CLI, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select

import edi_posting
from edi_posting.cli import main
from edi_posting.db.models import AuditEvent, JournalEntry
from tests.x835 import Practice, clp, remit, svc

_PAID_IN_MARCH = remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                 *svc("99213", "100", "80", "CO*45*20").splitlines()))


def _entries(practice: Practice, kind: str) -> list[tuple[dt.date, str | None]]:
    with practice.engine.connect() as conn:
        return [(r.effective_date, r.memo) for r in conn.execute(
            select(JournalEntry.effective_date, JournalEntry.memo)
            .where(JournalEntry.kind == kind).order_by(JournalEntry.id))]


def _checked(session: Any) -> None:
    assert edi_posting.check_ledger(session).violations == []


def test_an_835_paid_in_a_closed_period_posts_on_the_first_open_day_keeping_its_date(
        practice: Practice, as_user: Any) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    edi_posting.close_period(as_user("ada"), "2026-03", "March books closed")
    practice.receive(_PAID_IN_MARCH)
    assert _entries(practice, "payment") == [
        (dt.date(2026, 4, 1), ("1 payment of claim PCN1; dated 2026-03-10 in closed period "
                               "2026-03; posted 2026-04-01"))]
    assert _entries(practice, "charge") == [(dt.date(2026, 3, 1), "charge for claim PCN1")]  # billed before
    assert practice.balances("PCN1") == ("0.00", "0.00")
    _checked(as_user("aud"))


def test_consecutive_closed_periods_post_into_the_first_open_one_after_them(
        practice: Practice, as_user: Any) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    for month in ("2026-03", "2026-04", "2026-06"):
        edi_posting.close_period(as_user("ada"), month)
    practice.receive(_PAID_IN_MARCH)
    assert [d for d, _ in _entries(practice, "payment")] == [dt.date(2026, 5, 1)]
    _checked(as_user("aud"))


def test_a_reopened_period_takes_its_own_entries_again(practice: Practice,
                                                       as_user: Any) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    edi_posting.close_period(as_user("ada"), "2026-03")
    row = edi_posting.reopen_period(as_user("ada"), "2026-03", "late adjustment agreed")
    assert (row["status"], row["reopened_by"], row["reopen_reason"]) == (
        "reopened", "ada", "late adjustment agreed")
    practice.receive(_PAID_IN_MARCH)
    assert _entries(practice, "payment") == [(dt.date(2026, 3, 10), "1 payment of claim PCN1")]
    _checked(as_user("aud"))


def test_closing_and_reopening_need_administer_and_are_audited(practice: Practice,
                                                               as_user: Any) -> None:
    with pytest.raises(edi_posting.PermissionDeniedError):
        edi_posting.close_period(as_user("sam"), "2026-03", "no")
    edi_posting.close_period(as_user("ada"), "2026-03", "March books closed")
    with pytest.raises(edi_posting.PermissionDeniedError):
        edi_posting.reopen_period(as_user("leo"), "2026-03", "no")
    [listed] = edi_posting.list_periods(as_user("aud"))
    assert (listed["period"], listed["status"], listed["closed_by"], listed["close_reason"]) == (
        "2026-03", "closed", "ada", "March books closed")
    with practice.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.action, AuditEvent.actor, AuditEvent.outcome)
                              .where(AuditEvent.action.like("period.%"))
                              .order_by(AuditEvent.sequence)).all()
    assert [tuple(e) for e in events] == [("period.close", "sam", "refused"),
                                          ("period.close", "ada", "ok"),
                                          ("period.reopen", "leo", "refused")]


@pytest.mark.parametrize(("period", "message"), [
    ("2026-13", "period '2026-13' is not a month: write it YYYY-MM, e.g. 2026-11"),
    ("November", "period 'November' is not a month: write it YYYY-MM, e.g. 2026-11"),
    ("2026-12", "period 2026-12 is not over yet: it can be closed from 2027-01-01"),
])
def test_a_period_that_is_no_month_or_not_over_is_refused(practice: Practice, as_user: Any,
                                                          period: str, message: str) -> None:
    with pytest.raises(edi_posting.PeriodError) as refused:
        edi_posting.close_period(as_user("ada"), period, today=dt.date(2026, 12, 7))
    assert str(refused.value) == message
    assert edi_posting.list_periods(as_user("ada")) == []


def test_closing_twice_or_reopening_an_open_period_is_refused(practice: Practice,
                                                              as_user: Any) -> None:
    with pytest.raises(edi_posting.PeriodError, match="period 2026-03 is not closed"):
        edi_posting.reopen_period(as_user("ada"), "2026-03", "why")
    edi_posting.close_period(as_user("ada"), "2026-03")
    with pytest.raises(edi_posting.PeriodError, match=r"closed already \(by ada\)"):
        edi_posting.close_period(as_user("ada"), "2026-03")
    with pytest.raises(edi_posting.PeriodError, match="a reason is required"):
        edi_posting.reopen_period(as_user("ada"), "2026-03", "  ")


def test_closed_periods_are_read_once_per_set_transaction(practice: Practice,
                                                          as_user: Any) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)), ("PCN2", (("HC:99213", "100"),)))
    edi_posting.close_period(as_user("ada"), "2026-03")
    reads: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM periods" in statement:
            reads.append(statement)

    event.listen(practice.engine, "before_cursor_execute", count)
    reversal = clp("PCN1", "22", "-100", "-80", "0", "ICN1")
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN2",
                                     *svc("99213", "100", "80", "CO*45*20").splitlines()),
                           reversal, clp("PCN2", "1", "100", "80", "0", "ICN3",
                                         *svc("99213", "100", "80", "CO*45*20").splitlines())))
    event.remove(practice.engine, "before_cursor_execute", count)
    assert len(reads) == 1
    _checked(as_user("aud"))


def test_period_cli_closes_lists_and_reopens_with_documented_exit_codes(
        practice: Practice, as_user: Any, database_url: str) -> None:
    runner = CliRunner()

    def run(*args: str, actor: str = "ada") -> Any:
        return runner.invoke(main, ["--db", database_url, "--actor", actor, *args])

    done = run("period", "close", "2026-03", "--reason", "March books closed")
    assert (done.exit_code, done.stdout, done.stderr) == (
        0, "", "period 2026-03 closed: entries dated in it now post on the first open day\n")
    assert run("period", "close", "2026-03").exit_code == 2
    assert run("period", "close", "2026-04", actor="sam").exit_code == 77
    listed = run("period", "list", "--format", "csv", actor="aud")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines()[0] == ("period,status,closed_by,closed_at,close_reason,"
                                             "reopened_by,reopened_at,reopen_reason")
    assert listed.stdout.splitlines()[1].startswith("2026-03,closed,ada,")
    assert run("period", "reopen", "2026-03").exit_code == 2  # --reason is required
    again = run("period", "reopen", "2026-03", "--reason", "late adjustment")
    assert (again.exit_code, again.stderr) == (
        0, "period 2026-03 reopened: entries dated in it post there again\n")
    _checked(as_user("aud"))
