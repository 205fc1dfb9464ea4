"""`edi-posting queue`: the review queue — list, show, stats, and the specialist's actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

import edi_posting
from edi_posting.cli.case_text import case_lines
from edi_posting.cli.common import CliError, echo_err, echo_json, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

_LIST_COLUMNS = ["id", "kind", "status", "amount", "payer", "patient_control_number",
                 "age_days", "assignee", "message"]


@click.group("queue", epilog="\b\nExample:\n  edi-posting queue list --kind denial --sort amount")
def command() -> None:
    """Work what the engine could not post safely."""


def _opt(name: str, env: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(name, envvar=f"EDI_POSTING_QUEUE_{env}", show_envvar=True, **kwargs)


@command.command("list", epilog="\b\nExample:\n  edi-posting queue list --older-than 30 --format csv")
@_opt("--kind", "KIND", default=None, help="unmatched_payment, denial, credit_balance, ...")
@_opt("--status", "STATUS", default=None, help="Default: open, in_progress and escalated.")
@_opt("--payer", "PAYER", default=None, help="Part of the payer's name.")
@_opt("--assignee", "ASSIGNEE", default=None)
@_opt("--older-than", "OLDER_THAN", type=int, default=None, metavar="DAYS")
@_opt("--min-amount", "MIN_AMOUNT", default=None, metavar="AMOUNT")
@_opt("--claim", "CLAIM", default=None, metavar="PCN")
@_opt("--sort", "SORT", type=click.Choice(["age", "amount"]), default="age", show_default=True)
@_opt("--limit", "LIMIT", type=click.IntRange(min=1), default=None, metavar="N",
      help="At most N items (the first N of the sort order).")
@format_option()
@click.pass_obj
def list_command(app: AppContext, kind: str | None, status: str | None, payer: str | None,
                 assignee: str | None, older_than: int | None, min_amount: str | None,
                 claim: str | None, sort: str, limit: int | None, output_format: str) -> None:
    """List review items (oldest first, or largest amount first)."""
    from edi_posting.money import AmountError, parse_amount, to_cents

    try:
        minimum = to_cents(parse_amount(min_amount)) if min_amount else None
    except AmountError as exc:
        raise CliError(f"--min-amount: {exc}", ExitCode.USAGE) from None
    rows = app.call(edi_posting.list_queue, app.session(), kind=kind, status=status,
                    payer=payer, assignee=assignee, older_than_days=older_than,
                    min_amount_cents=minimum, claim=claim, sort=sort, limit=limit)
    render_rows(rows, _LIST_COLUMNS, output_format)


@command.command("show", epilog="\b\nExample:\n  edi-posting queue show 12\n"
                 "  edi-posting --mask-phi queue show 12 --format json")
@click.argument("item_id", type=int)
@format_option(("table", "json"))
@click.pass_obj
def show_command(app: AppContext, item_id: int, output_format: str) -> None:
    """One item and what decides it: its money; for a payment the 835's own facts and the
    candidates by PCN; per kind the denial codes described, the balancing difference, the
    original and correction of a reversal, the PLB, the credit; the commands that finish it;
    the raw X12 segments as sent; its codes and history.  Exit 66: no such item; 65: its
    archived file fails its SHA-256."""
    detail = app.call(edi_posting.show_queue_item, app.session(), item_id,
                      errors={LookupError: ExitCode.NO_INPUT,
                              edi_posting.ArchiveIntegrityError: ExitCode.DATA_ERROR})
    if output_format == "json":
        echo_json(detail)
        return
    for line in case_lines(detail):
        click.echo(line)
    if detail["codes"]:
        click.echo("\ncodes:")
        render_rows(detail["codes"], ["list", "code", "description"], "table")
    click.echo("\nevents:")
    render_rows(detail["events"], ["at", "actor", "action", "from_status", "to_status", "note"],
                "table")


@command.command("stats", epilog="\b\nExample:\n  edi-posting queue stats --format json")
@format_option()
@click.pass_obj
def stats_command(app: AppContext, output_format: str) -> None:
    """Counts and amounts by kind, status and age bucket (0-30, 31-60, 61-90, 90+ days)."""
    rows = app.call(edi_posting.queue_stats, app.session())
    render_rows(rows, ["kind", "status", "age_bucket", "count", "amount"], output_format)


def _act(app: AppContext, item_id: int, action: str, function: Callable[..., None],
         *args: Any) -> None:
    """One non-money action through the API; an action that does not fit the item exits 65."""
    app.call(function, app.session(), item_id, *args,
             errors={edi_posting.ActionError: ExitCode.DATA_ERROR})
    echo_err(f"review item {item_id}: {action} done")


@command.command("assign", epilog="\b\nExample:\n  edi-posting queue assign 12 sam")
@click.argument("item_id", type=int)
@click.argument("assignee")
@click.pass_obj
def assign_command(app: AppContext, item_id: int, assignee: str) -> None:
    """Assign an item to a person (it becomes in_progress)."""
    _act(app, item_id, "assign", edi_posting.assign_item, assignee)


@command.command("note", epilog="\b\nExample:\n  edi-posting queue note 12 'called payer, ref 4471'")
@click.argument("item_id", type=int)
@click.argument("text")
@click.pass_obj
def note_command(app: AppContext, item_id: int, text: str) -> None:
    """Add a note to an item's history."""
    _act(app, item_id, "note", edi_posting.note_item, text)


@command.command("escalate", epilog="\b\nExample:\n  edi-posting queue escalate 12 --to admin --note 'payer refuses'")
@click.argument("item_id", type=int)
@_opt("--to", "TO", required=True, help="An active user, or a role (poster, specialist, lead, auditor, admin).")
@_opt("--note", "NOTE", required=True, help="Why (mandatory).")
@click.pass_obj
def escalate_command(app: AppContext, item_id: int, to: str, note: str) -> None:
    """Escalate an item to a role or a person, with a note saying why."""
    _act(app, item_id, "escalate", edi_posting.escalate_item, to, note)


@command.command("dismiss", epilog="\b\nExample:\n  edi-posting queue dismiss 12 --reason 'duplicate of 9'")
@click.argument("item_id", type=int)
@_opt("--reason", "REASON", required=True)
@click.pass_obj
def dismiss_command(app: AppContext, item_id: int, reason: str) -> None:
    """Dismiss an item that holds no money, with a reason."""
    _act(app, item_id, "dismiss", edi_posting.dismiss_item, reason)


# The money-moving actions live in their own module and register on this group.
from edi_posting.cli import queue_approvals as _queue_approvals  # noqa: F401
from edi_posting.cli import queue_money as _queue_money  # noqa: F401
