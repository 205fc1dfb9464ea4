"""What each action of a case would post, shown before the specialist chooses one.

"Every action: a preview of the entries it will post" (the specialists' view, issue 23):
the case view lists the commands that finish an item, and under each one what it would
post.  The entries are not computed a second way: each action runs for real (the same
checks, entries and queue follow-ups as the command) inside a SAVEPOINT that is rolled
back at once, and :func:`edi_posting.review.dry_run.plan_of` reads what it wrote just
before.  One rollback per action keeps the view fast for one item.  The caller's
transaction must itself be rolled back (the public API's ``show_queue_item`` does), so
nothing a preview wrote, not even an audit event, outlives the view.

One that would post nothing says why (it waits for a second person's approval, matching
still finds no safe claim...).  An action that needs a choice the view cannot make (which
claim, which payer) says what it needs; one the item would refuse now says why (its exit 65 message); one that moves no
money (a note, an escalation) posts nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from edi_posting.access.permissions import PermissionDeniedError, Principal
from edi_posting.money import format_cents
from edi_posting.reports.case_actions import FinishingAction
from edi_posting.review import dry_run
from edi_posting.review.actions import ActionError
from edi_posting.review.reason_codes import ReasonError

__all__ = ["action_rows"]

_NOTHING = "posts nothing"


def action_rows(conn: Connection, actions: list[FinishingAction],
                principal: Principal | None) -> list[dict[str, Any]]:
    """Each action as the case shows it: ``command``, ``does``, ``would`` (the lines the
    text view prints under it), ``entries`` (each ``kind``, ``reverses_entry_id`` and
    ``lines`` of ``account`` and signed ``amount``), ``item_after`` (``status``,
    ``amount``), ``opens`` (items it would open), ``needs`` and ``refused``.  Without a
    ``principal`` (the evidence packet) nothing is rehearsed."""
    return [_row(conn, action, principal) for action in actions]


def _row(conn: Connection, action: FinishingAction,
         principal: Principal | None) -> dict[str, Any]:
    row: dict[str, Any] = {"command": action.command, "does": action.does, "would": [],
                           "entries": [], "item_after": None, "opens": [], "needs": None,
                           "refused": None}
    if action.preview is None:
        row["would"] = [_NOTHING]
    elif isinstance(action.preview, str):
        row["needs"] = action.preview
        row["would"] = [f"needs {action.preview}"]
    elif principal is not None:
        row.update(_rehearsed(conn, action, principal))
    return row


def _rehearsed(conn: Connection, action: FinishingAction,
               principal: Principal) -> dict[str, Any]:
    """Run the action in a savepoint, read its plan, roll the savepoint back."""
    assert callable(action.preview)
    savepoint = conn.begin_nested()
    try:
        since = (dry_run.last_entry_id(conn), dry_run.last_item_id(conn))
        result = action.preview(conn, principal)
        plan = dry_run.plan_of(conn, result.item_id, since)
    except (ActionError, ReasonError, PermissionDeniedError) as refusal:
        return {"refused": str(refusal), "would": [f"refused now: {refusal}"]}
    finally:
        savepoint.rollback()
    would = plan.describe()
    if not plan.entries:  # why nothing: waits for approval, no safe match, nothing to move
        said = result.message.removeprefix(f"review item {result.item_id}: ")
        would[0] = f"would post nothing: {said}"
    return {"would": would, "entries": [_entry(e) for e in plan.entries],
            "item_after": {"status": plan.item_status,
                           "amount": format_cents(plan.item_amount_cents)},
            "opens": [{"kind": kind, "amount": format_cents(cents)}
                      for kind, cents in plan.opened]}


def _entry(entry: dry_run.PlannedEntry) -> dict[str, Any]:
    return {"kind": entry.kind, "reverses_entry_id": entry.reverses_entry_id,
            "lines": [{"account": account, "amount": format_cents(cents)}
                      for account, cents in entry.lines]}
