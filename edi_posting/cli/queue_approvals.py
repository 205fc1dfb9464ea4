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

from edi_posting.cli.common import CliError, format_option, render_rows
from edi_posting.cli.context import AppContext
from edi_posting.cli.queue import command
from edi_posting.exit_codes import ExitCode
from edi_posting.records.states import AuditOutcome

__all__ = ["command"]

T = TypeVar("T")
_COLUMNS = ["id", "item_id", "action", "amount", "reason", "requested_by", "requested_at",
            "status", "decided_by", "decision_note", "entry_id"]


def _decide(app: AppContext, action: str, approval_id: int, work: Callable[[Any], T]) -> T:
    """``approve`` checked first (exit 77), then ``work`` in one write transaction."""
    from edi_posting.access.permissions import Permission, PermissionDeniedError
    from edi_posting.audit.writes import write_transaction
    from edi_posting.review.actions import ActionError

    app.authorize(Permission.APPROVE, f"queue.{action}", str(approval_id))
    try:
        with write_transaction(app.engine()) as conn:
            return work(conn)
    except ActionError as exc:
        raise CliError(str(exc), ExitCode.DATA_ERROR) from None
    except PermissionDeniedError as exc:  # one's own request: the refusal stays on record
        app.audit(f"queue.{action}", role=None, object_type="approval",
                  object_id=str(approval_id), outcome=AuditOutcome.REFUSED, summary={"reason": str(exc)})
        raise CliError(str(exc), ExitCode.NO_PERMISSION) from None


@command.command("approvals", epilog="\b\nExample:\n  edi-posting queue approvals\n  edi-posting queue approvals --status all --format csv")
@click.option("--status", envvar="EDI_POSTING_QUEUE_APPROVAL_STATUS", show_envvar=True,
              type=click.Choice(["pending", "approved", "rejected", "all"]), default="pending",
              show_default=True)
@format_option()
@click.pass_obj
def approvals_command(app: AppContext, status: str, output_format: str) -> None:
    """List approvals: write-offs and refunds waiting for a second person (or decided)."""
    from edi_posting.access.permissions import Permission
    from edi_posting.review.approvals import list_approvals

    app.authorize(Permission.READ_LEDGER, "queue.approvals")
    with app.engine().connect() as conn:
        rows = list_approvals(conn, None if status == "all" else status)
    render_rows(rows, _COLUMNS, output_format)


@command.command("approve", epilog="\b\nExample:\n  edi-posting queue approve 3 --note 'checked with the payer'")
@click.argument("approval_id", type=int)
@click.option("--note", envvar="EDI_POSTING_QUEUE_NOTE", show_envvar=True, default=None,
              help="Optional: why it is approved.")
@click.pass_obj
def approve_command(app: AppContext, approval_id: int, note: str | None) -> None:
    """Approve another user's pending write-off or refund: it posts now, as you (approve
    permission; never your own request)."""
    from edi_posting.review.approvals import approve

    result = _decide(app, "approve", approval_id,
                     lambda c: approve(c, approval_id, actor=app.actor, note=note))
    click.echo(result.message)


@command.command("reject-approval", epilog="\b\nExample:\n  edi-posting queue reject-approval 3 --note 'payer recoups it by PLB'")
@click.argument("approval_id", type=int)
@click.option("--note", envvar="EDI_POSTING_QUEUE_NOTE", show_envvar=True, required=True,
              help="Why (mandatory).")
@click.pass_obj
def reject_command(app: AppContext, approval_id: int, note: str) -> None:
    """Reject a pending write-off or refund: nothing posts, the note says why."""
    from edi_posting.review.approvals import reject_approval

    click.echo(_decide(app, "reject-approval", approval_id,
                       lambda c: reject_approval(c, approval_id, note, actor=app.actor)))


@command.command("refund-limit", epilog="\b\nExample:\n  edi-posting queue refund-limit 500.00")
@click.argument("amount", required=False)
@click.pass_obj
def refund_limit_command(app: AppContext, amount: str | None) -> None:
    """Show the refund limit, or set it (administer).  Refunds above it wait for approval
    (default 0.00: every refund)."""
    from edi_posting.cli.queue_money import show_or_set_limit
    from edi_posting.review.limits import refund_limit_cents, set_refund_limit

    show_or_set_limit(app, amount, "queue.refund-limit", refund_limit_cents, set_refund_limit)
