"""`edi-posting files list` and `files show`: the files received (835, 837, keyed EOB,
payment CSV, bank deposit) and what became of each, over the same API as the workbench's
imports screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.common import echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

LIST_COLUMNS = ["id", "received_at", "kind", "file_name", "sha256", "received_by", "status",
                "acks", "sets", "totals", "balancing", "problems"]
_SET_COLUMNS = ["kind", "st02", "segment_position", "status", "claims", "total", "balancing",
                "remittance_id", "trace"]
_PROBLEM_COLUMNS = ["severity", "code", "where", "element", "message"]
_REMIT_COLUMNS = ["id", "trace", "payer", "payment_date", "method", "amount", "status"]
_CLAIM_COLUMNS = ["id", "pcn", "charge", "status"]
_ITEM_COLUMNS = ["id", "kind", "status", "amount", "message"]
_DATE = click.DateTime(formats=["%Y-%m-%d"])


@click.group("files", epilog="\b\nExample:\n  edi-posting files list --kind 835\n"
             "  edi-posting files show 3")
def command() -> None:
    """Look at the files received and what became of each."""


def _opt(*names: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(*names, envvar=f"EDI_POSTING_FILES_{env}", show_envvar=True, **kwargs)


@command.command("list", epilog="""\b
Example:
  edi-posting files list --status rejected --from 2026-03-01
  edi-posting files list --kind 835 --page 2 --format json""")
@_opt("--kind", env="KIND", default=None, help="835, 837P, 837I, 837D, eob, deposit, "
      "patient_payments, lockbox...")
@_opt("--status", env="STATUS", default=None,
      help="imported, already_imported, partial, rejected, failed or received.")
@_opt("--from", "received_from", env="FROM", type=_DATE, default=None, metavar="DATE",
      help="Received on or after DATE (YYYY-MM-DD, UTC).")
@_opt("--to", "received_to", env="TO", type=_DATE, default=None, metavar="DATE",
      help="Received on or before DATE.")
@_opt("--page", env="PAGE", type=click.IntRange(min=1), default=1, show_default=True,
      help="The page, newest files first.")
@_opt("--per-page", env="PER_PAGE", type=click.IntRange(1, 200), default=50,
      show_default=True, help="Files a page.")
@format_option()
@click.pass_obj
def list_command(app: AppContext, kind: str | None, status: str | None, received_from: Any,
                 received_to: Any, page: int, per_page: int, output_format: str) -> None:
    """One row per received file, newest first: kind, name, SHA-256, when and by whom,
    status, the 999/TA1 sent back, its sets with their totals and balancing, problems."""
    query = edi_posting.ReceivedQuery(
        kind=kind, status=status,
        received_from=received_from.date() if received_from else None,
        received_to=received_to.date() if received_to else None, page=page, per_page=per_page)
    listed = app.call(edi_posting.list_received_files, app.session(), query,
                      errors={ValueError: ExitCode.USAGE})
    if output_format == "json":
        echo_json({"files": listed.rows, "total": listed.total, "page": listed.page,
                   "pages": listed.pages})
        return
    render_rows([_flat(row) for row in listed.rows], LIST_COLUMNS, output_format)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A file's row as one line: its acks, sets' totals and balancing joined."""
    sets = row["sets"]
    return row | {
        "acks": "; ".join(f"{a['kind']} {a['result']}" for a in row["acks"]),
        "sets": len(sets),
        "totals": "; ".join(s["total"] for s in sets if s["total"] is not None),
        "balancing": "; ".join(s["balancing"] for s in sets if s["balancing"])}


@command.command("show", epilog="\b\nExample:\n  edi-posting files show 3\n"
                 "  edi-posting files show 3 --format json")
@click.argument("file_id", metavar="ID", type=int)
@format_option(("table", "json"))
@click.pass_obj
def show_command(app: AppContext, file_id: int, output_format: str) -> None:
    """One received file: its sets, every problem with its segment (or row) and element,
    the 999/TA1, and the remittances, claims and review items it led to."""
    detail = app.call(edi_posting.show_received_file, app.session(), file_id,
                      errors={edi_posting.NotFoundError: ExitCode.NO_INPUT})
    if output_format == "json":
        echo_json(detail)
        return
    acks = "; ".join(f"{a['kind']} {a['result']}" for a in detail["acks"]) or "none"
    click.echo(f"File {detail['id']}: {detail['file_name']} ({detail['kind']}), "
               f"{detail['status']}, received {detail['received_at']} by "
               f"{detail['received_by']}, sha256 {detail['sha256']}, 999/TA1: {acks}")
    problems = [p | {"where": _where(p)} for p in detail["problem_list"]]
    for title, rows, columns in (("Transaction sets", detail["sets"], _SET_COLUMNS),
                                 ("Problems", problems, _PROBLEM_COLUMNS),
                                 ("Remittances", detail["remittances"], _REMIT_COLUMNS),
                                 ("Claims", detail["claims"], _CLAIM_COLUMNS),
                                 ("Review items opened", detail["review_items"],
                                  _ITEM_COLUMNS)):
        click.echo(f"\n{title}:")
        if rows:
            render_rows(rows, columns, "table")
        else:
            click.echo("(none)")


def _where(problem: dict[str, Any]) -> str:
    if problem.get("row"):
        return f"row {problem['row']}"
    position = problem.get("segment_position")
    return f"segment {position}" if position else ""
