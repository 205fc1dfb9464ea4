"""`edi-posting queue follow-up|follow-up-default`: follow-up dates, registered on the
`queue` group of :mod:`edi_posting.cli.queue`.

`follow-up` dates the next look at one item (``resolve``); `follow-up-default` shows the
default windows, or sets one per kind (and payer) with ``--days`` (``administer``).  Items
due are listed by `queue list --due today|overdue`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import CliError, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.cli.queue import command
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_ERRORS: dict[type[Exception], ExitCode] = {edi_posting.ActionError: ExitCode.DATA_ERROR}


def _opt(*decls: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    """An option with its environment twin, ``EDI_POSTING_QUEUE_<env>``, shown in --help."""
    return click.option(*decls, envvar=f"EDI_POSTING_QUEUE_{env}", show_envvar=True, **kwargs)


@command.command("follow-up", epilog="\b\nExample:\n  edi-posting queue follow-up 12 --on 2026-04-15 --note 'appeal sent, ref 4471'")
@click.argument("item_id", type=int)
@_opt("--on", "on", env="FOLLOW_UP_ON", required=True, metavar="YYYY-MM-DD",
      type=click.DateTime(formats=["%Y-%m-%d"]), help="The day to look at the item again.")
@_opt("--note", env="NOTE", default=None, metavar="TEXT", help="Optional: why, what to check.")
@click.pass_obj
def follow_up_command(app: AppContext, item_id: int, on: dt.datetime, note: str | None) -> None:
    """Date the next look at an item (its due date; an item event, audited).  `queue list
    --due today|overdue` lists the items due."""
    click.echo(app.call(edi_posting.follow_up_item, app.session(), item_id, on.date(),
                        note=note, errors=_ERRORS))


@command.command("follow-up-default", epilog="\b\nExample:\n  edi-posting queue follow-up-default --kind denial --days 60\n  edi-posting queue follow-up-default --kind denial --payer 59200 --days 90\n  edi-posting queue follow-up-default")
@_opt("--kind", env="KIND", default=None, type=click.Choice([str(k) for k in edi_posting.ReviewKind]),
      help="The kind of item the window is for.")
@_opt("--payer", env="PAYER", default=None, metavar="ID",
      help="Only this payer's items (its identifier); default: every payer.")
@_opt("--days", env="FOLLOW_UP_DAYS", default=None, metavar="N", type=click.IntRange(min=0),
      help="Days after the payment date (0 removes the window).")
@format_option()
@click.pass_obj
def follow_up_default_command(app: AppContext, kind: str | None, payer: str | None,
                              days: int | None, output_format: str) -> None:
    """Show the default follow-up windows, or set one (administer): items of that kind
    (and payer) opened afterwards are due that many days after their payment date (the
    day they open when nothing was paid).  A payer's window wins over its kind's."""
    if days is None:
        if kind or payer:
            raise CliError("--kind and --payer set a window: give --days too", ExitCode.USAGE)
        rows = app.call(edi_posting.follow_up_defaults, app.session())
        render_rows(rows, ["kind", "payer", "days"], output_format)
        return
    if kind is None:
        raise CliError("--days needs --kind", ExitCode.USAGE)
    click.echo(app.call(edi_posting.set_follow_up_default, app.session(), kind, days,
                        payer=payer, errors=_ERRORS))
