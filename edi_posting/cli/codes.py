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
from pathlib import Path

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
from edi_posting.codes import CodeList, CodeListError, CodeListName, load_list, parse_list_name
from edi_posting.codes.loader import CODES_DIR_ENV, codes_dir, load_all
from edi_posting.codes.update import UPDATABLE, read_published_csv, write_updated_list
from edi_posting.exit_codes import ExitCode

__all__ = ["USES_APP_CONTEXT", "command"]

USES_APP_CONTEXT = False
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
    code_list = _list(list_name)
    entry = code_list.get(code)
    if entry is None:
        raise CliError(f"{code!r} is not in the {code_list.name.value} list "
                       f"({code_list.origin.split()[0]}, as of {code_list.as_of}); "
                       "see `edi-posting codes list " f"{code_list.name.value}`", ExitCode.USAGE)
    data = {"list": code_list.name.value, **entry.to_dict(),
            "list_version": code_list.version, "list_as_of": code_list.as_of.isoformat()}
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
    code_list = _list(list_name)
    entries = (code_list.active_on(active_on.date()) if active_on is not None
               else list(code_list.entries.values()))
    render_rows([e.to_dict() for e in entries], _CODE_COLUMNS, output_format)


@command.command("info", epilog="""\b
Example:
  edi-posting codes info
  edi-posting codes info --format json""")
@format_option()
def info(output_format: str) -> None:
    """Which version of each list is in effect (shipped or updated), as of when, how many
    codes, and whether it is complete (an unknown code then is an ERROR, not a WARNING)."""
    try:
        lists = load_all()
    except CodeListError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
    rows = [code_list.info() for code_list in lists.values()]
    render_rows(rows, _INFO_COLUMNS, output_format)


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
    name = _name(list_name)
    edi_posting.readable_file(file)  # exit 66 naming the file and why
    if name not in UPDATABLE:
        raise CliError(f"the {name.value} list is complete as shipped; only "
                       f"{', '.join(n.value for n in UPDATABLE)} can be updated", ExitCode.USAGE)
    try:
        entries = read_published_csv(file)
        target = write_updated_list(name, entries, f"published list file {file.name}, loaded "
                                    f"{dt.date.today().isoformat()}",
                                    as_of.date() if as_of else None)
    except OSError as exc:
        raise CliError(f"{file}: cannot be read ({exc.strerror})", ExitCode.NO_INPUT) from None
    except CodeListError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
    echo_err(f"{name.value}: {len(entries)} code(s) written to {target} (in effect from now on)")


def _name(text: str) -> CodeListName:
    try:
        return parse_list_name(text)
    except ValueError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None


def _list(text: str) -> CodeList:
    name = _name(text)
    try:
        return load_list(name)
    except CodeListError as exc:
        raise CliError(f"{exc} (codes directory {codes_dir()})", ExitCode.DATA_ERROR) from None
