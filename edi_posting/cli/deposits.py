"""`edi-posting deposits import|list`: the bank's deposit files read and their lines shown;
`deposits match|request-era|receive|accept-variance`: the deposit review items' actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import (
    CliError,
    echo_err,
    echo_json,
    format_option,
    option_cents,
    render_rows,
)
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode
from edi_posting.money import format_cents

__all__ = ["DATE", "command", "date_range", "range_options"]

DATE = click.DateTime(formats=["%Y-%m-%d"])
LIST_COLUMNS = ["id", "date", "amount", "reference", "trace", "type", "returned",
                "description", "matched"]
_IMPORT_COLUMNS = ["file", "format", "read", "added", "known", "total", "problems"]


@click.group("deposits", epilog="\b\nExample:\n"
             "  edi-posting deposits import fixtures/demo/bank/deposits.bai\n"
             "  edi-posting deposits list --unmatched")
def command() -> None:
    """Bank deposit files (BAI2, CSV) and their lines; the deposit review items' actions."""


@command.command("import", epilog="""\b
Example:
  edi-posting deposits import fixtures/demo/bank/deposits.bai
  edi-posting deposits import --mapping bank-export export.csv""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--mapping", default="demo", show_default=True, envvar="EDI_POSTING_DEPOSIT_MAPPING",
              show_envvar=True, metavar="NAME",
              help="How a CSV file's columns are named: demo (date,amount,reference,"
                   "description) or bank-export (Posting Date,Amount,Reference,Description,"
                   "Account,Type).  BAI2 files need none.")
@click.option("--archive-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar="EDI_POSTING_ARCHIVE_DIR", show_envvar=True,
              help="Keep received files here (named by SHA-256) instead of in the database.")
@format_option(("table", "json"))
@click.pass_obj
def import_command(app: AppContext, paths: tuple[Path, ...], mapping: str,
                   archive_dir: Path | None, output_format: str) -> None:
    """Archive and store bank deposit files; each bank line is stored once (a file imported
    again adds nothing).  A file that does not add up stores nothing (exit 65)."""
    results = app.call(edi_posting.import_deposits, app.session(), paths, mapping=mapping,
                       archive_dir=archive_dir,
                       errors={edi_posting.UnreadableInputError: ExitCode.NO_INPUT,
                               edi_posting.UnknownMappingError: ExitCode.USAGE})
    rows = [{"file": r.file_name, "format": r.format, "read": r.read, "added": r.added,
             "known": r.known, "total": format_cents(r.total_cents),
             "problems": len(r.problems), "rejected": r.rejected,
             "problem_list": [p.to_dict() for p in r.problems]} for r in results]
    if output_format == "json":
        echo_json(rows)
    else:
        render_rows(rows, _IMPORT_COLUMNS, "table")
    for result in results:
        for p in result.problems:
            where = f" record {p.source.segment_position}" if p.source and \
                p.source.segment_position else ""
            echo_err(f"{result.file_name}:{where} {p.element or ''}: {p.severity.value} "
                     f"{p.code}: {p.message}")
    rejected = sum(r.rejected for r in results)
    if rejected:
        raise CliError(f"{rejected} file(s) rejected: nothing stored from them",
                       ExitCode.DATA_ERROR)


def date_range(on: Any, start: Any, end: Any) -> tuple[dt.date | None, dt.date | None]:
    """--date, or --from/--to (--date with either is a usage error)."""
    if on is not None and (start is not None or end is not None):
        raise CliError("--date or --from/--to, not both", ExitCode.USAGE)
    if on is not None:
        return on.date(), on.date()
    return (start.date() if start else None), (end.date() if end else None)


F = TypeVar("F", bound=Callable[..., Any])


def range_options(prefix: str) -> Callable[[F], F]:
    """--date, --from and --to, each with its EDI_POSTING_<prefix>_* twin."""
    def wrap(function: F) -> F:
        for name, dest, helptext in (
                ("--to", "date_to", "Up to and including DATE."),
                ("--from", "date_from", "From DATE (YYYY-MM-DD) on."),
                ("--date", "on", "One day (YYYY-MM-DD).")):
            function = click.option(name, dest, type=DATE, default=None, metavar="DATE",
                                    envvar=f"EDI_POSTING_{prefix}_{name[2:].upper()}",
                                    show_envvar=True, help=helptext)(function)
        return function
    return wrap


@command.command("list", epilog="""\b
Example:
  edi-posting deposits list --unmatched
  edi-posting deposits list --from 2025-03-01 --to 2025-03-31 --format csv""")
@range_options("DEPOSITS")
@click.option("--unmatched", is_flag=True, envvar="EDI_POSTING_DEPOSITS_UNMATCHED",
              show_envvar=True, help="Only lines no remittance has met yet.")
@format_option()
@click.pass_obj
def list_command(app: AppContext, on: Any, date_from: Any, date_to: Any, unmatched: bool,
                 output_format: str) -> None:
    """One row per bank line: date, amount, reference, trace, BAI2 type, returned or not,
    and what it met."""
    start, end = date_range(on, date_from, date_to)
    rows = app.call(edi_posting.list_deposits, app.session(), date_from=start, date_to=end,
                    unmatched=unmatched)
    render_rows(rows, LIST_COLUMNS, output_format)


# --- the deposit review items' actions ------------------------------------------------------

def _opt(*names: str, env: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(*names, envvar=f"EDI_POSTING_DEPOSITS_{env}", show_envvar=True,
                        **kwargs)


_DRY_RUN = _opt("--dry-run", env="DRY_RUN", is_flag=True,
                help="Print the entries it would post and where the item would stand; "
                     "write nothing.")


def _act(app: AppContext, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run one item action: refused (exit 65) when it does not fit the item; its one line
    on stdout, and under it a dry run's plan, each line saying "would"."""
    result = app.call(function, app.session(), *args,
                      errors={edi_posting.ActionError: ExitCode.DATA_ERROR}, **kwargs)
    click.echo(result.message)
    if result.plan is not None:
        for line in result.plan.describe():
            click.echo(f"  {line}")


@command.command("match", epilog="""\b
Example:
  edi-posting deposits match 14 --remit 8
  edi-posting deposits match 15 --deposit 2 --dry-run""")
@click.argument("item_id", type=int)
@_opt("--remit", "remittance_id", env="REMIT", type=int, default=None, metavar="ID",
      help="lonely_deposit: the remittance (`remit list` id) the deposit pays.")
@_opt("--deposit", "deposit_id", env="DEPOSIT", type=int, default=None, metavar="ID",
      help="silent_era / deposit_variance: the deposit (`deposits list` id) that paid it.")
@_opt("--amount", env="AMOUNT", default=None, metavar="AMOUNT",
      help="Match only this much (default: all the two have in common).")
@_DRY_RUN
@click.pass_obj
def match_command(app: AppContext, item_id: int, remittance_id: int | None,
                  deposit_id: int | None, amount: str | None, dry_run: bool) -> None:
    """Match a deposit with a remittance by hand: Dr bank / Cr cash clearing for what they
    share; each side's item keeps what is left.  On a deposit_variance, another deposit
    that pays the rest of the remittance (a split)."""
    _act(app, edi_posting.match_deposit, item_id, remittance_id=remittance_id,
         deposit_id=deposit_id, amount_cents=option_cents(amount), dry_run=dry_run)


@command.command("request-era", epilog="""\b
Example:
  edi-posting deposits request-era 14 --note 'called Acme, ref 5521' --follow-up 2026-04-01""")
@click.argument("item_id", type=int)
@_opt("--note", env="NOTE", required=True, metavar="TEXT", help="Whom you asked, and how.")
@_opt("--follow-up", "follow_up", env="FOLLOW_UP", required=True, type=DATE, metavar="DATE",
      help="When to look again (YYYY-MM-DD).")
@_DRY_RUN
@click.pass_obj
def request_era_command(app: AppContext, item_id: int, note: str, follow_up: Any,
                        dry_run: bool) -> None:
    """Note that the ERA of a lonely deposit (or the deposit of a silent ERA) was asked
    for; the item waits in progress until the follow-up date.  No money moves."""
    _act(app, edi_posting.request_era, item_id, note, follow_up.date(), dry_run=dry_run)


@command.command("receive", epilog="""\b
Example:
  edi-posting deposits receive 14 --note 'patient check, no EOB' --dry-run""")
@click.argument("item_id", type=int)
@_opt("--note", env="NOTE", default=None, metavar="TEXT", help="Optional: what it is.")
@_DRY_RUN
@click.pass_obj
def receive_command(app: AppContext, item_id: int, note: str | None, dry_run: bool) -> None:
    """Receive a lonely deposit as a payment without remittance: Dr bank / Cr unapplied
    cash, held by a new unmatched_payment item (`queue apply` puts it on a claim)."""
    _act(app, edi_posting.receive_deposit, item_id, note=note, dry_run=dry_run)


@command.command("accept-variance", epilog="""\b
Example:
  edi-posting deposits accept-variance 16 --reason 'bank fee on the EFT'""")
@click.argument("item_id", type=int)
@_opt("--reason", env="REASON", required=True, metavar="TEXT",
      help="Why the difference is accepted (kept on the item and in the audit).")
@_DRY_RUN
@click.pass_obj
def accept_variance_command(app: AppContext, item_id: int, reason: str, dry_run: bool) -> None:
    """Accept that a deposit is short of its remittance: the difference goes to other
    adjustments (Dr other adjustments / Cr cash clearing) and the item closes.  Above the
    write-off limit only a lead or an admin may accept it."""
    _act(app, edi_posting.accept_variance, item_id, reason, dry_run=dry_run)


@command.command("chargeback-won", epilog="""\b
Example:
  edi-posting deposits chargeback-won 21 --note 'bank reversed the chargeback' --dry-run""")
@click.argument("item_id", type=int)
@_opt("--note", env="NOTE", default=None, metavar="TEXT", help="Optional: how it was won.")
@_DRY_RUN
@click.pass_obj
def chargeback_won_command(app: AppContext, item_id: int, note: str | None,
                           dry_run: bool) -> None:
    """A returned item won back: the claims' cash it reopened is posted again and its
    deposit met again (entries of kind chargeback_won); the returned_item closes."""
    _act(app, edi_posting.chargeback_won, item_id, note=note, dry_run=dry_run)
