"""Passwords for the web application's logins: argon2id hashes, set by the user themself or
an admin, never echoed, logged or audited in clear."""

from __future__ import annotations

import json

from argon2 import PasswordHasher
from click.testing import CliRunner, Result

from edi_posting.access.passwords import verify_password
from edi_posting.access.permissions import change_user
from edi_posting.audit.writes import write_transaction
from edi_posting.cli import main
from edi_posting.db.engine import make_engine

SECRET = "correct horse battery staple"


def _cli(url: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--db", url, *args], input=stdin)


def _users(url: str) -> None:
    for name, role in (("ada", "admin"), ("sam", "specialist"), ("pat", "poster")):
        assert _cli(url, "--actor", "ada", "users", "add", name, "--role", role).exit_code == 0


def _verify(url: str, name: str, password: str) -> bool:
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        ok = verify_password(conn, name, password)
    engine.dispose()
    return ok


def test_set_password_reads_stdin_stores_argon2id_and_never_shows_it(database_url: str) -> None:
    _users(database_url)
    done = _cli(database_url, "--actor", "sam", "users", "set-password", "sam",
                stdin=SECRET + "\n")
    assert done.exit_code == 0, done.output
    assert SECRET not in done.output
    assert _verify(database_url, "sam", SECRET)
    assert not _verify(database_url, "sam", SECRET + "!")
    assert not _verify(database_url, "pat", SECRET)  # no password set: no login
    engine = make_engine(database_url)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users WHERE name = 'sam'").scalar()
    engine.dispose()
    assert str(stored).startswith("$argon2id$")
    log = _cli(database_url, "--actor", "ada", "audit", "log", "--action", "users.password",
               "--format", "json")
    [event] = json.loads(log.stdout)
    assert event["actor"] == "sam" and SECRET not in log.stdout and str(stored) not in log.stdout
    listed = json.loads(_cli(database_url, "--actor", "ada", "users", "list", "--format",
                             "json").stdout)
    assert {u["name"]: u["password"] for u in listed} == {"ada": False, "pat": False, "sam": True}


def test_only_the_user_themself_or_an_admin_sets_a_password(database_url: str) -> None:
    _users(database_url)
    refused = _cli(database_url, "--actor", "sam", "users", "set-password", "pat",
                   stdin=SECRET + "\n")
    assert refused.exit_code == 77, refused.output
    by_admin = _cli(database_url, "--actor", "ada", "users", "set-password", "pat",
                    stdin=SECRET + "\n")
    assert by_admin.exit_code == 0, by_admin.output
    assert _verify(database_url, "pat", SECRET)


def test_an_empty_password_is_refused(database_url: str) -> None:
    _users(database_url)
    empty = _cli(database_url, "--actor", "sam", "users", "set-password", "sam", stdin="\n")
    assert empty.exit_code == 65 and "empty" in empty.stderr


def test_a_hash_with_outdated_parameters_is_replaced_on_a_successful_login(
        database_url: str) -> None:
    _users(database_url)
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(SECRET)
    engine = make_engine(database_url)
    with write_transaction(engine) as conn:
        change_user(conn, "sam", "password_hash", weak, actor="sam")
    assert _verify(database_url, "sam", SECRET)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT password_hash FROM users WHERE name = 'sam'").scalar()
    engine.dispose()
    assert stored != weak and not PasswordHasher().check_needs_rehash(str(stored))


def test_an_admin_maps_a_user_to_another_login_but_not_to_a_taken_one(database_url: str) -> None:
    _users(database_url)
    moved = _cli(database_url, "--actor", "ada", "users", "login", "sam", "sam_pg")
    assert moved.exit_code == 0, moved.output
    taken = _cli(database_url, "--actor", "ada", "users", "login", "pat", "sam_pg")
    assert taken.exit_code == 65 and "already acts as user 'sam'" in taken.stderr
    assert _cli(database_url, "--actor", "sam", "users", "login", "sam", "x").exit_code == 77
    listed = json.loads(_cli(database_url, "--actor", "ada", "users", "list", "--format",
                             "json").stdout)
    assert {u["name"]: u["login"] for u in listed}["sam"] == "sam_pg"
