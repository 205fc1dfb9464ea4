"""`edi-posting queue approvals|approve|reject-approval|refund-limit`: the second person's
commands, registered on the `queue` group of :mod:`edi_posting.cli.queue`.

A write-off past the write-off limit (cumulative per claim) or a refund above the refund
limit waits as a pending approval; a different user holding ``approve`` decides it.  The
requester deciding their own request exits 77, like any missing permission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

import edi_posting
from edi_posting.cli.common import format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.cli.queue import command
from edi_posting.exit_codes import ExitCode

__all__ = ["command"]

T = TypeVar("T")
_COLUMNS = ["id", "item_id", "action", "amount", "reason", "requested_by", "requested_at",
            "status", "decided_by", "decision_note", "entry_id"]


def _decide(app: AppContext, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A decision through the API: not ``approve``, or one's own request, exits 77 (the
    refusal audited); an approval that cannot be decided (decided already) exits 65."""
    return app.call(function, app.session(), *args,
                    errors={edi_posting.ActionError: ExitCode.DATA_ERROR}, **kwargs)


@command.command("approvals", epilog="\b\nExample:\n  edi-posting queue approvals\n  edi-posting queue approvals --status all --format csv")
@click.option("--status", envvar="EDI_POSTING_QUEUE_APPROVAL_STATUS", show_envvar=True,
              type=click.Choice(["pending", "approved", "rejected", "all"]), default="pending",
              show_default=True)
@format_option()
@click.pass_obj
def approvals_command(app: AppContext, status: str, output_format: str) -> None:
    """List approvals: write-offs and refunds waiting for a second person (or decided)."""
    rows = app.call(edi_posting.list_approvals, app.session(),
                    None if status == "all" else status)
    render_rows(rows, _COLUMNS, output_format)


@command.command("approve", epilog="\b\nExample:\n  edi-posting queue approve 3 --note 'checked with the payer'")
@click.argument("approval_id", type=int)
@click.option("--note", envvar="EDI_POSTING_QUEUE_NOTE", show_envvar=True, default=None,
              help="Optional: why it is approved.")
@click.pass_obj
def approve_command(app: AppContext, approval_id: int, note: str | None) -> None:
    """Approve another user's pending write-off or refund: it posts now, as you (approve
    permission; never your own request)."""
    result = _decide(app, edi_posting.approve, approval_id, note=note)
    click.echo(result.message)


@command.command("reject-approval", epilog="\b\nExample:\n  edi-posting queue reject-approval 3 --note 'payer recoups it by PLB'")
@click.argument("approval_id", type=int)
@click.option("--note", envvar="EDI_POSTING_QUEUE_NOTE", show_envvar=True, required=True,
              help="Why (mandatory).")
@click.pass_obj
def reject_command(app: AppContext, approval_id: int, note: str) -> None:
    """Reject a pending write-off or refund: nothing posts, the note says why."""
    click.echo(_decide(app, edi_posting.reject_approval, approval_id, note))


@command.command("refund-limit", epilog="\b\nExample:\n  edi-posting queue refund-limit 500.00")
@click.argument("amount", required=False)
@click.pass_obj
def refund_limit_command(app: AppContext, amount: str | None) -> None:
    """Show the refund limit, or set it (administer).  Refunds above it wait for approval
    (default 0.00: every refund)."""
    from edi_posting.cli.queue_money import show_or_set_limit

    show_or_set_limit(app, amount, edi_posting.refund_limit, edi_posting.set_refund_limit)
