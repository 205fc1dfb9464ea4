"""The attacker holds the application role's credentials (a login granted by `db grant`):
what they try on the audit trail and the users table is refused, or overridden by the
database, and `audit verify` still holds.  PostgreSQL only: on SQLite the boundary is the
file's permissions.  The whole list of attempts, and the test that answers each, is in
tests/test_tampering_attempts_postgres.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from edi_posting.audit.events import verify_chain
from edi_posting.cli import main
from edi_posting.db.engine import make_engine
from tests.pg_roles import application_login
from tests.test_import_837 import FIXTURE as FIXTURE_837
from tests.x12build import build_x12, write_x12
from tests.x835 import clp, remit

pytestmark = pytest.mark.real_identity


@pytest.fixture
def pg_url(database_url: str, backend: str) -> str:
    if backend != "postgresql":
        pytest.skip("roles, grants and triggers of the application role are PostgreSQL's")
    return database_url


def _owner_cli(url: str, *args: str) -> Result:
    """The schema owner's login (the DBA), mapped to the admin user ``dba``."""
    result = CliRunner().invoke(main, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result


def _dba_and_ada(url: str, ada_login: str | None = None) -> None:
    """The first user is the DBA (the owner's login); ``ada`` is an admin of another login."""
    owner = str(make_url(url).username)
    _owner_cli(url, "users", "add", "dba", "--role", "admin", "--login", owner)
    _owner_cli(url, "users", "add", "ada", "--role", "admin", *(
        ["--login", ada_login] if ada_login else []))


@pytest.fixture
def mallory(pg_url: str) -> Iterator[tuple[str, Engine, str]]:
    """A specialist, ``mallory``, logged in as her own application-role login; ``ada`` is
    the admin (another login)."""
    with application_login(pg_url, "mallory") as (role, url):
        _dba_and_ada(pg_url)
        _owner_cli(pg_url, "users", "add", "mallory", "--role", "specialist", "--login", role)
        engine = make_engine(url)
        yield role, engine, url
        engine.dispose()


def _refused(engine: Engine, sql: str, params: dict[str, object] | None = None) -> str:
    with pytest.raises(DBAPIError) as raised, engine.begin() as conn:
        conn.execute(text(sql), params or {})
    return str(raised.value.orig)


def _intact(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        result = verify_chain(conn)
    engine.dispose()
    assert result.is_intact, result.reason


def test_an_inserted_audit_event_gets_the_databases_sequence_hash_time_and_login(
        mallory: tuple[str, Engine, str], pg_url: str) -> None:
    role, engine, _ = mallory
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (sequence, at, db_login, actor, action, outcome, "
            "previous_hash, event_hash) VALUES (999, '2001-01-01', 'ada', 'mallory', "
            "'queue.write-off', 'ok', :h, :h)"), {"h": "a" * 64})
        row = conn.execute(text("SELECT sequence, at, db_login, event_hash FROM audit_events "
                                "WHERE action = 'queue.write-off'")).one()
    assert row.sequence != 999 and row.event_hash != "a" * 64
    assert row.db_login == role and row.at.year > 2001
    _intact(pg_url)


def test_an_audit_event_in_another_users_name_is_refused(mallory: tuple[str, Engine, str]) -> None:
    _, engine, _ = mallory
    message = _refused(engine, "INSERT INTO audit_events (actor, action, outcome) "
                               "VALUES ('ada', 'users.role', 'ok')")
    assert "is user mallory, not ada" in message


def test_a_login_mapped_to_no_user_cannot_write_audit_events(pg_url: str) -> None:
    _dba_and_ada(pg_url)
    with application_login(pg_url, "stranger") as (_, url):
        engine = make_engine(url)
        message = _refused(engine, "INSERT INTO audit_events (actor, action, outcome) "
                                   "VALUES ('ada', 'queue.apply', 'ok')")
        engine.dispose()
    assert "is not mapped to any user" in message


@pytest.mark.parametrize("sql", [
    "UPDATE audit_events SET actor = 'ada'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
])
def test_audit_events_cannot_be_rewritten_or_removed(mallory: tuple[str, Engine, str],
                                                     sql: str) -> None:
    _, engine, _ = mallory
    assert "permission denied" in _refused(engine, sql)


@pytest.mark.parametrize("sql", [
    "UPDATE users SET role = 'admin' WHERE name = 'mallory'",
    ("INSERT INTO users (name, login, role, is_active, created_by) "
     "VALUES ('mallory2', 'm2', 'admin', true, 'ada')"),
    "DELETE FROM users WHERE name = 'ada'",
    "UPDATE approvals SET requested_by = 'ada'",
])
def test_users_cannot_be_written_directly_by_the_application_role(
        mallory: tuple[str, Engine, str], sql: str) -> None:
    _, engine, _ = mallory
    assert "permission denied" in _refused(engine, sql)


def test_a_non_admin_cannot_create_or_promote_users_through_the_audited_functions(
        mallory: tuple[str, Engine, str]) -> None:
    _, engine, _ = mallory
    added = _refused(engine, "SELECT edi_posting_user_add('m2', 'm2', 'admin', 'ada')")
    promoted = _refused(engine, "SELECT edi_posting_user_change('mallory', 'role', 'admin', "
                                "'ada')")
    assert "user mallory" in added and "may not manage users" in added
    assert "may not manage users" in promoted


def test_claiming_the_admin_from_the_cli_exits_77_and_the_refusal_names_the_real_login(
        mallory: tuple[str, Engine, str], pg_url: str) -> None:
    role, _, url = mallory
    refused = CliRunner().invoke(main, ["--db", url, "--actor", "ada", "users", "role",
                                        "mallory", "admin"])
    assert refused.exit_code == 77, refused.output
    assert f"logged in as {role!r} (user 'mallory')" in refused.stderr
    log = _owner_cli(pg_url, "audit", "log", "--action", "identity.*",
                     "--format", "json")
    [event] = json.loads(log.stdout)
    assert (event["actor"], event["db_login"], event["outcome"]) == ("mallory", role, "refused")
    assert event["summary"]["claimed"] == "ada"
    roles = {u["name"]: u["role"] for u in json.loads(
        _owner_cli(pg_url, "users", "list", "--format", "json").stdout)}
    assert roles["mallory"] == "specialist"
    _intact(pg_url)


def test_an_admin_login_changes_users_through_the_functions_with_its_own_name(
        pg_url: str) -> None:
    with application_login(pg_url, "ada") as (role, url):
        _dba_and_ada(pg_url, role)
        added = CliRunner().invoke(main, ["--db", url, "users", "add", "bob", "--role", "poster"])
        assert added.exit_code == 0, added.output
        moved = CliRunner().invoke(main, ["--db", url, "users", "role", "bob", "specialist"])
        assert moved.exit_code == 0, moved.output
    log = json.loads(_owner_cli(pg_url, "audit", "log", "--action", "users.*",
                                "--format", "json").stdout)
    assert [(e["action"], e["actor"], e["db_login"]) for e in log[2:]] == [
        ("users.add", "ada", role), ("users.role", "ada", role)]
    _intact(pg_url)


def test_people_with_their_own_logins_still_do_the_days_work(pg_url: str, tmp_path: Path) -> None:
    """The tighter grants leave the application role everything its people need."""
    claims = write_x12(tmp_path, FIXTURE_837, "clinic.837")
    remit_file = write_x12(tmp_path, build_x12(remit("80.00", clp("NOSUCHPCN", "1", "100",
                                                                  "80"))), "remit.835")
    with application_login(pg_url, "pat") as (pat, pat_url), \
            application_login(pg_url, "sam") as (sam, sam_url):
        _dba_and_ada(pg_url)
        _owner_cli(pg_url, "users", "add", "pat", "--role", "poster", "--login", pat)
        _owner_cli(pg_url, "users", "add", "sam", "--role", "specialist", "--login", sam)
        runner = CliRunner()
        imported = runner.invoke(main, ["--db", pat_url, "import", str(claims), str(remit_file)])
        assert imported.exit_code == 0, imported.output
        items = json.loads(runner.invoke(main, ["--db", sam_url, "queue", "list", "--format",
                                                "json"]).stdout)
        item = str(items[0]["id"])
        for action in (["note", item, "called the payer"],
                       ["assign", item, "sam"]):
            done = runner.invoke(main, ["--db", sam_url, "queue", *action])
            assert done.exit_code == 0, done.output
        checked = runner.invoke(main, ["--db", sam_url, "ledger", "check"])
        assert checked.exit_code == 0, checked.output
    _intact(pg_url)


def _imported(url: str, tmp_path: Path, archive_dir: Path | None = None) -> list[str]:
    """An 835 imported by the admin (into the database, or ``archive_dir``); the stored
    file's id and name."""
    path = write_x12(tmp_path, build_x12(remit("80.00", clp("NOSUCHPCN", "1", "100", "80")),
                                         interchange_control="000000301"), "remit.835")
    _owner_cli(url, "import", *(["--archive-dir", str(archive_dir)] if archive_dir else []),
               str(path))
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, file_name FROM received_files")).one()
    engine.dispose()
    return [str(row.id), row.file_name]


def _archive_findings(url: str) -> list[str]:
    verified = CliRunner().invoke(main, ["--db", url, "audit", "verify", "--archive"])
    assert verified.exit_code == 1, verified.output
    return [line for line in verified.stdout.splitlines() if line.startswith("archive:")]


@pytest.mark.parametrize("column, value", [
    ("sha256", "'" + "b" * 64 + "'"),
    ("archive_path", "'/tmp/planted'"),
    ("file_name", "'other.835'"),
    ("received_by", "'ada'"),
])
def test_the_application_role_cannot_rewrite_what_was_recorded_about_a_received_file(
        mallory: tuple[str, Engine, str], pg_url: str, tmp_path: Path, column: str,
        value: str) -> None:
    _, engine, _ = mallory
    file_id, _ = _imported(pg_url, tmp_path)
    message = _refused(engine, f"UPDATE received_files SET {column} = {value} "
                               f"WHERE id = {file_id}")
    assert "permission denied" in message


def test_archived_bytes_replaced_by_the_application_role_are_named_by_verify_archive(
        mallory: tuple[str, Engine, str], pg_url: str, tmp_path: Path) -> None:
    """The application keeps UPDATE on the bytes (re-importing restores a corrupt copy),
    never on the recorded SHA-256: replaced bytes no longer hash to it."""
    _, engine, _ = mallory
    file_id, name = _imported(pg_url, tmp_path)
    with engine.begin() as conn:
        conn.execute(text("UPDATE received_files SET content = :c WHERE id = :i"),
                     {"c": b"ISA*00*mallory was here~", "i": int(file_id)})
    [finding] = _archive_findings(pg_url)
    assert f"file {file_id} ({name}): archived bytes in the database differ" in finding


@pytest.mark.parametrize("column", ["sha256", "content", "archive_path"])
def test_the_owner_rewriting_a_received_files_archive_is_named_by_verify_archive(
        pg_url: str, tmp_path: Path, column: str) -> None:
    """The owner holds every privilege: what it changes is detected, not refused."""
    _dba_and_ada(pg_url)
    archive = tmp_path / "archive" if column == "archive_path" else None
    file_id, name = _imported(pg_url, tmp_path, archive)
    value = {"sha256": "b" * 64, "content": b"ISA*00*forged~",
             "archive_path": str(tmp_path / "planted")}[column]
    if column == "archive_path":
        Path(str(value)).write_bytes(b"ISA*00*forged~")
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text(f"UPDATE received_files SET {column} = :v WHERE id = :i"),
                     {"v": value, "i": int(file_id)})
    engine.dispose()
    [finding] = _archive_findings(pg_url)
    assert f"file {file_id} ({name}): archived bytes" in finding
