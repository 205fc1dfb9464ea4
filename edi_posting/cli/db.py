"""`edi-posting db`: create, upgrade and check the database schema (Alembic underneath)."""

from __future__ import annotations

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]


@click.group(
    "db",
    epilog="""\b
Example:
  edi-posting db upgrade
  edi-posting --db postgresql://poster@db.internal/edi db check""",
)
def command() -> None:
    """Manage the database schema."""


def _session(app: AppContext) -> edi_posting.Session:
    """The session of a schema command: a database behind the head is what it is for."""
    return app.session(require_current=False)


@command.command(
    "upgrade",
    epilog="\b\nExample:\n  edi-posting --db postgresql://poster@localhost/edi db upgrade",
)
@click.option(
    "--revision",
    default="head",
    show_default=True,
    envvar="EDI_POSTING_REVISION",
    show_envvar=True,
    help="Target revision.",
)
@click.pass_obj
def upgrade_command(app: AppContext, revision: str) -> None:
    """Create the tables, or bring them up to this version's schema."""
    before, after = app.call(edi_posting.upgrade_database, _session(app), revision)
    if before == after:
        echo_err(f"database already at revision {after}")
    else:
        echo_err(f"database upgraded from {before or 'empty'} to {after}")


@command.command("current", epilog="\b\nExample:\n  edi-posting db current")
@click.pass_obj
def current_command(app: AppContext) -> None:
    """Print the database's schema revision (and whether it is the newest)."""
    state = edi_posting.schema_revision(_session(app))
    revision, head = state.revision, state.head
    if revision is None:
        click.echo("none (empty database)")
    elif revision == head:
        click.echo(f"{revision} (head)")
    else:
        click.echo(f"{revision} (behind head {head})")


@command.command("check", epilog="\b\nExample:\n  edi-posting db check && echo 'schema OK'")
@click.pass_obj
def check_command(app: AppContext) -> None:
    """Exit 1 when the database is behind or its schema drifts from the models.  Warns
    when a SQLite database file is open to group or others."""
    from edi_posting.cli.audit_archive import warn_file_privacy

    session = _session(app)
    warn_file_privacy(app)
    state = edi_posting.check_schema(session)
    revision, head = state.revision, state.head
    if revision != head:
        raise CliError(
            f"database at revision {revision or 'none'}, head is {head}: "
            "run `edi-posting db upgrade`",
            ExitCode.CHECK_FAILED,
        )
    differences = state.drift
    for difference in differences:
        click.echo(f"drift: {difference}")
    if differences:
        raise CliError(
            f"{len(differences)} difference(s) between the models and the migrations",
            ExitCode.CHECK_FAILED,
        )
    click.echo(f"{revision} (head): no drift")


@command.command(
    "grant",
    epilog="""\b
Example:
  edi-posting --db postgresql://owner@db/edi db grant edi_app
  edi-posting --db postgresql://owner@db/edi db grant carol_pg --read-only   # an auditor""",
)
@click.argument("role")
@click.option(
    "--read-only",
    is_flag=True,
    envvar="EDI_POSTING_READ_ONLY",
    show_envvar=True,
    help="For auditors: SELECT on every table, INSERT only on audit_events (their reads "
         "are audited) and their own password; nothing else.",
)
@click.pass_obj
def grant_command(app: AppContext, role: str, read_only: bool) -> None:
    """PostgreSQL: grant an application role what it needs, and no UPDATE or DELETE on the
    journal and audit tables; with --read-only, what an auditor needs to look and nothing
    to act with, even in raw SQL."""
    statements = app.call(edi_posting.grant_role, app.session(), role, read_only=read_only,
                          errors={edi_posting.UnknownRoleError: ExitCode.DATA_ERROR,
                                  edi_posting.ReadOnlyLeakError: ExitCode.CHECK_FAILED,
                                  ValueError: ExitCode.USAGE})
    echo_err(f"{len(statements)} {'read-only ' if read_only else ''}grants to {role}")
