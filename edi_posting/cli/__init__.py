"""The `edi-posting` command: a thin click layer over the Python API.

Each command module registers one command or group on :data:`main`.  Command bodies parse
options, call one API function, render, and choose the exit code.

Command modules are imported on demand (:class:`_LazyCommands`): `edi-posting parse` loads
the parser, not SQLAlchemy and every other command, so it starts in a fraction of the
time.  `--help` and anything else that lists the commands still loads them all.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator, MutableMapping

import click
from click.core import ParameterSource

import edi_posting
from edi_posting.cli.common import CliError
from edi_posting.exit_codes import ExitCode

__all__ = ["main"]

# Each module defines `command` (a click command or group), loaded into `main` on demand.
# A module may set `USES_APP_CONTEXT = False` when its command never reads `ctx.obj`
# (then no database machinery is imported for it).
_COMMAND_MODULES = ["account", "audit", "claim", "codes", "config", "db", "demo", "deposits", "eob", "files", "generate", "history", "importing", "ledger", "parse", "payment", "period", "policy", "queue", "reconcile", "remit", "report", "serve", "users", "validate"]


class _LazyCommands(MutableMapping[str, click.Command]):
    """``main.commands``: command name -> command, importing a module when first asked.

    A name is looked for in the module of the same name first (``import`` lives in
    ``importing``: a keyword cannot be a module name), then in every module; iterating
    loads them all.
    """

    def __init__(self, modules: list[str]) -> None:
        self._modules = modules  # the list itself: later additions are seen
        self._loaded: dict[str, click.Command] = {}
        self._done: set[str] = set()
        self._no_app_context: set[str] = set()

    def _load(self, module_name: str) -> None:
        if module_name in self._done:
            return
        module = importlib.import_module(f"edi_posting.cli.{module_name}")
        command = module.command
        assert command.name is not None
        self._loaded.setdefault(command.name, command)
        if not getattr(module, "USES_APP_CONTEXT", True):
            self._no_app_context.add(command.name)
        self._done.add(module_name)

    def _load_all(self) -> None:
        for module_name in self._modules:
            self._load(module_name)

    def uses_app_context(self, name: str) -> bool:
        return name not in self._no_app_context

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            guess = f"{name}ing" if name == "import" else name
            if guess in self._modules:
                self._load(guess)
            if name not in self._loaded:
                self._load_all()
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        self._load_all()
        return iter(self._loaded)

    def __len__(self) -> int:
        self._load_all()
        return len(self._loaded)


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what the
    closed pipe never took does not fail again on the way out."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class _Main(click.Group):
    """Turns unexpected exceptions into one line and exit 70, never a traceback with PHI."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except edi_posting.UnreadableInputError as exc:  # a named file or directory: exit 66
            raise CliError(str(exc), ExitCode.NO_INPUT) from None
        except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
            _silence_stdout()
            raise SystemExit(ExitCode.BROKEN_PIPE) from None
        except Exception as exc:  # a bug or an operational failure we did not classify
            if os.environ.get("EDI_POSTING_DEBUG"):
                raise
            name = type(exc).__name__
            raise CliError(
                f"internal error ({name}); rerun with EDI_POSTING_DEBUG=1 for the traceback",
                ExitCode.SOFTWARE,
            ) from None


@click.group(
    cls=_Main,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Example:
  edi-posting --db sqlite:///practice.db db upgrade
  EDI_POSTING_DATABASE_URL=postgresql+psycopg://poster@localhost/edi edi-posting db current

Exit codes: 0 ok, 1 check failed, 2 usage, 65 input rejected, 66 file not found or unreadable,
69 database unreachable, 70 internal error, 77 permission denied, 78 database not migrated,
141 standard output closed early.""",
)
@click.version_option(edi_posting.__version__, "--version", prog_name="edi-posting")
@click.option(
    "--db",
    "database_url",
    envvar="EDI_POSTING_DATABASE_URL",
    show_envvar=True,
    default=None,
    metavar="URL",
    help="Database URL (default: sqlite:///edi_posting.db in the current directory). "
    "Put PostgreSQL passwords in ~/.pgpass or PGPASSFILE, never in the URL.",
)
@click.option(
    "--actor",
    envvar="EDI_POSTING_ACTOR",
    show_envvar=True,
    default=None,
    show_default="your login's user",
    help="Who you expect to be acting as, recorded on every write.  Once users exist the "
    "actor is the user your login (PostgreSQL role; on SQLite the OS user) maps to, and "
    "naming anyone else is refused (exit 77).",
)
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    envvar="EDI_POSTING_LOG_LEVEL",
    show_envvar=True,
    help="Structured log lines on stderr (never PHI: fields are allow-listed).",
)
@click.option(
    "--mask-phi",
    is_flag=True,
    envvar="EDI_POSTING_MASK_PHI",
    show_envvar=True,
    help="Mask patient names (initials), member IDs and account numbers (last four) and "
    "birth dates in the output of every command.",
)
@click.pass_context
def main(
    ctx: click.Context, database_url: str | None, actor: str | None, log_level: str, mask_phi: bool
) -> None:
    """Post X12 835 remittances and 837 claims to an append-only double-entry ledger."""
    from edi_posting.logs import configure_logging

    configure_logging(log_level)
    if database_url and ctx.get_parameter_source("database_url") is ParameterSource.COMMANDLINE:
        _refuse_password_on_command_line(database_url)
    ctx.meta["edi_posting.mask_phi"] = mask_phi  # for commands without an app context
    name = ctx.invoked_subcommand
    if name is not None and not _COMMANDS.uses_app_context(name):
        return  # e.g. parse: no database, so no SQLAlchemy to import
    from edi_posting.cli.context import AppContext

    ctx.obj = AppContext(database_url=database_url, claimed_actor=actor, mask_phi=mask_phi)
    ctx.call_on_close(ctx.obj.close)


def _refuse_password_on_command_line(url: str) -> None:
    """A password in argv is visible to every user of the machine (ps, shell history)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        has_password = make_url(url).password is not None
    except ArgumentError:
        return  # reported as an unreachable database when first used
    if has_password:
        raise CliError(
            "refusing a password in --db: put it in ~/.pgpass (or PGPASSFILE) "
            "or in EDI_POSTING_DATABASE_URL",
            ExitCode.USAGE,
        )


_COMMANDS = _LazyCommands(_COMMAND_MODULES)
main.commands = _COMMANDS


def run() -> None:  # pragma: no cover - console entry when imported differently
    sys.exit(main())
