"""`db upgrade` and `db grant` are administrator commands once users exist, each audited;
granting to a PostgreSQL role that does not exist is a clear refusal, not a crash."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result

from edi_posting.cli import main


def _run(db: str, actor: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", db, "--actor", actor, *args])


def _users(db: str) -> None:
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("aud", "auditor")):
        assert _run(db, "ada", "users", "add", name, "--role", role).exit_code == 0


def _log(db: str, action: str) -> list[tuple[str, str]]:
    result = _run(db, "aud", "audit", "log", "--action", action, "--format", "json")
    return [(e["actor"], e["outcome"]) for e in json.loads(result.stdout)]


def test_db_upgrade_needs_administer_once_users_exist_and_is_audited(database_url: str) -> None:
    _users(database_url)
    refused = _run(database_url, "sam", "db", "upgrade")
    assert refused.exit_code == 77, refused.output
    assert "permission denied (administer)" in refused.stderr
    done = _run(database_url, "ada", "db", "upgrade")
    assert done.exit_code == 0, done.output
    assert _log(database_url, "db.upgrade") == [("sam", "refused"), ("ada", "ok")]


def test_db_upgrade_of_a_fresh_database_works_without_users_and_is_audited(
        empty_database_url: str) -> None:
    done = _run(empty_database_url, "anyone", "db", "upgrade")
    assert done.exit_code == 0, done.output
    assert _log(empty_database_url, "db.upgrade") == [("anyone", "ok")]


def test_db_grant_needs_administer_and_names_a_role_that_does_not_exist(
        backend: str, database_url: str) -> None:
    _users(database_url)
    refused = _run(database_url, "sam", "db", "grant", "edi_app_nobody")
    assert refused.exit_code == 77, refused.output
    missing = _run(database_url, "ada", "db", "grant", "edi_app_nobody_xyz")
    if backend == "postgresql":
        assert missing.exit_code == 65, missing.output
        assert missing.stderr == ("edi-posting: no PostgreSQL role 'edi_app_nobody_xyz': "
                                  "create it first (CREATE ROLE edi_app_nobody_xyz LOGIN)\n")
    else:
        assert missing.exit_code == 2, missing.output
    assert _log(database_url, "db.grant") == [("sam", "refused"), ("ada", "failed")]
