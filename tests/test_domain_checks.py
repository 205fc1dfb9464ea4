"""The kinds, codes, roles and actions the engine stores are closed lists: each column
holds only the members of its enum (CHECK constraints built from the enums, migration
0016 for the columns 0015 left open), so an unknown word is refused by the database,
whoever writes it, and every word the code knows is accepted: the enum and the CHECK
cannot drift apart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import CheckConstraint, Connection, Table, insert, select, text, update

from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import Base
from edi_posting.db.engine import make_engine
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.migration import current_revision, upgrade
from edi_posting.db.models import (
    ACCOUNT_CODES,
    AuditEvent,
    ClaimPayment,
    JournalEntry,
    LedgerAccount,
    PostingPolicy,
    ReviewItem,
    ReviewItemEvent,
    TransactionSet,
)
from edi_posting.db.parties import Role
from edi_posting.db.workflow import ItemAction, PolicyAction
from edi_posting.ledger.journal import EntryDraft, Posting, write_entries
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.queue.kinds import MONEY_KINDS, UNAPPLIED_KINDS
from edi_posting.records.states import AuditOutcome, MatchMethod, ReviewKind, SetKind, check_in
from tests.x835 import Practice, clp, remit, svc


@pytest.fixture
def practice(database_url: str, tmp_path: Path) -> Iterator[Practice]:
    p = Practice(database_url, tmp_path)
    yield p
    p.close()


def _refused(table: str, column: str) -> AbstractContextManager[object]:
    """The write fails on the named CHECK (bulk writes on PostgreSQL use COPY, whose error
    the driver raises as is, so the message is what both backends have in common)."""
    return pytest.raises(Exception, match=f"ck_{table}_{column}")


def _checks(table: Table) -> set[str]:
    return {str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}


def test_the_models_declare_each_check_from_its_enum() -> None:
    assert check_in("kind", ReviewKind) in _checks(ReviewItem.__table__)
    assert check_in("kind", EntryKind) in _checks(JournalEntry.__table__)
    assert check_in("code", AccountCode) in _checks(LedgerAccount.__table__)
    assert check_in("action", PolicyAction) in _checks(PostingPolicy.__table__)
    assert check_in("kind", SetKind) in _checks(TransactionSet.__table__)
    assert f"role IS NULL OR {check_in('role', Role)}" in _checks(AuditEvent.__table__)
    assert (f"match_method IS NULL OR {check_in('match_method', MatchMethod)}"
            in _checks(ClaimPayment.__table__))
    assert check_in("action", ItemAction) in _checks(ReviewItemEvent.__table__)


def _seed_item(practice: Practice) -> None:
    with write_transaction(practice.engine) as conn:
        open_review_items(conn, [ReviewDraft("seed", ReviewKind.DENIAL, "a seeded item")], "t")


def test_a_review_item_kind_outside_review_kind_is_refused(practice: Practice) -> None:
    _seed_item(practice)
    with _refused("review_items", "kind"), write_transaction(practice.engine) as conn:
        conn.execute(update(ReviewItem).values(kind="unmatched"))


def test_every_review_kind_is_accepted(practice: Practice) -> None:
    _seed_item(practice)
    for kind in ReviewKind:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(ReviewItem).values(kind=kind))


def test_the_money_kinds_are_review_kinds() -> None:
    assert MONEY_KINDS <= set(ReviewKind) and UNAPPLIED_KINDS <= MONEY_KINDS


def _entry(practice: Practice, kind: str, key: str = "desk:1") -> None:
    """Entries are append-only, so each kind is tried as a new entry."""
    with write_transaction(practice.engine) as conn:
        write_entries(conn, [EntryDraft(key, kind, dt.date(2026, 3, 1), (  # type: ignore[arg-type]
            Posting("cash_clearing", 100), Posting("unapplied_cash", -100)))], "t")


def test_a_journal_entry_kind_outside_entry_kind_is_refused(practice: Practice) -> None:
    with _refused("journal_entries", "kind"):
        _entry(practice, "adjustment")


def test_every_entry_kind_is_accepted(practice: Practice) -> None:
    for kind in EntryKind:
        _entry(practice, kind, f"desk:{kind}")


def test_a_ledger_account_outside_account_code_is_refused(practice: Practice) -> None:
    with _refused("ledger_accounts", "code"), write_transaction(practice.engine) as conn:
        conn.execute(insert(LedgerAccount).values(code="petty_cash", name="Petty cash",
                                                  normal_balance="debit"))


def test_the_chart_of_accounts_is_every_account_code(practice: Practice) -> None:
    """Seeded by the first migration, so each member is accepted by rewriting its row."""
    assert set(ACCOUNT_CODES) == set(AccountCode)
    with practice.engine.connect() as conn:
        assert set(conn.execute(select(LedgerAccount.code)).scalars()) == set(AccountCode)
    for code in AccountCode:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(LedgerAccount).where(LedgerAccount.code == code)
                         .values(code=code))


def _policy(practice: Practice, action: str, reason: str = "45") -> None:
    with write_transaction(practice.engine) as conn:
        conn.execute(insert(PostingPolicy).values(group_code="CO", reason_code=reason,
                                                  action=action))


def test_a_policy_action_outside_policy_action_is_refused(practice: Practice) -> None:
    with _refused("posting_policies", "action"):
        _policy(practice, "write_off")


def test_every_policy_action_is_accepted(practice: Practice) -> None:
    for number, action in enumerate(PolicyAction):
        _policy(practice, action, str(number))


def _paid_claim(practice: Practice) -> None:
    practice.bill(("PCN1", (("HC:99213", "100"),)))
    practice.receive(remit("80", clp("PCN1", "1", "100", "80", "0", "ICN1",
                                      svc("99213", "100", "80", "CO*45*20"))))


def test_a_transaction_set_kind_outside_set_kind_is_refused(practice: Practice) -> None:
    _paid_claim(practice)
    with _refused("transaction_sets", "kind"), write_transaction(practice.engine) as conn:
        conn.execute(update(TransactionSet).values(kind="999"))


def test_every_set_kind_is_accepted(practice: Practice) -> None:
    _paid_claim(practice)
    with practice.engine.connect() as conn:  # the 837P and the 835 the practice stored
        assert set(conn.execute(select(TransactionSet.kind)).scalars()) == {"837P", "835"}
    for kind in SetKind:
        with write_transaction(practice.engine) as conn:
            conn.execute(update(TransactionSet).values(kind=kind))


def _audit(practice: Practice, role: str | None) -> None:
    with write_transaction(practice.engine) as conn:
        record_event(conn, actor="t", role=role, action="test.check", outcome=AuditOutcome.OK)


def test_an_audit_role_outside_role_is_refused(practice: Practice) -> None:
    with _refused("audit_events", "role"):
        _audit(practice, "superuser")


def test_audit_events_take_every_role_or_none(practice: Practice) -> None:
    for role in (*Role, None):
        _audit(practice, role)


def test_a_match_method_outside_match_method_is_refused(practice: Practice) -> None:
    _paid_claim(practice)
    with _refused("claim_payments", "match_method"), \
            write_transaction(practice.engine) as conn:
        conn.execute(update(ClaimPayment).values(match_method="guess"))


def test_claim_payments_take_every_match_method_or_none(practice: Practice) -> None:
    _paid_claim(practice)
    for method in (*MatchMethod, None):
        with write_transaction(practice.engine) as conn:
            conn.execute(update(ClaimPayment).values(match_method=method))


def _item_event(practice: Practice, action: str) -> None:
    """Item events are append-only, so each action is tried as a new event."""
    with write_transaction(practice.engine) as conn:
        item_id = conn.execute(select(ReviewItem.id)).scalar_one()
        conn.execute(insert(ReviewItemEvent).values(review_item_id=item_id, actor="t",
                                                    action=action))


def test_a_review_event_action_outside_item_action_is_refused(practice: Practice) -> None:
    _seed_item(practice)
    with _refused("review_item_events", "action"):
        _item_event(practice, "closed")


def test_every_item_action_is_accepted(practice: Practice) -> None:
    _seed_item(practice)
    for action in ItemAction:
        _item_event(practice, action)


def test_the_upgrade_stops_naming_a_stored_kind_outside_the_enum(
        empty_database_url: str) -> None:
    """Rows are never rewritten to fit a constraint: the upgrade to 0016 refuses instead."""
    engine = make_engine(empty_database_url)
    try:
        upgrade(engine, "0015")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO journal_entries (entry_key, kind, effective_date, "
                              "actor) VALUES ('old', 'adjustment', '2026-01-01', 't')"))
        with pytest.raises(RuntimeError, match=r"journal_entries.kind holds \['adjustment'\]"):
            upgrade(engine)
        assert current_revision(engine) == "0015"
    finally:
        engine.dispose()


_QUOTED = re.compile(r"'([^']*)'")


def _migrated_checks(conn: Connection) -> dict[str, set[str]]:
    """Each CHECK of the migrated database by name, as the set of words it allows."""
    if conn.dialect.name == "postgresql":
        rows = conn.execute(text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c'"))
        return {name: set(_QUOTED.findall(sql)) for name, sql in rows}
    found: dict[str, set[str]] = {}
    for (sql,) in conn.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table'")):
        for name, condition in re.findall(r"CONSTRAINT (\w+) CHECK \((.*?)\)\s*(?:,|\n\))",
                                          sql or "", flags=re.DOTALL):
            found[name] = set(_QUOTED.findall(condition))
    return found


def test_the_migrations_allow_exactly_the_words_each_model_check_allows(
        database_url: str) -> None:
    """Migrations written in parallel each widen a CHECK from the lists they saw: chained,
    a later one must not drop the words an earlier one added (nor keep ones removed)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            migrated = _migrated_checks(conn)
    finally:
        engine.dispose()
    for table in Base.metadata.sorted_tables:
        for check in table.constraints:
            if not isinstance(check, CheckConstraint) or " IN (" not in str(check.sqltext):
                continue
            name = f"ck_{table.name}_{check.name}" if not str(check.name).startswith(
                "ck_") else str(check.name)
            assert name in migrated, f"{name} is not in the migrated database"
            assert migrated[name] == set(_QUOTED.findall(str(check.sqltext))), name
