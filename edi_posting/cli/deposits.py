"""`edi-posting deposits import|list`: the bank's deposit files read and their lines shown
(and, in `cli/deposits_queue.py`, the queue actions of the deposit review items)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
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
