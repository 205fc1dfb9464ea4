"""`edi-posting history claim | account`: one timeline of what happened, by whom, from where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from edi_posting.cli.common import CliError, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_COLUMNS = ["at", "what", "amount", "actor", "source_file", "source_segment", "detail"]


@click.group("history", epilog="\b\nExample:\n  edi-posting history claim PCN-1001")
def command() -> None:
    """Timelines for auditors."""


def _show(app: AppContext, kind: str, key: str, output_format: str,
          build: Callable[[Any, str], list[dict[str, Any]]]) -> None:
    from edi_posting.access.permissions import Permission
    from edi_posting.reports.views import NotFoundError

    principal = app.authorize(Permission.READ_PHI, f"history.{kind}", key)
    app.audit(f"history.{kind}", role=principal.role, object_type=kind, object_id=key)
    with app.engine().connect() as conn:
        try:
            rows = app.shown(build(conn, key))
        except NotFoundError as exc:
            raise CliError(str(exc), ExitCode.NO_INPUT) from None
    render_rows(rows, _COLUMNS, output_format)


@command.command("claim", epilog="\b\nExample:\n  edi-posting history claim PCN-1001 --format csv")
@click.argument("pcn")
@format_option()
@click.pass_obj
def claim_command(app: AppContext, pcn: str, output_format: str) -> None:
    """Charges, payments, reversals and review events of a claim (every submission)."""
    from edi_posting.reports.history import claim_history

    _show(app, "claim", pcn, output_format, claim_history)


@command.command("account", epilog="\b\nExample:\n  edi-posting history account 1234567893-1")
@click.argument("account_number")
@format_option()
@click.pass_obj
def account_command(app: AppContext, account_number: str, output_format: str) -> None:
    """Everything that happened on a patient account."""
    from edi_posting.reports.history import account_history

    _show(app, "account", account_number, output_format, account_history)
