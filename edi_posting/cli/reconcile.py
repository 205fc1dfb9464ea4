"""`edi-posting reconcile` and `reconcile status`: the day's deposits met with the
remittances awaiting them, and each day's standing with cash clearing."""

from __future__ import annotations

from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_err, echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.cli.deposits import date_range, range_options

__all__ = ["command"]

_MATCH_COLUMNS = ["deposit_id", "date", "remittance_id", "trace", "amount", "method",
                  "entry_id"]
STATUS_COLUMNS = ["date", "deposits", "deposited", "remittances_met", "variances",
                  "unmatched_deposits", "unmatched_deposit_amount", "unmatched_remittances",
                  "unmatched_remittance_amount", "cash_clearing"]


@click.group("reconcile", invoke_without_command=True, epilog="""\b
Example:
  edi-posting reconcile
  edi-posting reconcile --date 2025-03-27 --window-days 5
  edi-posting reconcile status --from 2025-03-01 --to 2025-03-31""")
@range_options("RECONCILE")
@click.option("--window-days", type=click.IntRange(min=0), default=None, metavar="N",
              envvar="EDI_POSTING_RECONCILE_WINDOW_DAYS", show_envvar=True,
              help="Business days a deposit may lie from its remittance (default: the "
                   "setting reconcile.window_days, else 3).")
@format_option(("table", "json"))
@click.pass_context
def command(ctx: click.Context, on: Any, date_from: Any, date_to: Any,
            window_days: int | None, output_format: str) -> None:
    """Match deposits (those of --date or --from/--to; all by default) with the remittances
    awaiting deposit: by trace, then by payer and amount within the window, bulk and split
    deposits included.  Each match posts Dr bank / Cr cash clearing; what is left becomes
    a silent_era, lonely_deposit or deposit_variance review item.  Running it again posts
    nothing new."""
    if ctx.invoked_subcommand is not None:
        return
    app: AppContext = ctx.obj
    start, end = date_range(on, date_from, date_to)
    result = app.call(edi_posting.reconcile, app.session(), date_from=start, date_to=end,
                      window_days=window_days)
    if output_format == "json":
        echo_json({"window_days": result.window_days, "as_of": result.as_of.isoformat(),
                   "matches": list(result.matches), "opened": result.opened,
                   "closed": result.closed, "returned": result.returned})
    elif result.matches:
        render_rows(result.matches, _MATCH_COLUMNS, "table")
    opened = ", ".join(f"{n} {kind}" for kind, n in sorted(result.opened.items())) or "none"
    echo_err(f"reconciled as of {result.as_of} ({result.window_days} business days): "
             f"{len(result.matches)} match(es) posted; review items opened: {opened}; "
             f"closed: {result.closed}"
             f"{f'; returned items queued: {result.returned}' if result.returned else ''}")


@command.command("status", epilog="""\b
Example:
  edi-posting reconcile status
  edi-posting reconcile status --date 2025-03-27 --format json""")
@range_options("RECONCILE_STATUS")
@format_option()
@click.pass_obj
def status_command(app: AppContext, on: Any, date_from: Any, date_to: Any,
                   output_format: str) -> None:
    """Per day: deposits and their total, remittances met, variances, what is unmatched on
    either side, and cash clearing at the day's end (money received, not yet deposited)."""
    start, end = date_range(on, date_from, date_to)
    rows = app.call(edi_posting.reconcile_status, app.session(), date_from=start, date_to=end)
    render_rows(rows, STATUS_COLUMNS, output_format)


@command.command("window", epilog="""\b
Example:
  edi-posting reconcile window
  edi-posting --actor alice reconcile window 5""")
@click.argument("days", type=click.IntRange(min=0), required=False)
@click.pass_obj
def window_command(app: AppContext, days: int | None) -> None:
    """Show the reconciliation window in business days, or set it to DAYS (administer):
    how far a deposit may lie from its remittance, and how long a remittance waits for its
    deposit before it is a silent_era."""
    if days is None:
        click.echo(app.call(edi_posting.reconcile_window, app.session()))
        return
    click.echo(app.call(edi_posting.set_reconcile_window, app.session(), days))
