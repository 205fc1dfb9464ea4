"""The CLI skeleton: help with examples, configuration precedence, database errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from edi_posting import __version__
from edi_posting.cli import main
from edi_posting.db.migration import head_revision


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found.extend(_all_commands(command, prefix + (name,)))
        else:
            found.append(prefix + (name,))
    return found


@pytest.mark.parametrize("path", _all_commands(main), ids=lambda p: " ".join(p) or "main")
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "edi-posting" in result.output.split("Example:", 1)[1]


def test_every_option_has_an_environment_twin() -> None:
    missing = []
    for path in _all_commands(main):
        ctx = click.Context(main)
        command: click.Command = main
        for name in path:
            assert isinstance(command, click.Group)
            command = command.commands[name]
        for param in command.get_params(ctx):
            if not isinstance(param, click.Option) or {"--help", "--version"} & set(param.opts):
                continue
            if not (param.envvar and str(param.envvar).startswith("EDI_POSTING_")):
                missing.append(f"{' '.join(path)} {param.opts[0]}")
    assert missing == []


def test_version_prints_the_package_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.output == f"edi-posting, version {__version__}\n"


def _config(args: list[str], env: dict[str, str]) -> dict[str, dict[str, str]]:
    result = CliRunner().invoke(main, [*args, "config", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    return {row["setting"]: row for row in json.loads(result.output)}


def test_flag_beats_environment_beats_default(tmp_path: Path) -> None:
    env_db, flag_db = f"sqlite:///{tmp_path}/env.db", f"sqlite:///{tmp_path}/flag.db"
    default = _config([], {"EDI_POSTING_DATABASE_URL": "", "EDI_POSTING_ACTOR": ""})
    assert default["database_url"]["value"] == "sqlite:///edi_posting.db"
    assert default["database_url"]["source"] == "default"
    env = {"EDI_POSTING_DATABASE_URL": env_db, "EDI_POSTING_ACTOR": "envuser"}
    from_env = _config([], env)
    assert (from_env["database_url"]["value"], from_env["actor"]["value"]) == (env_db, "envuser")
    assert from_env["actor"]["source"] == "environment"
    from_flag = _config(["--db", flag_db, "--actor", "flaguser"], env)
    assert (from_flag["database_url"]["value"], from_flag["actor"]["value"]) == (
        flag_db,
        "flaguser",
    )
    assert from_flag["database_url"]["source"] == "command line"


def test_unreachable_database_exits_69_with_a_clear_message() -> None:
    result = CliRunner().invoke(
        main, ["--db", "postgresql://nobody@127.0.0.1:1/none", "db", "current"]
    )
    assert result.exit_code == 69
    assert result.output.startswith(
        "edi-posting: cannot reach the database postgresql+psycopg://nobody@127.0.0.1:1/none"
    )


def test_password_on_the_command_line_is_refused() -> None:
    result = CliRunner().invoke(main, ["--db", "postgresql://u:secret@127.0.0.1/x", "db", "current"])
    assert result.exit_code == 2
    assert "secret" not in result.output
    assert "~/.pgpass" in result.output


def test_default_sqlite_database_is_created_and_upgraded_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from edi_posting.cli.context import AppContext

    monkeypatch.chdir(tmp_path)
    AppContext(database_url=None, claimed_actor="t").engine().dispose()
    result = CliRunner().invoke(main, ["db", "current"], env={"EDI_POSTING_DATABASE_URL": ""})
    assert result.output == f"{head_revision()} (head)\n"
    assert (tmp_path / "edi_posting.db").exists()


def test_db_upgrade_current_and_check_on_an_empty_database(empty_database_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["db", "current"], env={"EDI_POSTING_DATABASE_URL": empty_database_url})
    assert (result.exit_code, result.output) == (0, "none (empty database)\n")
    result = runner.invoke(main, ["db", "check"], env={"EDI_POSTING_DATABASE_URL": empty_database_url})
    assert result.exit_code == 1
    assert "run `edi-posting db upgrade`" in result.output
    result = runner.invoke(main, ["db", "upgrade"], env={"EDI_POSTING_DATABASE_URL": empty_database_url})
    assert result.exit_code == 0
    assert result.output == f"database upgraded from empty to {head_revision()}\n"
    result = runner.invoke(main, ["db", "check"], env={"EDI_POSTING_DATABASE_URL": empty_database_url})
    assert (result.exit_code, result.output) == (0, f"{head_revision()} (head): no drift\n")


def test_postgres_database_that_is_behind_names_db_upgrade(
    backend: str, empty_database_url: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite databases are upgraded automatically")
    from edi_posting.cli.common import CliError
    from edi_posting.cli.context import AppContext

    with pytest.raises(CliError) as raised:
        AppContext(database_url=empty_database_url, claimed_actor="t").engine()
    assert raised.value.exit_code == 78
    assert "run `edi-posting db upgrade`" in raised.value.message


def test_output_closed_early_stops_quietly_with_exit_141() -> None:
    """`edi-posting parse remit.835 | head -1`: the reader leaving is not an internal error.
    The pipe breaking is simulated (a real one breaks at a moment the test cannot pin)."""
    remit = min((Path(__file__).parent.parent / "fixtures" / "demo" / "835").glob("*.835"))
    code = ("import click\n"
            "from edi_posting.cli import main\n"
            "def gone(*args, **kwargs):\n"
            "    raise BrokenPipeError(32, 'Broken pipe')\n"
            "click.echo = gone\n"
            f"main(['parse', {str(remit)!r}])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60,
                          check=False)
    assert (done.returncode, done.stderr) == (141, b"")
