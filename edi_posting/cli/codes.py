"""`edi-posting codes show|list|info|update`: the X12 code lists the engine reads.

No database: the lists are data files (:mod:`edi_posting.codes`).  ``show`` explains one
code, ``list`` prints a list (optionally the codes in effect on a date), ``info`` says
which list is in effect (shipped or updated), its as-of date, version and size, and
``update`` loads a published CARC/RARC table into the user's codes directory.

Exit codes: 0 ok, 2 an unknown list or code (the message names the lists), 65 a file that
is not a code list, 66 a file that cannot be read.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
from edi_posting.codes.loader import CODES_DIR_ENV
from edi_posting.codes.records import CodeListName
from edi_posting.exit_codes import ExitCode

__all__ = ["USES_APP_CONTEXT", "command"]

USES_APP_CONTEXT = False
_T = TypeVar("_T")
_LISTS = ", ".join(n.value for n in CodeListName)
_CODE_COLUMNS = ("code", "description", "start", "stop", "last_modified")
_INFO_COLUMNS = ("list", "origin", "version", "as_of", "complete", "codes", "path")


@click.group("codes", epilog=f"""\b
Lists: {_LISTS}.
Example:
  edi-posting codes show CARC 197
  edi-posting codes list RARC --active-on 2026-01-01 --format csv
  edi-posting codes info
  edi-posting codes update carc.csv --list CARC
Exit codes: 0 ok, 2 unknown list or code, 65 not a code list, 66 file not readable.""")
@click.option("--codes-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              envvar=CODES_DIR_ENV, show_envvar=True,
              help="Where updated lists are kept and looked for first "
              "(default: $XDG_DATA_HOME/edi-posting/codes, i.e. ~/.local/share/...).")
def command(codes_dir: Path | None) -> None:
    """The X12 code lists (CARC, RARC, group codes, CLP02, PLB reasons) as versioned data."""
    if codes_dir is not None:
        os.environ[CODES_DIR_ENV] = str(codes_dir)  # the one loader reads it from there


@command.command("show", epilog="""\b
Example:
  edi-posting codes show CARC 197
  edi-posting codes show RARC MA15 --format json""")
@click.argument("list_name", metavar="LIST")
@click.argument("code")
@format_option(choices=("table", "json"))
def show(list_name: str, code: str, output_format: str) -> None:
    """Explain CODE of LIST: description, start and stop dates, the list's version."""
    data = _call(edi_posting.explain_code, list_name, code)
    if output_format == "json":
        echo_json(data)
        return
    width = max(len(k) for k in data)
    for key, value in data.items():
        click.echo(f"{key.ljust(width)}  {value if value is not None else ''}".rstrip())


@command.command("list", epilog="""\b
Example:
  edi-posting codes list RARC --active-on 2026-01-01 --format csv
  EDI_POSTING_CODES_ACTIVE_ON=2025-07-01 edi-posting codes list CARC""")
@click.argument("list_name", metavar="LIST")
@click.option("--active-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              envvar="EDI_POSTING_CODES_ACTIVE_ON", show_envvar=True,
              help="Only the codes in effect on this date (YYYY-MM-DD).")
@format_option()
def list_codes(list_name: str, active_on: dt.datetime | None, output_format: str) -> None:
    """Print the codes of LIST with descriptions and dates."""
    rows = _call(edi_posting.list_codes, list_name, active_on.date() if active_on else None)
    render_rows(rows, _CODE_COLUMNS, output_format)


@command.command("info", epilog="""\b
Example:
  edi-posting codes info
  edi-posting codes info --format json""")
@format_option()
def info(output_format: str) -> None:
    """Which version of each list is in effect (shipped or updated), as of when, how many
    codes, and whether it is complete (an unknown code then is an ERROR, not a WARNING)."""
    render_rows(_call(edi_posting.code_list_info), _INFO_COLUMNS, output_format)


@command.command("update", epilog="""\b
Example:
  edi-posting codes update carc.csv --list CARC
  EDI_POSTING_CODES_LIST=RARC edi-posting codes update rarc.csv --as-of 2026-11-01
The CSV has the columns of the published tables: code, description, start date,
last modified, stop date (dates YYYY-MM-DD or MM/DD/YYYY).""")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, readable=False))
@click.option("--list", "list_name", required=True, envvar="EDI_POSTING_CODES_LIST",
              show_envvar=True, help="The list the file holds: CARC or RARC.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              envvar="EDI_POSTING_CODES_AS_OF", show_envvar=True,
              help="The list's publication date (default: its latest date).")
def update(file: Path, list_name: str, as_of: dt.datetime | None) -> None:
    """Load a published CARC or RARC list (CSV) as the list in effect, marked complete."""
    updated = _call(edi_posting.update_code_list, file, list_name,
                    as_of.date() if as_of else None)  # 66 naming a file that cannot be read
    echo_err(f"{updated.name.value}: {updated.codes} code(s) written to {updated.path} "
             "(in effect from now on)")


def _call(function: Callable[..., _T], *args: Any) -> _T:
    """The API call; an unknown list or code is a usage error, a bad list file bad data."""
    try:
        return function(*args)
    except edi_posting.UnknownCodeError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None
    except edi_posting.CodeListError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
