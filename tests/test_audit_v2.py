"""Audit hash definition v2: the upgrade re-seals an existing chain and says so, and on
PostgreSQL the database seals every event itself."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from edi_posting.audit.events import GENESIS_HASH, record_event, verify_chain
from edi_posting.audit.writes import write_transaction
from edi_posting.db.engine import make_engine
from edi_posting.db.migration import upgrade


def test_upgrade_to_0012_reseals_the_chain_and_records_the_old_head(
        empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0011")
    previous = GENESIS_HASH
    with engine.begin() as conn:  # a chain as the code before 0012 left it (its own hashes)
        conn.execute(text("INSERT INTO users (name, role, is_active, created_by) "
                          "VALUES ('ada', 'admin', true, 'ada')"))
        for n in range(1, 4):
            own = f"{n:064x}"
            conn.execute(text(
                "INSERT INTO audit_events (sequence, at, actor, action, outcome, summary, "
                "previous_hash, event_hash) VALUES (:n, CURRENT_TIMESTAMP, 'ada', 'test.old', "
                "'ok', :s, :p, :h)"), {"n": n, "s": json.dumps({"n": n}), "p": previous, "h": own})
            previous = own
    upgrade(engine)
    with engine.connect() as conn:
        result = verify_chain(conn)
        last = conn.execute(text("SELECT action, actor, summary FROM audit_events "
                                 "ORDER BY sequence DESC LIMIT 1")).one()
        login = conn.execute(text("SELECT login FROM users WHERE name = 'ada'")).scalar()
    engine.dispose()
    assert (result.is_intact, result.events) == (True, 4), result.reason
    summary = last.summary if isinstance(last.summary, dict) else json.loads(last.summary)
    assert (last.action, last.actor) == ("audit.chain_resealed", "system")
    assert summary["old_head"] == previous and summary["events"] == 3
    assert login == "ada"


def test_postgres_seals_each_event_whatever_the_client_sends(database_url: str,
                                                             backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("the sealing trigger is PostgreSQL's; SQLite computes in Python")
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        record_event(conn, actor="ada", action="test.first", outcome="ok", summary={"a": 1})
        conn.execute(text(
            "INSERT INTO audit_events (sequence, at, db_login, actor, action, outcome, "
            "previous_hash, event_hash) VALUES (99, '2001-01-01', 'someone', 'ada', "
            "'test.forged', 'ok', :h, :h)"), {"h": "f" * 64})
    with engine.connect() as conn:
        row = conn.execute(text("SELECT sequence, at, db_login, previous_hash, event_hash "
                                "FROM audit_events WHERE action = 'test.forged'")).one()
        first = conn.execute(text("SELECT event_hash FROM audit_events WHERE sequence = 1")).scalar()
        me = conn.execute(text("SELECT session_user")).scalar()
        result = verify_chain(conn)
    engine.dispose()
    assert row.sequence == 2 and row.previous_hash == first and row.event_hash != "f" * 64
    assert row.db_login == me and row.at.year > 2001
    assert (result.is_intact, result.events) == (True, 2), result.reason


def test_sqlite_events_carry_the_os_login(database_url: str, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL's login is the session user (the trigger's test)")
    import os
    import pwd

    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        record_event(conn, actor="ada", action="test.first", outcome="ok", summary=None)
        record_event(conn, actor="ada", action="test.second", outcome="ok", summary={"x": "é"})
    with engine.connect() as conn:
        logins = conn.execute(text("SELECT db_login FROM audit_events")).scalars().all()
        result = verify_chain(conn)
    engine.dispose()
    assert logins == [pwd.getpwuid(os.geteuid()).pw_name] * 2
    assert result.is_intact, result.reason
