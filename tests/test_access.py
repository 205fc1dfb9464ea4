"""Users, roles and the permission matrix, cell by cell; refusals exit 77 and are audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from edi_posting.access.permissions import MATRIX, Permission
from edi_posting.cli import main
from tests.test_import_837 import FIXTURE

USERS = {"poster": "pat", "specialist": "sam", "auditor": "aud", "admin": "ada"}

# command line -> the permission it needs
COMMANDS: list[tuple[list[str], Permission]] = [
    (["import", "{file}"], Permission.IMPORT),
    (["claim", "show", "PCN-1001"], Permission.READ_PHI),
    (["account", "show", "1234567893-1"], Permission.READ_PHI),
    (["ledger", "check"], Permission.READ_LEDGER),
    (["ledger", "digest"], Permission.READ_LEDGER),
    (["audit", "verify"], Permission.AUDIT),
    (["audit", "log"], Permission.AUDIT),
    (["users", "list"], Permission.READ_LEDGER),
    (["users", "add", "newbie", "--role", "poster"], Permission.MANAGE_USERS),
    (["users", "role", "pat", "poster"], Permission.MANAGE_USERS),
    (["queue", "list"], Permission.READ_PHI),
    (["queue", "stats"], Permission.READ_LEDGER),
    (["history", "claim", "PCN-1001"], Permission.READ_PHI),
    (["ledger", "forwarding-balances"], Permission.READ_LEDGER),
    (["policy", "list"], Permission.READ_LEDGER),
    (["policy", "set", "OA", "23", "--action", "other"], Permission.ADMINISTER),
    (["demo"], Permission.IMPORT),
    (["queue", "rematch", "--all"], Permission.RESOLVE),
    (["queue", "write-off-limit"], Permission.READ_LEDGER),
    (["queue", "write-off-limit", "100.00"], Permission.ADMINISTER),
]

# Money actions on an item that does not exist: refused (77) without the permission, and
# with it they get as far as the item (65), so the matrix holds without moving money.
ITEM_ACTIONS: list[tuple[list[str], Permission]] = [
    (["queue", "apply", "999", "--claim", "PCN-1001"], Permission.RESOLVE),
    (["queue", "accept-match", "999"], Permission.RESOLVE),
    (["queue", "rematch", "999"], Permission.RESOLVE),
    (["queue", "transfer", "999", "--to", "patient"], Permission.RESOLVE),
    (["queue", "write-off", "999", "--reason", "CO-45"], Permission.RESOLVE),
    (["queue", "refund", "999", "--reason", "paid twice"], Permission.RESOLVE),
    (["queue", "reapply", "999", "--claim", "PCN-1001"], Permission.RESOLVE),
    (["queue", "link-correction", "999", "--claim-payment", "1"], Permission.RESOLVE),
    (["queue", "place-plb", "999", "--claim", "PCN-1001"], Permission.RESOLVE),
    (["queue", "packet", "999", "-o", "{dir}/packet.zip"], Permission.EXPORT),
]


@pytest.fixture(scope="module")
def populated(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    tmp = tmp_path_factory.mktemp("access")
    path = tmp / "clinic.837"
    path.write_text(FIXTURE)
    db = f"sqlite:///{tmp / 'edi.db'}"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", db, "--actor", "ada", "users", "add", "ada", "--role", "poster"]).exit_code == 0
    for role, name in USERS.items():
        if name != "ada":
            result = runner.invoke(main, ["--db", db, "--actor", "ada", "users", "add", name, "--role", role])
            assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["--db", db, "--actor", "pat", "import", str(path)]).exit_code == 0
    return db, path


def test_first_user_is_always_admin(populated: tuple[str, Path]) -> None:
    db, _ = populated
    listed = CliRunner().invoke(main, ["--db", db, "--actor", "ada", "users", "list", "--format", "json"])
    roles = {u["name"]: u["role"] for u in json.loads(listed.stdout)}
    assert roles["ada"] == "admin" and roles["pat"] == "poster"


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("args,permission", COMMANDS, ids=lambda c: " ".join(c) if isinstance(c, list) else "")
def test_role_command_matrix(populated: tuple[str, Path], role: str, args: list[str],
                             permission: Permission) -> None:
    db, path = populated
    argv = [a.replace("{file}", str(path)) for a in args]
    if argv[:2] == ["users", "add"]:
        argv[2] = f"newbie-{role}"
    result = CliRunner().invoke(main, ["--db", db, "--actor", USERS[role], *argv])
    if permission in MATRIX[role]:
        assert result.exit_code == 0, (role, argv, result.output)
    else:
        assert result.exit_code == 77, (role, argv, result.output)
        assert f"permission denied ({permission.value})" in result.stderr


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("args,permission", ITEM_ACTIONS, ids=lambda c: " ".join(c) if isinstance(c, list) else "")
def test_role_item_action_matrix(populated: tuple[str, Path], role: str, args: list[str],
                                 permission: Permission) -> None:
    db, path = populated
    argv = [a.replace("{dir}", str(path.parent)) for a in args]
    result = CliRunner().invoke(main, ["--db", db, "--actor", USERS[role], *argv])
    if permission in MATRIX[role]:
        assert result.exit_code == 65, (role, argv, result.output)
        assert "review item 999" in result.stderr
    else:
        assert result.exit_code == 77, (role, argv, result.output)
        assert f"permission denied ({permission.value})" in result.stderr


def test_auditor_reads_everything_and_changes_nothing() -> None:
    auditor = MATRIX["auditor"]
    assert Permission.READ_PHI in auditor and Permission.AUDIT in auditor
    assert not auditor & {Permission.IMPORT, Permission.RESOLVE, Permission.MANAGE_USERS,
                          Permission.APPROVE, Permission.ADMINISTER}


def test_unknown_and_disabled_actors_are_refused_and_the_refusal_is_audited(populated: tuple[str, Path]) -> None:
    db, path = populated
    runner = CliRunner()
    unknown = runner.invoke(main, ["--db", db, "--actor", "mallory", "import", str(path)])
    assert unknown.exit_code == 77
    assert "unknown user 'mallory'" in unknown.stderr
    assert runner.invoke(main, ["--db", db, "--actor", "ada", "users", "add", "gone", "--role", "poster"]).exit_code == 0
    assert runner.invoke(main, ["--db", db, "--actor", "ada", "users", "disable", "gone"]).exit_code == 0
    disabled = runner.invoke(main, ["--db", db, "--actor", "gone", "import", str(path)])
    assert disabled.exit_code == 77 and "is disabled" in disabled.stderr
    log = runner.invoke(main, ["--db", db, "--actor", "aud", "audit", "log", "--format", "json"])
    refusals = [e for e in json.loads(log.stdout) if e["outcome"] == "refused"]
    assert {e["actor"] for e in refusals} >= {"mallory", "gone"}
    assert all(e["summary"]["missing_permission"] for e in refusals)
    verify = runner.invoke(main, ["--db", db, "--actor", "aud", "audit", "verify"])
    assert verify.exit_code == 0, verify.output


def test_every_import_and_phi_read_is_audited(populated: tuple[str, Path]) -> None:
    db, _ = populated
    runner = CliRunner()
    runner.invoke(main, ["--db", db, "--actor", "sam", "claim", "show", "PCN-1001"])
    log = json.loads(runner.invoke(main, ["--db", db, "--actor", "aud", "audit", "log", "--format", "json"]).stdout)
    actions = {(e["actor"], e["action"]) for e in log if e["outcome"] == "ok"}
    assert ("pat", "import.file") in actions and ("sam", "claim.show") in actions
