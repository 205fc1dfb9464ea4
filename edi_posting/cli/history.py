"""`edi-posting history claim | account`: one timeline of what happened, by whom, from where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_COLUMNS = ["at", "what", "amount", "actor", "source_file", "source_segment", "detail"]


@click.group("history", epilog="\b\nExample:\n  edi-posting history claim PCN-1001")
def command() -> None:
    """Timelines for auditors."""


def _show(app: AppContext, key: str, output_format: str,
          timeline: Callable[[Any, str], list[dict[str, Any]]]) -> None:
    rows = app.call(timeline, app.session(), key,
                    errors={edi_posting.NotFoundError: ExitCode.NO_INPUT})
    render_rows(rows, _COLUMNS, output_format)


@command.command("claim", epilog="\b\nExample:\n  edi-posting history claim PCN-1001 --format csv")
@click.argument("pcn")
@format_option()
@click.pass_obj
def claim_command(app: AppContext, pcn: str, output_format: str) -> None:
    """Charges, payments, reversals and review events of a claim (every submission)."""
    _show(app, pcn, output_format, edi_posting.claim_history)


@command.command("account", epilog="\b\nExample:\n  edi-posting history account 1234567893-1")
@click.argument("account_number")
@format_option()
@click.pass_obj
def account_command(app: AppContext, account_number: str, output_format: str) -> None:
    """Everything that happened on a patient account."""
    _show(app, account_number, output_format, edi_posting.account_history)
