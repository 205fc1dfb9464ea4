"""`edi-posting audit verify | log`: prove nobody rewrote history, and read it."""

from __future__ import annotations

from pathlib import Path

import click

import edi_posting
from edi_posting.cli.audit_archive import (
    head_command_body,
    render_archive,
    verify_options,
    warn_file_privacy,
)
from edi_posting.cli.common import CliError, echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]


@click.group("audit", epilog="\b\nExample:\n  edi-posting audit verify\n  edi-posting audit log --actor jdoe")
def command() -> None:
    """Verify and read the hash-chained audit trail."""


@command.command("verify", epilog="\b\nExample:\n  edi-posting audit verify --expect-head 3f2a...\n"
                 "  edi-posting audit verify --archive --expect-head-file /mnt/worm/head.json")
@click.option("--expect-head", default=None, envvar="EDI_POSTING_EXPECT_HEAD", show_envvar=True,
              metavar="HASH", help="A chain head recorded earlier; catches a chain cut off at its end.")
@verify_options
@click.pass_obj
def verify_command(app: AppContext, expect_head: str | None, expect_head_file: Path | None,
                   check_archive: bool) -> None:
    """Walk the chain; exit 0 when intact, 1 naming the first broken sequence number, the
    first review item event (note, reason, dismissal) that differs from the audit event that
    recorded it, or the first row without its audit event (a journal entry, its lines, an
    item event, a user, a policy, an approval) or audit event without its row.  Prints the
    chain head (record it elsewhere).  With --archive, also exit 1 naming each archived file
    whose bytes differ from their recorded SHA-256."""
    found = app.call(edi_posting.verify_audit, app.session(), expect_head, expect_head_file,
                     check_archive=check_archive,
                     errors={edi_posting.HeadFormatError: ExitCode.DATA_ERROR,
                             edi_posting.HeadsDisagreeError: ExitCode.USAGE})
    warn_file_privacy(app)
    if found.archive_findings is not None:
        render_archive(found.archive_findings, found.archived_files)
    click.echo(f"head {found.head_hash} after {found.events} event(s)")
    if found.failure is not None:
        raise CliError(found.failure, ExitCode.CHECK_FAILED)
    for warning in found.warnings:
        echo_err(f"warning: {warning}")
    echo_err("audit chain intact")


@command.command("log", epilog="\b\nExample:\n  edi-posting audit log --action 'import*' --since 2026-03-01 --format csv")
@click.option("--actor", "who", default=None, envvar="EDI_POSTING_AUDIT_ACTOR", show_envvar=True)
@click.option("--action", default=None, envvar="EDI_POSTING_AUDIT_ACTION", show_envvar=True,
              help="Action name; '*' is a wildcard.")
@click.option("--object", "object_id", default=None, envvar="EDI_POSTING_AUDIT_OBJECT",
              show_envvar=True, help="Object id (claim PCN, file SHA-256, user name...).")
@click.option("--since", default=None, envvar="EDI_POSTING_AUDIT_SINCE", show_envvar=True)
@click.option("--until", default=None, envvar="EDI_POSTING_AUDIT_UNTIL", show_envvar=True)
@format_option()
@click.pass_obj
def log_command(app: AppContext, who: str | None, action: str | None, object_id: str | None,
                since: str | None, until: str | None, output_format: str) -> None:
    """List audit events, oldest first (with --mask-phi before the command: account numbers
    and names masked)."""
    rows = app.call(edi_posting.audit_log, app.session(), actor=who, action=action,
                    object_id=object_id, since=since, until=until,
                    errors={edi_posting.BadTimeError: ExitCode.USAGE})
    render_rows(rows, ["sequence", "at", "db_login", "actor", "role", "action", "object_type",
                       "object_id", "outcome"] + (["summary"] if output_format != "table" else []),
                output_format)


@command.command("head", epilog="\b\nExample: (nightly, to a place the application cannot write)\n"
                 "  edi-posting audit head --format json > /mnt/worm/head-$(date +%F).json")
@format_option()
@click.pass_obj
def head_command(app: AppContext, output_format: str) -> None:
    """Print the audit chain's head (sequence number and hash) for safekeeping; check the
    database against it later with `audit verify --expect-head-file`."""
    head_command_body(app, output_format)
