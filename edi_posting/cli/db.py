"""`edi-posting db`: create, upgrade and check the database schema (Alembic underneath)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from edi_posting.cli.common import CliError, echo_err
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode
from edi_posting.records.states import AuditOutcome

if TYPE_CHECKING:
    from sqlalchemy import Engine

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


def _authorize_admin(app: AppContext, action: str, object_id: str) -> str | None:
    """``administer`` once users exist.  An empty database has no users table yet, so its
    first upgrade (the quick start, CI) runs with access control off, as every command does
    until the first user is created.  The role, for the audit event."""
    from sqlalchemy import inspect

    from edi_posting.access.permissions import Permission

    if not inspect(app.engine(require_current=False)).has_table("users"):
        return None
    return app.authorize(Permission.ADMINISTER, action, object_id).role


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
    from edi_posting.db.migration import current_revision, upgrade

    engine = app.engine(require_current=False)
    before = current_revision(engine)
    role = _authorize_admin(app, "db.upgrade", revision)
    upgrade(engine, revision)
    after = current_revision(engine)
    if revision == "head":
        _baseline(engine)
    app.audit("db.upgrade", role=role, object_type="schema", object_id=after,
              summary={"before": before, "after": after, "target": revision})
    if before == after:
        echo_err(f"database already at revision {after}")
    else:
        echo_err(f"database upgraded from {before or 'empty'} to {after}")


def _baseline(engine: Engine) -> None:
    """The audit event vouching for rows written before audit events linked them (see
    ``audit_links``): at the upgrade, so nothing inserted later can hide among them."""
    from edi_posting.audit.links import ensure_baseline
    from edi_posting.audit.writes import write_transaction

    with write_transaction(engine) as conn:
        ensure_baseline(conn)


@command.command("current", epilog="\b\nExample:\n  edi-posting db current")
@click.pass_obj
def current_command(app: AppContext) -> None:
    """Print the database's schema revision (and whether it is the newest)."""
    from edi_posting.db.migration import current_revision, head_revision

    revision = current_revision(app.engine(require_current=False))
    head = head_revision()
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
    from edi_posting.db.migration import current_revision, drift, head_revision

    engine = app.engine(require_current=False)
    warn_file_privacy(app)
    revision, head = current_revision(engine), head_revision()
    if revision != head:
        raise CliError(
            f"database at revision {revision or 'none'}, head is {head}: "
            "run `edi-posting db upgrade`",
            ExitCode.CHECK_FAILED,
        )
    differences = drift(engine)
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
    from edi_posting.db.migration import (
        ReadOnlyLeakError,
        UnknownRoleError,
        grant_application_role,
    )

    engine = app.engine()
    actor_role = _authorize_admin(app, "db.grant", role)
    try:
        statements = grant_application_role(engine, role, read_only=read_only)
    except (UnknownRoleError, ReadOnlyLeakError, ValueError) as exc:
        app.audit("db.grant", role=actor_role, object_type="database_role", object_id=role,
                  outcome=AuditOutcome.FAILED, summary={"reason": str(exc), "read_only": read_only})
        code = (ExitCode.DATA_ERROR if isinstance(exc, UnknownRoleError)
                else ExitCode.CHECK_FAILED if isinstance(exc, ReadOnlyLeakError)
                else ExitCode.USAGE)
        raise CliError(str(exc), code) from None
    app.audit("db.grant", role=actor_role, object_type="database_role", object_id=role,
              summary={"statements": len(statements), "read_only": read_only})
    echo_err(f"{len(statements)} {'read-only ' if read_only else ''}grants to {role}")
