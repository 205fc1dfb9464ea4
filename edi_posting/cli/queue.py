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

_LIST_COLUMNS = ["id", "kind", "status", "amount", "at_risk", "payer",
                 "patient_control_number", "age_days", "due_date", "assignee", "message"]
# an unknown --kind or --status exits 2 naming the valid values (not an empty queue)
_KINDS = click.Choice([str(k) for k in edi_posting.ReviewKind])
_STATUSES = click.Choice([str(s) for s in edi_posting.ReviewStatus])


@click.group("queue", epilog="\b\nExample:\n  edi-posting queue list --kind denial --sort amount")
def command() -> None:
    """Work what the engine could not post safely."""


def _opt(name: str, env: str, *dest: str, **kwargs: Any) -> Callable[[Any], Any]:
    return click.option(name, *dest, envvar=f"EDI_POSTING_QUEUE_{env}", show_envvar=True,
                        **kwargs)


@command.command("list", epilog="\b\nExample:\n  edi-posting queue list --older-than 30 --format csv\n  edi-posting queue list --kind denial --sort amount --min-amount 500\n  edi-posting queue list --due overdue")
@_opt("--kind", "KIND", type=_KINDS, default=None, help="The kind of item.")
@_opt("--status", "STATUS", type=_STATUSES, default=None,
      help="Default: open, in_progress and escalated.")
@_opt("--payer", "PAYER", default=None, metavar="ID|NAME",
      help="The payer's identifier, or part of its name.")
@_opt("--assignee", "ASSIGNEE", default=None)
@_opt("--older-than", "OLDER_THAN", type=int, default=None, metavar="DAYS",
      help="Age counted from the payment date (a denial: the claim's service date; no "
           "payment: the day the item opened).")
@_opt("--min-amount", "MIN_AMOUNT", default=None, metavar="AMOUNT",
      help="At least this much at risk (a denial: the claim's open balance with its payer).")
@_opt("--claim", "CLAIM", default=None, metavar="PCN")
@_opt("--sort", "SORT", type=click.Choice(["age", "amount"]), default="age", show_default=True,
      help="Oldest first, or most at risk first.")
@_opt("--due", "DUE", type=click.Choice(["today", "overdue"]), default=None,
      help="Items whose follow-up date is today, or has passed.")
@_opt("--limit", "LIMIT", type=click.IntRange(min=1), default=None, metavar="N",
      help="At most N items (the first N of the sort order).")
@format_option()
@click.pass_obj
def list_command(app: AppContext, kind: str | None, status: str | None, payer: str | None,
                 assignee: str | None, older_than: int | None, min_amount: str | None,
                 claim: str | None, sort: str, limit: int | None, due: str | None,
                 output_format: str) -> None:
    """List review items (oldest first, or most at risk first)."""
    from edi_posting.money import AmountError, parse_amount, to_cents

    try:
        minimum = to_cents(parse_amount(min_amount)) if min_amount else None
    except AmountError as exc:
        raise CliError(f"--min-amount: {exc}", ExitCode.USAGE) from None
    rows = app.call(edi_posting.list_queue, app.session(), kind=kind, status=status,
                    payer=payer, assignee=assignee, older_than_days=older_than,
                    min_amount_cents=minimum, claim=claim, sort=sort, limit=limit, due=due)
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


_ERRORS: dict[type[Exception], ExitCode] = {edi_posting.ActionError: ExitCode.DATA_ERROR}


def _act(app: AppContext, item_id: int, action: str, function: Callable[..., None],
         *args: Any) -> None:
    """One non-money action through the API; an action that does not fit the item exits 65."""
    app.call(function, app.session(), item_id, *args,
             errors={edi_posting.ActionError: ExitCode.DATA_ERROR})
    echo_err(f"review item {item_id}: {action} done")


def bulk_filter_options(function: Any) -> Any:
    """The filters of a bulk action (``queue assign|escalate|write-off`` without an id), the
    same as `queue list`'s; their twins are ``EDI_POSTING_QUEUE_BULK_*`` so a list filter
    set in the environment never turns a one-item action into a bulk one."""
    options: tuple[tuple[str, str, dict[str, Any]], ...] = (
        ("--kind", "KIND", {"type": _KINDS}),
        ("--payer", "PAYER", {"metavar": "ID|NAME",
                              "help": "The payer's identifier, or part of its name."}),
        ("--status", "STATUS", {"type": _STATUSES}),
        ("--assignee", "ASSIGNEE", {"metavar": "USER"}),
        ("--older-than", "OLDER_THAN", {"type": int, "metavar": "DAYS"}),
        ("--min-amount", "MIN_AMOUNT", {"metavar": "AMOUNT"}),
        ("--claim", "CLAIM", {"metavar": "PCN"}),
        ("--due", "DUE", {"type": click.Choice(["today", "overdue"])}),
        ("--carc", "CARC", {"metavar": "GROUP-CARC",
                            "help": "Items whose 835 names it (CO-45; 45: any group)."}))
    for decls, env, extra in reversed(options):
        extra.setdefault("help", "Bulk: as for `queue list`.")
        dest = decls.lstrip("-").replace("-", "_")  # --assignee: not the ASSIGNEE argument
        function = _opt(decls, f"BULK_{env}", "filter_" + dest, default=None, **extra)(function)
    return function


_FILTER_KEYS = ("kind", "payer", "status", "assignee", "older_than", "min_amount", "claim",
                "due", "carc")


def item_filter(item_id: int | None, given: dict[str, Any]) -> Any:
    """The bulk filter (an ``edi_posting.ItemFilter``), or None for the one-item form;
    exit 2 for an id with a filter, or neither."""
    from edi_posting.money import AmountError, parse_amount, to_cents

    named = {k: given.pop(f"filter_{k}") for k in _FILTER_KEYS}
    if item_id is not None:
        if any(v is not None for v in named.values()):
            raise CliError("give an item id or a filter, not both", ExitCode.USAGE)
        return None
    if all(v is None for v in named.values()):
        raise CliError("give an item id, or a filter (--kind, --payer, --carc ...): a bulk "
                       "action never takes the whole queue", ExitCode.USAGE)
    try:
        minimum = to_cents(parse_amount(named["min_amount"])) if named["min_amount"] else None
    except AmountError as exc:
        raise CliError(f"--min-amount: {exc}", ExitCode.USAGE) from None
    return edi_posting.ItemFilter(
        kind=named["kind"], payer=named["payer"], status=named["status"],
        assignee=named["assignee"], older_than_days=named["older_than"],
        min_amount_cents=minimum, claim=named["claim"], due=named["due"], carc=named["carc"])


def report_bulk(action: str, report: Any, done: str) -> None:
    """One line per item on stdout (a refusal on stderr), the count on stderr; exit 65
    when any item was refused (the others are committed)."""
    for outcome in report.outcomes:
        if outcome.refused:
            echo_err(f"edi-posting: review item {outcome.item_id}: {outcome.message}")
        else:
            click.echo(outcome.message)
    summary = f"{action}: {report.done} item(s) {done}"
    if report.waiting:
        summary += f", {report.waiting} wait(s) for approval"
    if report.refused:
        raise CliError(f"{summary}, {report.refused} refused", ExitCode.DATA_ERROR)
    echo_err(summary)


@command.command("assign", epilog="\b\nExample:\n  edi-posting queue assign 12 sam\n  edi-posting queue assign --kind denial --payer 59200 --to sam")
@click.argument("item_id", type=int, required=False)
@click.argument("assignee", required=False)
@_opt("--to", "ASSIGN_TO", default=None, metavar="USER", help="Who (instead of ASSIGNEE).")
@bulk_filter_options
@click.pass_obj
def assign_command(app: AppContext, /, item_id: int | None, assignee: str | None, to: str | None,
                   **filters: Any) -> None:
    """Assign an item to a person (it becomes in_progress); without an ID, every open item
    the filter selects, reported item by item."""
    flt, who = item_filter(item_id, filters), assignee or to
    if who is None:
        raise CliError("name who: ASSIGNEE or --to", ExitCode.USAGE)
    if flt is None:
        _act(app, int(item_id or 0), "assign", edi_posting.assign_item, who)
        return
    report_bulk("assign", app.call(edi_posting.assign_items, app.session(), flt, who,
                                   errors=_ERRORS), "done")


@command.command("note", epilog="\b\nExample:\n  edi-posting queue note 12 'called payer, ref 4471'")
@click.argument("item_id", type=int)
@click.argument("text")
@click.pass_obj
def note_command(app: AppContext, item_id: int, text: str) -> None:
    """Add a note to an item's history."""
    _act(app, item_id, "note", edi_posting.note_item, text)


@command.command("escalate", epilog="\b\nExample:\n  edi-posting queue escalate 12 --to admin --note 'payer refuses'\n  edi-posting queue escalate --kind unmatched_payment --older-than 60 --to lead --note 'aged'")
@click.argument("item_id", type=int, required=False)
@_opt("--to", "TO", required=True, help="An active user, or a role (poster, specialist, lead, auditor, admin).")
@_opt("--note", "NOTE", required=True, help="Why (mandatory).")
@bulk_filter_options
@click.pass_obj
def escalate_command(app: AppContext, /, item_id: int | None, to: str, note: str,
                     **filters: Any) -> None:
    """Escalate an item to a role or a person, with a note saying why; without an ID,
    every open item the filter selects, reported item by item."""
    flt = item_filter(item_id, filters)
    if flt is None:
        _act(app, int(item_id or 0), "escalate", edi_posting.escalate_item, to, note)
        return
    report_bulk("escalate", app.call(edi_posting.escalate_items, app.session(), flt, to, note,
                                     errors=_ERRORS), "done")


@command.command("dismiss", epilog="\b\nExample:\n  edi-posting queue dismiss 12 --reason 'duplicate of 9'")
@click.argument("item_id", type=int)
@_opt("--reason", "REASON", required=True)
@click.pass_obj
def dismiss_command(app: AppContext, item_id: int, reason: str) -> None:
    """Dismiss an item that holds no money, with a reason."""
    _act(app, item_id, "dismiss", edi_posting.dismiss_item, reason)


# The money-moving actions live in their own module and register on this group.
from edi_posting.cli import queue_approvals as _queue_approvals  # noqa: F401
from edi_posting.cli import queue_followup as _queue_followup  # noqa: F401
from edi_posting.cli import queue_money as _queue_money  # noqa: F401
