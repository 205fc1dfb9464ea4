"""Who acts is the authenticated login's user, never a name typed on the command line:
the PostgreSQL login (session_user), or the OS user on SQLite."""

from __future__ import annotations

import json
import os
import pwd

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from edi_posting.audit.events import audit_log
from edi_posting.audit.login import current_login
from edi_posting.cli import main
from edi_posting.db.engine import make_engine

pytestmark = pytest.mark.real_identity


def _my_login(database_url: str) -> str:
    """Who the database or the OS authenticates this test process as."""
    if database_url.startswith("sqlite"):
        return pwd.getpwuid(os.geteuid()).pw_name
    return str(make_url(database_url).username)


def _cli(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", database_url, *args], env=env)


def _admin_mapped_to_me(database_url: str) -> None:
    """ada (admin) is this login; sam (specialist) is someone else's."""
    me = _my_login(database_url)
    added = _cli(database_url, "users", "add", "ada", "--role", "admin", "--login", me)
    assert added.exit_code == 0, added.output
    added = _cli(database_url, "users", "add", "sam", "--role", "specialist")
    assert added.exit_code == 0, added.output


def _audit_log(database_url: str) -> list[dict[str, object]]:
    log = _cli(database_url, "audit", "log", "--format", "json")
    assert log.exit_code == 0, log.output
    return list(json.loads(log.stdout))


def test_the_login_is_the_os_user_on_sqlite_whatever_USER_says(
        tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "admin")
    monkeypatch.setenv("LOGNAME", "admin")
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        assert current_login(conn) == pwd.getpwuid(os.geteuid()).pw_name
    engine.dispose()


def test_the_login_is_the_session_user_on_postgres(database_url: str, backend: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as conn:
        assert current_login(conn) == _my_login(database_url)
    engine.dispose()


def test_the_actor_defaults_to_the_user_mapped_to_your_login(database_url: str) -> None:
    _admin_mapped_to_me(database_url)
    listed = _cli(database_url, "users", "list", "--format", "json")
    assert listed.exit_code == 0, listed.output
    logins = {u["name"]: u["login"] for u in json.loads(listed.stdout)}
    assert logins == {"ada": _my_login(database_url), "sam": "sam"}
    assert _audit_log(database_url)[-1]["actor"] == "ada"


def test_actor_naming_someone_else_is_refused_with_77_and_audited(database_url: str) -> None:
    _admin_mapped_to_me(database_url)
    me = _my_login(database_url)
    for claimed in (["--actor", "sam"], []):
        env = {"EDI_POSTING_ACTOR": "sam"} if not claimed else None
        refused = _cli(database_url, *claimed, "queue", "list", env=env)
        assert refused.exit_code == 77, refused.output
        assert f"logged in as {me!r} (user 'ada')" in refused.stderr
        assert "claims 'sam'" in refused.stderr
    events = [e for e in _audit_log(database_url) if e["action"] == "identity.claim"]
    assert len(events) == 2
    assert events[0]["actor"] == "ada" and events[0]["outcome"] == "refused"
    assert events[0]["summary"] == {"login": me, "claimed": "sam", "reason": "claimed 'sam'"}
    assert _cli(database_url, "--actor", "ada", "queue", "list").exit_code == 0


def test_a_login_mapped_to_no_user_is_refused_with_how_to_map_it(database_url: str) -> None:
    added = _cli(database_url, "users", "add", "ada", "--role", "admin", "--login", "someone")
    assert added.exit_code == 0, added.output
    me = _my_login(database_url)
    refused = _cli(database_url, "--actor", "ada", "ledger", "check")
    assert refused.exit_code == 77
    assert f"your login {me!r} is not mapped to any user" in refused.stderr
    assert f"users add NAME --role ROLE --login {me}" in refused.stderr
    engine = make_engine(database_url)
    with engine.connect() as conn:
        [event] = [e for e in audit_log(conn) if e["action"] == "identity.claim"]
    engine.dispose()
    assert (event["actor"], event["outcome"], event["summary"]["claimed"]) == (
        me, "refused", "ada")  # the real login acted, whoever it claimed to be


def test_without_users_the_claim_or_else_the_login_acts(database_url: str) -> None:
    assert _cli(database_url, "--actor", "whoever", "ledger", "check").exit_code == 0
    assert _cli(database_url, "ledger", "digest").exit_code == 0
    log = _cli(database_url, "--actor", "x", "audit", "log", "--format", "json")
    actors = [e["actor"] for e in json.loads(log.stdout) if e["action"] == "ledger.digest"]
    assert actors in ([], [_my_login(database_url)])


def test_db_upgrade_to_logins_maps_existing_users_by_name(empty_database_url: str,
                                                          backend: str) -> None:
    """Before 0012 a user had no login: the upgrade itself is authorized by name (0012 then
    sets each login to the name), so the DBA's admin user can run it."""
    if backend != "postgresql":
        pytest.skip("SQLite databases are upgraded automatically on first use")
    from sqlalchemy import text

    from edi_posting.db.migration import upgrade

    engine = make_engine(empty_database_url)
    upgrade(engine, "0011")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (name, role, is_active, created_by) "
                          "VALUES (:me, 'admin', true, :me)"), {"me": _my_login(empty_database_url)})
    engine.dispose()
    done = _cli(empty_database_url, "db", "upgrade")
    assert done.exit_code == 0, done.output
    assert _cli(empty_database_url, "--actor", "someone", "db", "upgrade").exit_code == 77
