"""The audit chain detects every edit, deletion, insertion and reordering, at the right
sequence number, even when the attacker bypasses the append-only triggers."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, text

from edi_posting.audit.events import record_event, verify_chain
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine

EVENTS = 30


@pytest.fixture
def chained(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        for n in range(1, EVENTS + 1):
            record_event(conn, actor=f"user{n % 3}", action="test.event", outcome="ok",
                         object_type="claim", object_id=f"PCN{n}", summary={"n": n})
    yield engine
    engine.dispose()


def _bypass_triggers(conn: Connection) -> None:
    """What someone with the database file (or the owner role) can do."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")


def _edit(conn: Connection, k: int, rng: random.Random) -> int:
    column, value = rng.choice([("actor", "mallory"), ("outcome", "refused"), ("object_id", "X")])
    conn.execute(text(f"UPDATE audit_events SET {column} = :v WHERE sequence = :k"), {"v": value, "k": k})
    return k


def _delete(conn: Connection, k: int, rng: random.Random) -> int:
    k = min(k, EVENTS - 1)  # deleting the head is caught by --expect-head, tested apart
    conn.execute(text("DELETE FROM audit_events WHERE sequence = :k"), {"k": k})
    return k


def _insert(conn: Connection, k: int, rng: random.Random) -> int:
    k = min(k, EVENTS - 1)
    conn.execute(text("UPDATE audit_events SET sequence = sequence + 1000 WHERE sequence > :k"), {"k": k})
    conn.execute(text("UPDATE audit_events SET sequence = sequence - 999 WHERE sequence > 1000"))
    conn.execute(text(
        "INSERT INTO audit_events (sequence, at, actor, action, outcome, previous_hash, event_hash)"
        " SELECT :s, at, 'mallory', 'ledger.write_off', 'ok', event_hash, :h FROM audit_events"
        " WHERE sequence = :k"), {"s": k + 1, "k": k, "h": f"{rng.getrandbits(256):064x}"})
    return k + 1


def _reorder(conn: Connection, k: int, rng: random.Random) -> int:
    j = rng.choice([n for n in range(1, EVENTS + 1) if n != k])
    conn.execute(text("UPDATE audit_events SET sequence = -1 WHERE sequence = :k"), {"k": k})
    conn.execute(text("UPDATE audit_events SET sequence = :k WHERE sequence = :j"), {"k": k, "j": j})
    conn.execute(text("UPDATE audit_events SET sequence = :j WHERE sequence = -1"), {"j": j})
    return min(k, j)


def test_an_untouched_chain_verifies(chained: Engine) -> None:
    with chained.connect() as conn:
        result = verify_chain(conn)
    assert (result.is_intact, result.events) == (True, EVENTS)


def test_a_hundred_random_tamperings_are_each_caught_at_the_right_sequence(chained: Engine) -> None:
    rng = random.Random(20261125)
    attacks = [_edit, _delete, _insert, _reorder]
    for _ in range(100):
        attack, k = rng.choice(attacks), rng.randint(1, EVENTS)
        with chained.connect() as conn:
            transaction = conn.begin()
            _bypass_triggers(conn)
            expected = attack(conn, k, rng)
            result = verify_chain(conn)
            transaction.rollback()
        assert not result.is_intact, (attack.__name__, k)
        assert result.broken_sequence == expected, (attack.__name__, k, result.reason)


def test_cutting_off_the_head_is_caught_with_a_recorded_head(chained: Engine) -> None:
    with chained.connect() as conn:
        head = verify_chain(conn).head_hash
        conn.rollback()
        transaction = conn.begin()
        _bypass_triggers(conn)
        conn.execute(text("DELETE FROM audit_events WHERE sequence = :k"), {"k": EVENTS})
        assert verify_chain(conn).is_intact  # the chain alone cannot tell
        result = verify_chain(conn, expected_head=head)
        transaction.rollback()
    assert (result.is_intact, result.broken_sequence) == (False, EVENTS)


def test_audit_verify_prints_the_head_and_exits_1_at_the_broken_row(chained: Engine, database_url: str) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["--db", database_url, "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("head ") and ok.stdout.endswith(f" after {EVENTS} event(s)\n")
    with write_transaction(chained) as conn:
        _bypass_triggers(conn)
        conn.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE sequence = 7"))
    broken = runner.invoke(main, ["--db", database_url, "audit", "verify"])
    assert broken.exit_code == 1
    assert "audit chain broken at sequence 7: event_hash does not match" in broken.stderr


def test_audit_log_filters_by_actor_and_object(chained: Engine, database_url: str) -> None:
    result = CliRunner().invoke(main, ["--db", database_url, "audit", "log", "--actor", "user1",
                                       "--object", "PCN4", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert '"object_id": "PCN4"' in result.stdout and result.stdout.count('"sequence"') == 1
