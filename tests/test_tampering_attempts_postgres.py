"""Issue 21's tampering list, played once more as the application role on PostgreSQL (a login
granted `db grant`, on a ledger imported and worked in the queue): every attempt, and the
test that shows it refused by the database or detected by `audit verify` / `ledger check`
at its row.  Tests in this module cover what no other did.

Audit trail
- insert an event with a chosen sequence, time, login and hashes: overridden by the seal
  trigger (test_tampering_postgres::test_an_inserted_audit_event_gets_the_databases_...)
- insert an event in another user's name: refused
  (test_tampering_postgres::test_an_audit_event_in_another_users_name_is_refused)
- a login mapped to no user writes events: refused
  (test_tampering_postgres::test_a_login_mapped_to_no_user_cannot_write_audit_events)
- update, delete or truncate events: refused
  (test_tampering_postgres::test_audit_events_cannot_be_rewritten_or_removed)
- cut the chain off at its end (the owner; the application role cannot delete): detected
  against an exported head
  (test_audit_head::test_verify_accepts_the_exported_head_and_catches_a_cut_chain)
- an event claiming ``system`` to link forged rows: accepted (the engine's own events are
  written from any user's login), but the chain names the login that wrote it and `audit
  log` shows it (test_a_system_event_linking_forged_rows_names_the_login_that_wrote_it)

Ledger
- insert a balanced journal entry: detected
  (test_audit_links::test_a_balanced_entry_inserted_without_the_application_fails_verify_...)
- add lines to a recorded entry: detected
  (test_audit_links::test_lines_added_to_a_recorded_entry_fail_verify_naming_its_audit_event)
- update or delete journal entries, lines, item events: refused
  (test_append_only::test_postgres_application_role_has_no_update_or_delete_on_the_ledger,
  test_the_append_only_tables_refuse_the_application_role)

Review queue and approvals
- insert a review item event: detected
  (test_audit_links::test_a_review_item_event_inserted_without_the_application_fails_verify)
- insert a review item: detected
  (test_audit_links::test_a_review_item_inserted_without_any_event_fails_verify)
- close or reopen an item in place: detected
  (test_an_item_closed_or_reopened_in_place_fails_verify)
- change an item's amount in place: detected by `ledger check`
  (test_an_amount_changed_in_place_fails_ledger_check)
- edit a closed item's resolution (or an event's note): detected
  (test_audit_item_events::test_an_edited_resolution_on_the_item_fails_audit_verify)
- insert an approval: detected
  (test_audit_links::test_an_approval_inserted_without_the_application_fails_verify)
- change who requested an approval: refused
  (test_tampering_postgres::test_users_cannot_be_written_directly_by_the_application_role)
- decide an approval in place: detected (test_a_policy_or_approval_changed_in_place_...)

Posting policies and limits
- insert a policy: detected
  (test_audit_links::test_a_policy_inserted_without_the_application_fails_verify)
- change a policy in place: detected (test_a_policy_or_approval_changed_in_place_...)
- raise the write-off limit in place: detected (test_a_limit_raised_in_place_fails_verify)

Users
- insert, promote or delete a user: refused
  (test_tampering_postgres::test_users_cannot_be_written_directly_by_the_application_role)
- create or promote through the audited functions as a non-admin: refused
  (test_tampering_postgres::test_a_non_admin_cannot_create_or_promote_users_through_...)
- claim the admin with --actor: exit 77, the refusal audited under the real login
  (test_tampering_postgres::test_claiming_the_admin_from_the_cli_exits_77_and_the_...)

Archived files
- rewrite a received file's SHA-256, archive path, name or receiver: refused
  (test_tampering_postgres::test_the_application_role_cannot_rewrite_what_was_recorded_...)
- replace the archived bytes: detected by `audit verify --archive` (test_tampering_postgres::
  test_archived_bytes_replaced_by_the_application_role_are_named_by_verify_archive; the
  owner's rewrites: test_the_owner_rewriting_a_received_files_archive_is_named_by_...)
- plant a file at the archive's hash path: detected and not trusted
  (test_archive_integrity::test_a_planted_file_at_the_hash_path_is_detected_and_not_trusted)

Reference rows
- rewrite a claim's billed amount or PCN, a payment's paid amount, a remittance's amount or
  trace, a payer's name, a PLB's amount, a setting's or policy's key: refused
  (test_what_the_application_never_updates_in_place_is_refused)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from tests.pg_roles import application_login
from tests.test_audit_links import _failure, worked  # noqa: F401 - the worked ledger
from tests.x835 import Practice


@pytest.fixture
def forger(worked: Practice, database_url: str, backend: str  # noqa: F811
           ) -> Iterator[tuple[str, Engine]]:
    """``mallory``, a specialist logged in as her own application-role login, on the worked
    ledger of tests/test_audit_links.py."""
    if backend != "postgresql":
        pytest.skip("the application role's grants are PostgreSQL's")
    with application_login(database_url, "mallory") as (role, url):
        _cli(database_url, "users", "add", "mallory", "--role", "specialist", "--login", role)
        engine = make_engine(url)
        yield role, engine
        engine.dispose()


def _cli(database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", "aud", *args])
    return result.exit_code, result.stdout, result.stderr


def _run(engine: Engine, sql: str) -> int:
    with engine.begin() as conn:
        return int(conn.execute(text(sql)).rowcount)


@pytest.mark.parametrize("sql, failure", [
    ("UPDATE posting_policies SET action = 'other'",
     "posting policy 1 (CO-45, every payer) differs from what audit event "),
    ("UPDATE approvals SET status = 'rejected', decided_by = 'mallory'",
     "approval 1 is rejected; its last audit event "),
])
def test_a_policy_or_approval_changed_in_place_fails_verify(
        worked: Practice, forger: tuple[str, Engine], sql: str, failure: str  # noqa: F811
) -> None:
    assert _run(forger[1], sql) == 1
    found = _failure(worked)
    assert found is not None and found.startswith(failure), found


@pytest.mark.parametrize("sql", [
    "UPDATE review_items SET status = 'resolved', resolution = 'paid' WHERE status = 'open'",
    "UPDATE review_items SET status = 'open', resolution = NULL WHERE status <> 'open'",
])
def test_an_item_closed_or_reopened_in_place_fails_verify(
        worked: Practice, forger: tuple[str, Engine], database_url: str,  # noqa: F811
        sql: str) -> None:
    assert _run(forger[1], sql) >= 1
    found = _failure(worked)
    assert found is not None and found.startswith("review item "), found
    assert "its last item event" in found
    assert _cli(database_url, "audit", "verify")[0] == 1


def test_an_amount_changed_in_place_fails_ledger_check(
        forger: tuple[str, Engine], database_url: str) -> None:
    _run(forger[1], "UPDATE review_items SET amount_cents = amount_cents + 100")
    assert _cli(database_url, "ledger", "check")[0] == 1


@pytest.mark.parametrize("sql", [
    "UPDATE journal_lines SET amount_cents = 0",
    "DELETE FROM journal_entries",
    "UPDATE review_item_events SET note = 'paid'",
    "DELETE FROM review_items",
])
def test_the_append_only_tables_refuse_the_application_role(
        forger: tuple[str, Engine], sql: str) -> None:
    with pytest.raises(DBAPIError) as refused:
        _run(forger[1], sql)
    assert "permission denied" in str(refused.value.orig)


def test_a_system_event_linking_forged_rows_names_the_login_that_wrote_it(
        worked: Practice, forger: tuple[str, Engine], database_url: str  # noqa: F811
) -> None:
    """The application's own code, run with mallory's login, posts an entry in sam's name:
    its rows get an ``audit.links`` event as the engine (``system``), which the database
    accepts from a user's login; the chain still says whose login wrote it."""
    role, engine = forger
    with write_transaction(engine) as conn:
        write_entries(conn, [EntryDraft("forged", "manual", dt.date(2026, 3, 1), (
            Posting("cash_clearing", 5000), Posting("unapplied_cash", -5000)))], "sam")
    code, out, _ = _cli(database_url, "audit", "log", "--action", "audit.links",
                        "--format", "json")
    assert code == 0
    [event] = json.loads(out)
    assert (event["actor"], event["db_login"]) == ("system", role)
    assert event["summary"]["written_by"] == "sam"  # what the row claims; db_login is the truth
    code, out, _ = _cli(database_url, "audit", "log", "--action", "audit.links")
    assert role in out  # the table shows the login beside the actor


def test_a_limit_raised_in_place_fails_verify(
        worked: Practice, forger: tuple[str, Engine], database_url: str  # noqa: F811
) -> None:
    """The write-off limit decides which write-offs wait for a lead: raising it behind the
    application would let the next large write-off through unapproved."""
    assert _run(forger[1], "UPDATE settings SET value = '99999999' "
                           "WHERE key = 'queue.write_off_limit_cents'") == 1
    found = _failure(worked)
    assert found is not None and found.startswith(
        "setting queue.write_off_limit_cents is 999999.99; its last audit event "), found
    assert found.endswith("recorded 50.00")
    assert _cli(database_url, "audit", "verify")[0] == 1


@pytest.mark.parametrize("sql", [
    "UPDATE submitted_claims SET total_charge_cents = 1",
    "UPDATE submitted_claims SET patient_control_number = 'PCN9'",
    "UPDATE claim_payments SET paid_cents = paid_cents + 100",
    "UPDATE remittances SET payment_cents = 1, trace_number = 'X'",
    "UPDATE payers SET name = 'OTHER'",
    "UPDATE provider_adjustments SET amount_cents = 1",
    "UPDATE settings SET key = 'other'",
    "UPDATE posting_policies SET group_code = 'PR'",
])
def test_what_the_application_never_updates_in_place_is_refused(
        forger: tuple[str, Engine], sql: str) -> None:
    """Billed and paid amounts, identifiers: the ledger's lines keep what was posted, so a
    rewrite in place would pass `ledger check` and the cross-reference; the database
    refuses it (UPDATE is granted only on the columns the application updates)."""
    with pytest.raises(DBAPIError) as refused:
        _run(forger[1], sql)
    assert "permission denied" in str(refused.value.orig)
