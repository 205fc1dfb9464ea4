"""PostgreSQL: the import's hot child tables check their foreign keys once per statement
(migration 0014, ``edi_posting.db.statement_fk``), and lose nothing of what the per-row
constraints guaranteed: a dangling reference is refused with SQLSTATE 23503 and nothing of
its statement is kept, a referenced parent cannot be deleted, re-keyed or truncated, and
``db check`` notices a missing trigger."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from edi_posting.cli import main
from edi_posting.db.migration import drift
from edi_posting.db.statement_fk import STATEMENT_CHECKED
from tests.x835 import Practice, clp, remit, svc

TWO_LINES = (("HC:99213", "100"), ("HC:85025", "50"))
CHILD_TABLES = sorted({child for child, _, _ in STATEMENT_CHECKED})
FOREIGN_KEY_VIOLATION = "23503"


@pytest.fixture
def pg_practice(database_url: str, backend: str, tmp_path: Path) -> Iterator[Practice]:
    """A PostgreSQL database holding one paid claim: a row in every statement-checked table."""
    if backend != "postgresql":
        pytest.skip("SQLite keeps its per-row foreign keys; the statement triggers are "
                    "PostgreSQL's")
    practice = Practice(database_url, tmp_path)
    practice.bill(("PCN1", TWO_LINES))
    result = practice.receive(remit("120", clp(
        "PCN1", "1", "150", "120", "10", "ICN1", "AMT*AU*150~", "MOA***MA15~",
        svc("99213", "100", "80", "CO*45*10", "PR*1*10", line_control="PCN1-1")
        + "LQ*HE*N115~AMT*B6*90~",
        svc("85025", "50", "40", "CO*45*10", line_control="PCN1-2"))))
    assert result.posted == 1, result.problems
    yield practice
    practice.close()


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def _copy_of_first_row(conn: Connection, table: str, column: str, value: int | str) -> str:
    """INSERT ... SELECT of two copies of the table's first row: the first valid, the second
    with ``column`` set to ``value`` (unique keys made unique, the rest unchanged)."""
    columns = [c for c in conn.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = :t "
        "AND column_name <> 'id' ORDER BY ordinal_position"), {"t": table}).scalars()]

    def select(copy: int, dangling: bool) -> str:
        chosen = {"ordinal": f"ordinal + {1000 * copy}", "reverses_entry_id": "CAST(NULL AS bigint)",
                  "entry_key": f"entry_key || '-copy{copy}'",
                  "identity_key": f"identity_key || '-copy{copy}'"}
        if dangling:
            chosen[column] = str(value)
        picked = ", ".join(chosen.get(c, c) for c in columns)
        return f"SELECT {picked} FROM {table} WHERE id = (SELECT min(id) FROM {table})"

    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"{select(1, False)} UNION ALL {select(2, True)}")


@pytest.mark.parametrize("table", CHILD_TABLES)
def test_a_dangling_reference_in_a_bulk_insert_is_refused_and_nothing_of_it_is_kept(
        pg_practice: Practice, table: str) -> None:
    with pg_practice.engine.connect() as conn:
        before = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        for child, column, parent in STATEMENT_CHECKED:
            if child != table:
                continue
            dangling = conn.execute(text(
                f"SELECT coalesce(max(id), 0) + 1000 FROM {parent}")).scalar_one()
            statement = _copy_of_first_row(conn, table, column, dangling)
            conn.rollback()
            with pytest.raises(DBAPIError) as refused, conn.begin():
                conn.execute(text(statement))
            assert _sqlstate(refused.value) == FOREIGN_KEY_VIOLATION, str(refused.value)
            message = str(refused.value.orig)
            assert table in message and column in message and str(dangling) in message
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == before
            conn.rollback()


def test_a_valid_bulk_insert_of_every_checked_table_still_goes_in(
        pg_practice: Practice) -> None:
    with pg_practice.engine.connect() as conn:
        for table in CHILD_TABLES:
            column = next(c for child, c, _ in STATEMENT_CHECKED if child == table)
            before = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            statement = _copy_of_first_row(conn, table, column, column)
            conn.rollback()
            with conn.begin():  # the "dangling" value is the column's own: both rows valid
                conn.execute(text(statement))
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == before + 2


def test_a_dangling_journal_line_in_a_copy_is_refused(pg_practice: Practice) -> None:
    """The import writes with ``COPY``: the statement trigger sees those rows too."""
    with pg_practice.engine.connect() as conn:
        entry_id, ordinal, amount = conn.execute(text(
            "SELECT entry_id, max(ordinal) + 1, 0 FROM journal_lines GROUP BY entry_id "
            "ORDER BY entry_id LIMIT 1")).one()
        raw = conn.connection.driver_connection
        assert raw is not None
        with pytest.raises(psycopg.errors.ForeignKeyViolation) as refused, \
                raw.cursor() as cursor, cursor.copy(
                    "COPY journal_lines (entry_id, ordinal, account_id, amount_cents) "
                    "FROM STDIN") as copy:
            copy.write_row([entry_id, ordinal, 1, amount])
            copy.write_row([entry_id, ordinal + 1, 987654, amount])
        assert refused.value.sqlstate == FOREIGN_KEY_VIOLATION
        assert "account_id" in str(refused.value) and "987654" in str(refused.value)
        conn.rollback()
        count = conn.execute(text("SELECT count(*) FROM journal_lines WHERE entry_id = :e "
                                  "AND ordinal >= :o"), {"e": entry_id, "o": ordinal})
        assert count.scalar_one() == 0


def _refused(engine: Engine, statement: str) -> DBAPIError:
    with engine.connect() as conn, pytest.raises(DBAPIError) as refused, conn.begin():
        conn.execute(text(statement))
    return refused.value


def test_a_referenced_parent_cannot_be_deleted_rekeyed_or_truncated(
        pg_practice: Practice) -> None:
    """``ledger_accounts`` is referenced by journal lines alone, through a statement-checked
    key: only the parent-side triggers stand between it and a dangling line."""
    engine = pg_practice.engine
    with engine.connect() as conn:
        used = conn.execute(text("SELECT min(account_id) FROM journal_lines")).scalar_one()
    for statement in (f"DELETE FROM ledger_accounts WHERE id = {used}",
                      f"UPDATE ledger_accounts SET id = id + 1000 WHERE id = {used}",
                      "TRUNCATE ledger_accounts"):
        error = _refused(engine, statement)
        assert _sqlstate(error) == FOREIGN_KEY_VIOLATION, statement
        assert "journal_lines" in str(error.orig) and "account_id" in str(error.orig)
    with engine.connect() as conn:
        assert conn.execute(text(
            f"SELECT count(*) FROM ledger_accounts WHERE id = {used}")).scalar_one() == 1


def test_an_unreferenced_parent_row_can_still_be_deleted_and_rekeyed(
        pg_practice: Practice) -> None:
    engine = pg_practice.engine
    with engine.begin() as conn:
        unused = conn.execute(text(
            "SELECT min(id) FROM ledger_accounts a WHERE NOT EXISTS "
            "(SELECT 1 FROM journal_lines l WHERE l.account_id = a.id)")).scalar_one()
        conn.execute(text(f"UPDATE ledger_accounts SET id = id + 1000 WHERE id = {unused}"))
        conn.execute(text(f"DELETE FROM ledger_accounts WHERE id = {unused + 1000}"))
        conn.execute(text("UPDATE claim_payments SET posting_state = posting_state"))


def test_db_check_reports_no_drift_on_a_fresh_database(pg_practice: Practice) -> None:
    assert drift(pg_practice.engine) == []


def test_db_check_reports_drift_when_a_statement_trigger_is_missing(
        pg_practice: Practice) -> None:
    engine = pg_practice.engine
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER journal_lines_fk_insert ON journal_lines"))
        conn.execute(text("DROP TRIGGER ledger_accounts_fk_delete ON ledger_accounts"))
    assert sorted(drift(engine)) == [
        ("statement_fk_trigger_missing", "journal_lines", "journal_lines_fk_insert"),
        ("statement_fk_trigger_missing", "ledger_accounts", "ledger_accounts_fk_delete")]
    result = CliRunner().invoke(main, ["--db", engine.url.render_as_string(
        hide_password=False), "db", "check"])
    assert result.exit_code == 1
    assert "journal_lines_fk_insert" in result.output


def test_db_check_reports_drift_when_a_check_function_no_longer_checks(
        pg_practice: Practice) -> None:
    """The trigger may stay while the function behind it is replaced by one that checks
    nothing: ``db check`` compares the function's body with the one the list generates."""
    engine = pg_practice.engine
    with engine.begin() as conn:
        conn.execute(text("CREATE OR REPLACE FUNCTION edi_posting_fk_journal_lines() "
                          "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"))
    assert drift(engine) == [("statement_fk_function_differs", "journal_lines",
                              "edi_posting_fk_journal_lines")]
