"""`edi-posting audit verify | log`: prove nobody rewrote history, and read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from edi_posting.cli.audit_archive import (
    archive_findings,
    expected_head,
    head_command_body,
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
    from edi_posting.access.permissions import Permission
    from edi_posting.audit.events import verify_chain, verify_item_events
    from edi_posting.audit.links_verify import LinkReport, verify_links

    app.authorize(Permission.AUDIT, "audit.verify")
    expect_head = expected_head(expect_head, expect_head_file)
    warn_file_privacy(app)
    with app.engine().connect() as conn:
        result = verify_chain(conn, expect_head)
        mismatch = verify_item_events(conn) if result.is_intact else None
        archive_problems = archive_findings(conn) if check_archive else 0
        links = verify_links(conn) if result.is_intact and mismatch is None else LinkReport()
    click.echo(f"head {result.head_hash} after {result.events} event(s)")
    if archive_problems and mismatch is None:
        mismatch = f"{archive_problems} archived file(s) missing or not as received"
    if not result.is_intact:
        raise CliError(f"audit chain broken at sequence {result.broken_sequence}: {result.reason}",
                       ExitCode.CHECK_FAILED)
    for failure in (mismatch, links.failure):
        if failure is not None:
            raise CliError(failure, ExitCode.CHECK_FAILED)
    for warning in links.warnings:
        echo_err(f"warning: {warning}")
    echo_err("audit chain intact")


def _when(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CliError(f"not a date or time: {value!r} (use 2026-03-01 or 2026-03-01T12:00)",
                       ExitCode.USAGE) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


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
    from edi_posting.access.permissions import Permission
    from edi_posting.audit.events import audit_log

    principal = app.authorize(Permission.AUDIT, "audit.log")
    app.audit("audit.log", role=principal.role, summary={"actor": who, "action": action})
    with app.engine().connect() as conn:
        rows = audit_log(conn, actor=who, action=action, object_id=object_id,
                         since=_when(since), until=_when(until))
    if app.mask_phi:  # account numbers (account reads) and PHI keys of summaries
        from edi_posting.logs import mask_audit_event

        rows = [mask_audit_event(row) for row in rows]
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
