"""`edi-posting report NAME`: a named report (ERA by check, PLB, a remittance advice...)
printed as a table, or exported as CSV, JSON, XLSX or PDF, with its charts as PNGs.

Thin over the API: ``run_report`` computes (and authorises, and audits a PHI read),
``render_report`` lays out, ``write_report_charts`` draws.  Text goes to stdout unless
``-o`` names a file; XLSX and PDF are bytes, written to ``-o`` or to a stdout that is not a
terminal (a pipe or a redirect), never onto a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import CliError, echo_err, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_FORMATS = ("table", "csv", "json", "xlsx", "pdf")
_BINARY = frozenset({"xlsx", "pdf"})
_LIST = "list"
_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _names() -> str:
    return "\n".join(f"  {r['name']}{' ' + r['subject'] if r['subject'] else ''}: "
                     f"{r['description']}" for r in edi_posting.list_reports())


def _opt(*names: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(*names, envvar=f"EDI_POSTING_REPORT_{env}", show_envvar=True,
                        default=None, **kwargs)


@click.command("report", epilog=f"""\b
Reports (NAME):
{_names()}
  list: these names (--format table|json|csv)

\b
Example:
  edi-posting report era --from 2026-03-01 --to 2026-03-31 --chart charts/
  edi-posting report plb --format json
  edi-posting report era-pdf 12 -o era.pdf""")
@click.argument("name")
@click.argument("subject", required=False, metavar="[SUBJECT]")
@_opt("--from", "date_from", env="FROM", type=_DATE, metavar="DATE",
      help="From DATE (YYYY-MM-DD), e.g. the payment date of a remittance.")
@_opt("--to", "date_to", env="TO", type=_DATE, metavar="DATE", help="Up to DATE, included.")
@_opt("--payer", env="PAYER", help="Part of the payer's name, or its identifier.")
@format_option(_FORMATS)
@_opt("-o", "--output", env="OUTPUT", type=click.Path(dir_okay=False, path_type=Path),
      metavar="PATH", help="Write the report to PATH instead of standard output.")
@_opt("--chart", env="CHART", type=click.Path(file_okay=False, path_type=Path),
      metavar="DIR", help="Also write the report's charts as PNG files into DIR.")
@click.pass_context
def command(ctx: click.Context, name: str, subject: str | None, date_from: Any, date_to: Any,
            payer: str | None, output_format: str, output: Path | None,
            chart: Path | None) -> None:
    """Print report NAME, or export it (csv, json, xlsx, pdf); `report list` names them.
    SUBJECT is what a report about one thing needs (era-pdf: the remittance's id or
    trace).  Without --format, -o's suffix chooses it (-o era.pdf writes a PDF)."""
    app: AppContext = ctx.obj
    output_format = _chosen_format(ctx, output_format, output)
    if name == _LIST:
        _list(output_format)
        return
    if output_format in _BINARY and output is None and sys.stdout.isatty():
        raise CliError(f"{output_format} is binary: give -o PATH, or redirect standard "
                       "output to a file", ExitCode.USAGE)
    query = edi_posting.ReportQuery(date_from.date() if date_from else None,
                                    date_to.date() if date_to else None, payer)
    report = app.call(edi_posting.run_report, app.session(), name, query, subject,
                      errors={edi_posting.ReportUsageError: ExitCode.USAGE,
                              edi_posting.NotFoundError: ExitCode.NO_INPUT,
                              edi_posting.AmbiguousRemittanceError: ExitCode.USAGE})
    _emit(edi_posting.render_report(report, output_format), output)
    if chart is not None:
        _charts(report, chart)


def _chosen_format(ctx: click.Context, output_format: str, output: Path | None) -> str:
    """--format as given (flag or environment), else the output file's suffix."""
    source = ctx.get_parameter_source("output_format")
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if source == click.core.ParameterSource.DEFAULT and suffix in _FORMATS:
        return suffix
    return output_format


def _list(output_format: str) -> None:
    if output_format in _BINARY:
        raise CliError(f"report list has no {output_format} format", ExitCode.USAGE)
    render_rows(edi_posting.list_reports(), ["name", "subject", "patient_data", "description"],
                output_format)


def _emit(rendered: str | bytes, output: Path | None) -> None:
    if output is None:
        if isinstance(rendered, bytes):
            sys.stdout.flush()  # the text layer first, then the bytes under it
            sys.stdout.buffer.write(rendered)
            sys.stdout.buffer.flush()
        else:
            click.echo(rendered, nl=False)
        return
    try:
        if isinstance(rendered, bytes):
            output.write_bytes(rendered)
        else:
            output.write_text(rendered, encoding="utf-8")
    except OSError as exc:
        raise CliError(f"{output}: cannot be written ({exc.strerror})",
                       ExitCode.CANT_CREATE) from None
    echo_err(f"wrote {output}")


def _charts(report: edi_posting.Report, directory: Path) -> None:
    try:
        written = edi_posting.write_report_charts(report, directory)
    except OSError as exc:
        raise CliError(f"{directory}: cannot be written ({exc.strerror})",
                       ExitCode.CANT_CREATE) from None
    for path in written:
        echo_err(f"wrote {path}")
    if not written:
        echo_err(f"report {report.name} has no charts")
