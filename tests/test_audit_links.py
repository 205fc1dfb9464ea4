"""Every recorded change has its audit event, and `audit verify` checks the cross-reference
both ways: a journal entry, its lines, a review item event, a user or a posting policy
written without the application (an attacker holding the application's database role)
is caught at its row, and so is an audit event whose rows are gone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.engine import make_url

from edi_posting.audit.links import LINKS_KEY
from edi_posting.audit.links_verify import verify_links
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from edi_posting.db.models import AuditEvent, JournalEntry
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.review.actions import escalate
from edi_posting.review.balances import write_off
from edi_posting.review.undo import undo
from tests.test_queue_money import OFFICE_VISIT, act, item_id
from tests.x12build import build_x12, write_x12
from tests.x835 import Practice, clp, remit, svc


def _cli(database_url: str, *args: str, actor: str = "aud") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", database_url, "--actor", actor, *args])
    return result.exit_code, result.stderr


def _verify(database_url: str) -> tuple[int, str]:
    return _cli(database_url, "audit", "verify")


def _failure(practice: Practice) -> str | None:
    with practice.engine.connect() as conn:
        return verify_links(conn).failure


@pytest.fixture
def worked(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    """Two claims billed and denied, worked in the queue (escalated, written off, undone,
    written off past the limit and approved), a policy set and three users: every kind of
    recorded change."""
    p = Practice(database_url, tmp_path)
    p.bill(("PCN1", OFFICE_VISIT), ("PCN2", OFFICE_VISIT))
    for pcn, trace in (("PCN1", "TRACE1"), ("PCN2", "TRACE2")):
        p.receive(remit("0", clp(pcn, "4", "100", "0", "0", f"ICN{pcn}",
                                 svc("99213", "100", "0", "CO*16*100")), method="NON",
                        trace=trace))
    denial = item_id(p, "denial")
    act(p, escalate, denial + 1, "sam", "payer wants the referral")
    act(p, write_off, denial, "CO-16")
    act(p, undo, denial, reason="wrote off the wrong claim")
    assert _cli(database_url, "policy", "set", "CO", "45", "--action", "contractual")[0] == 0
    for name, role in (("aud", "admin"), ("sam", "specialist"), ("lee", "poster")):
        assert _cli(database_url, "users", "add", name, "--role", role)[0] == 0
    assert _cli(database_url, "users", "role", "lee", "lead")[0] == 0
    assert _cli(database_url, "users", "disable", "lee")[0] == 0
    assert _cli(database_url, "queue", "write-off-limit", "50.00")[0] == 0
    assert _cli(database_url, "queue", "write-off", str(denial + 1), "--reason", "CO-16",
                actor="sam")[0] == 0  # above the limit: waits for approval 1
    assert _cli(database_url, "queue", "approve", "1")[0] == 0
    yield p
    p.close()


@contextmanager
def _attacker(database_url: str) -> Iterator[Engine]:
    """A connection with the application's rights only: on PostgreSQL a login granted the
    application role (INSERT, no UPDATE/DELETE on the append-only tables)."""
    if make_url(database_url).get_backend_name() != "postgresql":
        engine = make_engine(database_url)
        yield engine
        engine.dispose()
        return
    from tests.pg_roles import application_login

    with application_login(database_url, "forger") as (_, url):
        app = make_engine(url)
        try:
            yield app
        finally:
            app.dispose()


def _forge(database_url: str, *statements: str) -> int:
    """Run raw INSERTs as the attacker; the id the first one returned."""
    with _attacker(database_url) as engine, engine.begin() as conn:
        first = int(conn.execute(text(statements[0])).scalar_one())
        for statement in statements[1:]:
            conn.execute(text(statement.format(id=first)))
    return first


def _lines(entry: str, cents: int, ordinal: int = 1) -> list[str]:
    account = "(SELECT id FROM ledger_accounts WHERE code = '{code}')"
    return [f"INSERT INTO journal_lines (entry_id, ordinal, account_id, amount_cents) VALUES "
            f"({entry}, {ordinal + k}, {account.format(code=code)}, {amount})"
            for k, (code, amount) in enumerate((("cash_clearing", cents),
                                                ("unapplied_cash", -cents)))]


def _first_entry(practice: Practice) -> int:
    with practice.engine.connect() as conn:
        return int(conn.execute(select(JournalEntry.id).order_by(JournalEntry.id)).scalars()
                   .first())  # type: ignore[arg-type]


def _recording_event(practice: Practice, entry: int) -> int:
    """The audit event whose links name the entry (its id inside one of the ranges)."""
    with practice.engine.connect() as conn:
        rows = conn.execute(select(AuditEvent.sequence, AuditEvent.summary)
                            .order_by(AuditEvent.sequence)).all()
    found = [sequence for sequence, summary in rows if any(
        first <= entry <= last for first, last in
        (((summary or {}).get(LINKS_KEY) or {}).get("journal_entries") or {}).get("ids") or [])]
    assert found
    return int(found[0])


def test_an_imported_and_worked_ledger_verifies_clean(worked: Practice,
                                                      database_url: str) -> None:
    assert _failure(worked) is None
    assert _verify(database_url) == (0, "audit chain intact\n")


def test_the_demo_day_verifies_clean(database_url: str) -> None:
    assert _cli(database_url, "demo")[0] == 0
    assert _verify(database_url) == (0, "audit chain intact\n")


def test_a_balanced_entry_inserted_without_the_application_fails_verify_at_its_row(
        worked: Practice, database_url: str) -> None:
    forged = _forge(database_url,
                    "INSERT INTO journal_entries (entry_key, kind, effective_date, actor) "
                    "VALUES ('forged', 'payment', '2026-01-02', 'sam') RETURNING id",
                    *_lines("{id}", 5000))
    assert _failure(worked) == f"journal entry {forged} has no audit event"
    expected = f"edi-posting: journal entry {forged} has no audit event\n"
    assert _verify(database_url) == (1, expected)


def test_lines_added_to_a_recorded_entry_fail_verify_naming_its_audit_event(
        worked: Practice, database_url: str) -> None:
    entry = _first_entry(worked)
    _forge(database_url, f"SELECT {entry}", *_lines(str(entry), 700, ordinal=90))
    sequence = _recording_event(worked, entry)
    expected = (f"journal entry {entry}'s lines differ from what audit event {sequence} "
                "recorded")
    assert _failure(worked) == expected
    assert _verify(database_url) == (1, f"edi-posting: {expected}\n")


def test_a_review_item_event_inserted_without_the_application_fails_verify(
        worked: Practice, database_url: str) -> None:
    denial = item_id(worked, "denial")
    forged = _forge(database_url,
                    "INSERT INTO review_item_events (review_item_id, actor, action, note) "
                    f"VALUES ({denial}, 'sam', 'note', 'payer called: paid') RETURNING id")
    assert _failure(worked) == f"review item event {forged} has no audit event"
    assert _verify(database_url)[0] == 1


def test_a_review_item_inserted_without_any_event_fails_verify(
        worked: Practice, database_url: str) -> None:
    forged = _forge(database_url,
                    "INSERT INTO review_items (dedupe_key, kind, status, priority, amount_cents, "
                    "message) VALUES ('forged', 'unmatched_payment', 'open', 3, 9000, 'cash') "
                    "RETURNING id")
    assert _failure(worked) == f"review item {forged} has no audit event"
    assert _verify(database_url)[0] == 1


def _as_owner(database_url: str, statement: str) -> int:
    """Users are written only through audited database functions once identity comes from
    the login (the application role has no INSERT or UPDATE on them): the owner, who can,
    plays the attacker here."""
    engine = make_engine(database_url)
    with engine.begin() as conn:
        found = int(conn.execute(text(statement)).scalar_one())
    engine.dispose()
    return found


def test_a_user_inserted_without_the_application_fails_verify(
        worked: Practice, database_url: str) -> None:
    forged = _as_owner(database_url, "INSERT INTO users (name, login, role, is_active, created_by) "
                                     "VALUES ('mallory', 'mallory', 'admin', true, 'aud') "
                                     "RETURNING id")
    assert _failure(worked) == f"user {forged} (mallory) has no audit event"
    assert _verify(database_url)[0] == 1


def test_a_role_changed_without_the_application_fails_verify(
        worked: Practice, database_url: str) -> None:
    sam = _as_owner(database_url,
                    "UPDATE users SET role = 'admin' WHERE name = 'sam' RETURNING id")
    failure = _failure(worked)
    assert failure is not None and failure.startswith(
        f"user {sam} (sam) is admin, active; its last audit event ")
    assert failure.endswith("recorded specialist, active")


def test_a_policy_inserted_without_the_application_fails_verify(
        worked: Practice, database_url: str) -> None:
    forged = _forge(database_url,
                    "INSERT INTO posting_policies (group_code, reason_code, action, "
                    "never_auto_post, zero_pay_contractual) "
                    "VALUES ('PR', '1', 'other', false, false) RETURNING id")
    assert _failure(worked) == f"posting policy {forged} (PR-1, every payer) has no audit event"
    assert _verify(database_url)[0] == 1


def test_an_approval_inserted_without_the_application_fails_verify(
        worked: Practice, database_url: str) -> None:
    denial = item_id(worked, "denial")
    forged = _forge(database_url,
                    "INSERT INTO approvals (review_item_id, action, amount_cents, reason, "
                    f"status, requested_by) VALUES ({denial}, 'write-off', 5000, 'CO-16', "
                    "'pending', 'sam') RETURNING id")
    assert _failure(worked) == f"approval {forged} has no audit event"
    assert _verify(database_url)[0] == 1


def test_an_audit_event_whose_entries_are_gone_fails_verify(
        worked: Practice, database_url: str) -> None:
    entry = _first_entry(worked)
    sequence = _recording_event(worked, entry)
    with worked.engine.begin() as conn:  # the owner, past the append-only triggers
        _drop_ledger_triggers(conn)
        conn.execute(text(f"DELETE FROM journal_lines WHERE entry_id = {entry}"))
        conn.execute(text(f"UPDATE review_item_events SET journal_entry_id = NULL "
                          f"WHERE journal_entry_id = {entry}"))
        conn.execute(text(f"DELETE FROM journal_entries WHERE id = {entry}"))
    assert _failure(worked) == (f"audit event {sequence} records journal entry {entry}, "
                                "which is missing")


def _drop_ledger_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for name in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                      " AND tbl_name IN ('journal_entries', 'journal_lines',"
                                      " 'review_item_events')")).scalars().all():
            conn.execute(text(f"DROP TRIGGER {name}"))
    else:
        for table in ("journal_entries", "journal_lines", "review_item_events"):
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def test_a_dry_run_rolled_back_leaves_verify_clean(worked: Practice, database_url: str,
                                                   tmp_path: Path) -> None:
    path = write_x12(tmp_path, build_x12(remit("0", clp(
        "PCN3", "1", "100", "80", "0", "ICN9", svc("99213", "100", "80", "CO*45*20")),
        trace="TRACE9"), interchange_control="000000999"), "third.835")
    assert _cli(database_url, "import", "--dry-run", str(path))[0] == 0
    assert _verify(database_url) == (0, "audit chain intact\n")


def _old_entry(conn: Connection, key: str) -> None:
    """What a version before the cross-reference wrote: an entry with no reference."""
    conn.execute(text("INSERT INTO journal_entries (entry_key, kind, effective_date, actor) "
                      f"VALUES ('{key}', 'manual', '2026-01-01', 'old')"))
    entry = conn.execute(text(f"SELECT id FROM journal_entries WHERE entry_key = '{key}'")
                         ).scalar_one()
    for statement in _lines(str(entry), 100):
        conn.execute(text(statement))


def _old_queue_action(conn: Connection) -> None:
    """An item, its opening event and a note with the audit event naming it, as a version
    before the cross-reference wrote them (queue actions already named their item event)."""
    from edi_posting.audit.events import item_event_digest, record_event

    conn.execute(text("INSERT INTO review_items (dedupe_key, kind, status, priority, "
                      "amount_cents, message) VALUES ('old', 'denial', 'open', 3, 0, 'old')"))
    item = conn.execute(text("SELECT id FROM review_items WHERE dedupe_key = 'old'")
                        ).scalar_one()
    for action in ("opened", "note"):
        conn.execute(text("INSERT INTO review_item_events (review_item_id, actor, action, note)"
                          f" VALUES ({item}, 'old', '{action}', 'old')"))
    from edi_posting.db.models import ReviewItemEvent

    note = conn.execute(select(ReviewItemEvent.__table__).where(  # type: ignore[arg-type]
        ReviewItemEvent.action == "note")).one()
    record_event(conn, actor="old", action="queue.note", outcome="ok",
                 object_type="review_item", object_id=str(item),
                 summary={"item_event": {"id": note.id,
                                         "digest": item_event_digest(note._mapping)}})


def test_entries_from_before_the_cross_reference_are_a_warning_and_new_ones_must_be_referenced(
        database_url: str, backend: str) -> None:
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        _old_entry(conn, "old1")
        _old_entry(conn, "old2")
        _old_queue_action(conn)
    with engine.connect() as conn:
        report = verify_links(conn)
    assert report.failure is None
    unlinked = ("recorded before audit events referenced them (no baseline yet): "
                "not cross-referenced")
    assert report.warnings == [f"2 journal entries were {unlinked}",
                               f"1 review item event was {unlinked}"]
    with write_transaction(engine) as conn:  # the first write of this version: a baseline
        write_entries(conn, [EntryDraft("new1", "manual", dt.date(2026, 1, 2), (
            Posting("cash_clearing", 5), Posting("unapplied_cash", -5)))], "t")
        from edi_posting.audit.events import record_event
        record_event(conn, actor="t", action="test.post", outcome="ok")
    with engine.connect() as conn:
        report = verify_links(conn)
    assert report.failure is None
    assert len(report.warnings) == 2  # the entries, the item events
    assert report.warnings[0].startswith("2 journal entries were recorded before audit events "
                                         "referenced them: vouched for by baseline event ")
    with write_transaction(engine) as conn:
        _old_entry(conn, "hidden")
        hidden = conn.execute(text("SELECT id FROM journal_entries WHERE entry_key = 'hidden'")
                              ).scalar_one()
    with engine.connect() as conn:
        assert verify_links(conn).failure == f"journal entry {hidden} has no audit event"
    engine.dispose()


def test_db_upgrade_vouches_for_older_entries_so_one_inserted_after_it_fails_verify(
        database_url: str) -> None:
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        _old_entry(conn, "old1")
    assert _cli(database_url, "db", "upgrade")[0] == 0
    with write_transaction(engine) as conn:
        _old_entry(conn, "after-upgrade")
        forged = conn.execute(text("SELECT id FROM journal_entries "
                                   "WHERE entry_key = 'after-upgrade'")).scalar_one()
    code, stderr = _verify(database_url)
    assert (code, stderr) == (1, f"edi-posting: journal entry {forged} has no audit event\n")
    engine.dispose()


def test_an_item_opened_after_the_last_audit_event_of_its_transaction_gets_its_own(
        database_url: str, tmp_path: Path) -> None:
    """A file rejected whole opens its `rejected_file` item in a transaction of its own, with
    no other audit event: an `audit.links` event vouches for it, naming who wrote it."""
    import json

    path = write_x12(tmp_path, build_x12(remit("0", trace="T1")).replace("ST*835", "ST*999"),
                     "not-a-remittance.835")
    assert _cli(database_url, "import", str(path), actor="pat")[0] == 65
    assert _verify(database_url) == (0, "audit chain intact\n")
    log = CliRunner().invoke(main, ["--db", database_url, "--actor", "aud", "audit", "log",
                                    "--action", "audit.links", "--format", "json"])
    [linked] = json.loads(log.stdout)
    assert (linked["actor"], linked["summary"]["written_by"]) == ("system", "pat")
    assert list(linked["summary"]["links"]) == ["review_item_events"]


def test_a_payers_policy_set_before_events_kept_payer_ids_is_no_failure_and_the_baseline_settles_it(
        database_url: str) -> None:
    from edi_posting.audit.events import record_event

    engine = make_engine(database_url)
    with write_transaction(engine) as conn:  # what a version before this one wrote
        conn.execute(text("INSERT INTO payers (name, primary_identifier) "
                          "VALUES ('ACME HEALTH', '87678')"))
        conn.execute(text("INSERT INTO posting_policies (payer_id, group_code, reason_code, "
                          "action, never_auto_post, zero_pay_contractual) SELECT id, 'CO', "
                          "'45', 'other', false, false FROM payers"))
        record_event(conn, actor="old", action="policy.set", outcome="ok",
                     object_type="posting_policy", object_id="CO-45",
                     summary={"payer": "87678", "group": "CO", "reason": "45",
                              "action": "other", "never_auto_post": False, "note": None,
                              "zero_pay_contractual": False})
    with engine.connect() as conn:
        assert verify_links(conn).failure is None
    assert _cli(database_url, "db", "upgrade")[0] == 0  # the baseline's snapshot
    forged = _forge(database_url,
                    "INSERT INTO posting_policies (payer_id, group_code, reason_code, action, "
                    "never_auto_post, zero_pay_contractual) SELECT id, 'CO', '97', 'other', "
                    "false, false FROM payers RETURNING id")
    with engine.connect() as conn:
        payer = conn.execute(text("SELECT id FROM payers")).scalar_one()
        assert verify_links(conn).failure == (f"posting policy {forged} (CO-97, payer {payer}) "
                                              "has no audit event")
    engine.dispose()


def test_a_user_deleted_behind_the_application_fails_verify_naming_the_event(
        worked: Practice, database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE name = 'lee'"))
        last = conn.execute(text("SELECT max(sequence) FROM audit_events WHERE "
                                 "object_type = 'user' AND object_id = 'lee'")).scalar_one()
    engine.dispose()
    assert _failure(worked) == f"audit event {last} records user lee, which is missing"
