"""`edi-posting period`: close a month so nothing posts into it, list, reopen (admin)."""

from __future__ import annotations

from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_COLUMNS = ["period", "status", "closed_by", "closed_at", "close_reason", "reopened_by",
            "reopened_at", "reopen_reason"]
_ERRORS: dict[type[Exception], ExitCode] = {edi_posting.PeriodError: ExitCode.USAGE}


@click.group("period", epilog="\b\nExample:\n  edi-posting period close 2026-11 "
             "--reason 'November books closed'\n  edi-posting period list")
def command() -> None:
    """Closed accounting periods (calendar months).

    After a period is closed nothing posts into it: an entry dated in it (a late 835
    paid in that month, say) posts on the first day of the next open period, and its
    memo keeps the original date and names the closed period."""


@command.command("close", epilog="\b\nExample:\n  edi-posting period close 2026-11 "
                 "--reason 'November books closed'")
@click.argument("period")
@click.option("--reason", default=None, envvar="EDI_POSTING_PERIOD_REASON", show_envvar=True,
              help="Why the period is closed (kept with it and on the audit trail).")
@click.pass_obj
def close_command(app: AppContext, period: str, reason: str | None) -> None:
    """Close PERIOD (YYYY-MM, a month that is over); needs the administer permission."""
    row = app.call(edi_posting.close_period, app.session(), period, reason, errors=_ERRORS)
    echo_err(f"period {row['period']} closed: entries dated in it now post on the first "
             "open day")


@command.command("reopen", epilog="\b\nExample:\n  edi-posting period reopen 2026-11 "
                 "--reason 'late adjustment agreed with the auditor'")
@click.argument("period")
@click.option("--reason", required=True, envvar="EDI_POSTING_PERIOD_REASON", show_envvar=True,
              help="Why the period is opened again (required; audited).")
@click.pass_obj
def reopen_command(app: AppContext, period: str, reason: str) -> None:
    """Open a closed PERIOD again; needs the administer permission and a reason."""
    row = app.call(edi_posting.reopen_period, app.session(), period, reason, errors=_ERRORS)
    echo_err(f"period {row['period']} reopened: entries dated in it post there again")


@command.command("list", epilog="\b\nExample:\n  edi-posting period list --format json")
@format_option()
@click.pass_obj
def list_command(app: AppContext, output_format: str) -> None:
    """Every period ever closed, newest first, with who closed or reopened it and why."""
    rows: list[dict[str, Any]] = app.call(edi_posting.list_periods, app.session())
    render_rows(rows, _COLUMNS, output_format)
