"""Journal entries, journal lines, audit events and review-item events cannot be updated
or deleted."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.models import (
    AuditEvent,
    JournalEntry,
    JournalLine,
    ReviewItemEvent,
)
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.queue.items import ReviewDraft, open_review_items


def _seed(database_url: str) -> None:
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        write_entries(conn, [EntryDraft("k1", "manual", dt.date(2026, 1, 1), (
            Posting("cash_clearing", 100), Posting("unapplied_cash", -100)))], "t")
        record_event(conn, actor="t", action="test.seed", outcome="ok")
        open_review_items(conn, [ReviewDraft("seed", "denial", "a seeded item")], "t")
    engine.dispose()


@pytest.mark.parametrize("model", [JournalEntry, JournalLine, AuditEvent, ReviewItemEvent],
                         ids=lambda m: m.__tablename__)
@pytest.mark.parametrize("statement", ["update", "delete"])
def test_append_only_tables_refuse_update_and_delete(database_url: str, model: type, statement: str) -> None:
    _seed(database_url)
    engine = make_engine(database_url)
    table = model.__table__  # type: ignore[attr-defined]
    column = {"journal_entries": "memo", "journal_lines": "amount_cents", "audit_events": "actor",
              "review_item_events": "note"}[table.name]
    value = 5 if column == "amount_cents" else "x"
    sql = update(table).values({column: value}) if statement == "update" else delete(table)
    with pytest.raises(DBAPIError) as raised, write_transaction(engine) as conn:
        conn.execute(sql)
    assert "append-only" in str(raised.value)
    engine.dispose()


def test_postgres_application_role_has_no_update_or_delete_on_the_ledger(
    backend: str, database_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("roles and grants exist only on PostgreSQL")
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from edi_posting.db.migration import grant_application_role

    _seed(database_url)
    role = f"edi_app_test_{os.getpid()}"  # roles are server-wide: one per test run
    owner = make_engine(database_url)
    with owner.begin() as conn:
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    grant_application_role(owner, role)
    app = make_engine(make_url(database_url).set(username=role))
    try:
        with pytest.raises(DBAPIError) as raised, app.begin() as conn:
            conn.execute(text("DELETE FROM journal_lines"))
        assert "permission denied" in str(raised.value)
        with app.begin() as conn:  # but it can post
            write_entries(conn, [EntryDraft("k2", "manual", dt.date(2026, 1, 1), (
                Posting("cash_clearing", 1), Posting("unapplied_cash", -1)))], "app")
    finally:
        app.dispose()
        with owner.begin() as conn:
            for what in ("ALL TABLES IN SCHEMA public", "ALL SEQUENCES IN SCHEMA public",
                         "ALL FUNCTIONS IN SCHEMA public"):
                conn.execute(text(f"REVOKE ALL ON {what} FROM {role}"))
            conn.execute(text(f"REVOKE ALL ON SCHEMA public FROM {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()
