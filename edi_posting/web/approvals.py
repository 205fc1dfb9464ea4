"""The approvals screen: refunds and write-offs above their limits waiting for a second
person, with Approve (previewed by a rehearsal, posted once by a one-time token) and
Reject (with a note, nothing posts).

The rules stay in the API: who may decide (``approve``, never one's own request: a 403
with the engine's message), what approving posts (the pending action, at the balances of
that moment), and the audit of each decision and refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request

import edi_posting
from edi_posting.web.auth import api_session, current_login, registry

__all__ = ["ApprovalDecision", "blueprint"]

blueprint = Blueprint("approvals", __name__)


@dataclass(frozen=True, slots=True)
class ApprovalDecision:
    """An approval a person previewed, with the note they gave: what the token posts."""

    approval_id: int
    note: str | None


@blueprint.route("/approvals")
def approvals() -> Any:
    """What waits for the current user, and their own requests waiting for others."""
    waiting = edi_posting.approvals_waiting(api_session())
    return render_template("approvals.html", waiting=waiting,
                           may_approve=current_login().may("approve"))


@blueprint.route("/approvals/count")
def count() -> Any:
    """The nav's badge (an HTMX fragment): how many approvals wait for this user."""
    if not current_login().may("approve"):
        return ""
    waiting = edi_posting.count_approvals_waiting(api_session())
    return (f'<span class="badge waiting" id="approvals-badge" data-test="approvals-badge">'
            f'{waiting}</span>' if waiting else "")


@blueprint.route("/approvals/<int:approval_id>/preview", methods=["POST"])
def preview(approval_id: int) -> Any:
    """What approving would post (its rehearsal), and the button that posts it once."""
    note = request.form.get("note", "").strip() or None
    rehearsal = edi_posting.rehearse_approval(api_session(), approval_id, note=note)
    action = ApprovalDecision(approval_id, note)
    token = registry().issue(current_login(), action)
    lines = [rehearsal.message] + (rehearsal.plan.describe() if rehearsal.plan else [])
    return render_template("approvals.html", preview=action, lines=lines, token=token)


@blueprint.route("/approvals/post", methods=["POST"])
def post() -> Any:
    """Approve what was previewed, once; the same token again shows the first result."""
    token = request.form.get("token", "")
    action = registry().spend(current_login(), token, ApprovalDecision)
    if action is None:
        message = registry().repeated(current_login(), token, "This approval")
        return render_template("approvals.html", done=[message], repeated=True)
    result = edi_posting.approve(api_session(), action.approval_id, note=action.note)
    registry().record(current_login(), token, result.message)
    return render_template("approvals.html", done=[result.message], repeated=False)


@blueprint.route("/approvals/<int:approval_id>/reject", methods=["POST"])
def reject(approval_id: int) -> Any:
    """Reject with a note saying why (required); nothing posts."""
    note = request.form.get("note", "").strip()
    if not note:
        abort(400, "rejecting needs a note saying why")
    said = edi_posting.reject_approval(api_session(), approval_id, note)
    return render_template("approvals.html", done=[said], repeated=False)
