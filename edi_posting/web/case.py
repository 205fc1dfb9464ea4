"""The case screen: everything ``queue show`` shows, the history, and a form for each
action the user's role allows; a money action is previewed (its dry run) before it posts.

The preview hands out a one-time token kept on the server with the action as previewed
(:mod:`edi_posting.web.logins`); posting spends it, so a double click, a refresh or a
replayed form posts nothing a second time and shows what the first post did.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

import edi_posting
from edi_posting.web import actions
from edi_posting.web.auth import api_session, current_login, registry
from edi_posting.web.logins import PendingAction

__all__ = ["blueprint"]

blueprint = Blueprint("case", __name__)


@blueprint.route("/case/<int:item_id>")
def case(item_id: int) -> Any:
    """The item as ``queue show`` reads it (the API audits the PHI read)."""
    detail = edi_posting.show_queue_item(api_session(), item_id)
    may_resolve = current_login().may("resolve")
    forms = actions.action_forms(detail["case"]["actions"]) if may_resolve else []
    return render_template("case.html", item=detail, case=detail["case"], forms=forms,
                           may_resolve=may_resolve)


@blueprint.route("/case/<int:item_id>/preview", methods=["POST"])
def preview(item_id: int) -> Any:
    """What the action would do (money: the entries its dry run would post), and the
    button that posts it, carrying the action's one-time token."""
    action = actions.pending_action(item_id, request.form.get("verb", ""), request.form)
    session = api_session()
    try:
        rehearsal = actions.run(session, action, dry_run=True) if _moves_money(action) \
            else None
    except edi_posting.ConfirmationNeeded as exc:
        return render_template("preview.html", action=action, error=str(exc)), 409
    if not _moves_money(action):  # no dry run: the API checks the permission on posting
        session.authorize(edi_posting.Permission.RESOLVE, f"queue.{action.verb}",
                          str(item_id))
    token = registry().issue(current_login(), action)
    return render_template("preview.html", action=action, lines=_said(rehearsal),
                           token=token)


@blueprint.route("/case/<int:item_id>/post", methods=["POST"])
def post(item_id: int) -> Any:
    """Post the previewed action once; the same token again shows the first result."""
    token = request.form.get("token", "")
    login = registry()
    action = login.spend(current_login(), token, PendingAction)
    if action is None or action.item_id != item_id:
        return render_template("posted.html", item_id=item_id, repeated=True,
                               lines=[login.repeated(current_login(), token, "This action")])
    result = actions.run(api_session(), action, dry_run=False)
    lines = _said(result) or [_done(action)]
    login.record(current_login(), token, lines[0])
    return render_template("posted.html", item_id=item_id, lines=lines, repeated=False)


def _done(action: PendingAction) -> str:
    """What an action that returns nothing did, in the CLI's words, with what was asked."""
    asked = ", ".join(f"{name}: {value}" for name, value in action.fields)
    return f"review item {action.item_id}: {action.verb} done" + (f" ({asked})" if asked else "")


def _moves_money(action: PendingAction) -> bool:
    return actions.VERBS[action.verb][0]


def _said(result: Any) -> list[str]:
    """The lines an API result says, as the CLI prints them."""
    if result is None:
        return []
    if isinstance(result, edi_posting.RematchReport):
        return [o.result.message if o.result else f"review item {o.item_id}: {o.refused}"
                for o in result.outcomes] + [
            line for o in result.outcomes if o.result and o.result.plan
            for line in o.result.plan.describe()]
    lines = [str(result.message)]
    if result.plan is not None:
        lines += result.plan.describe()
    return lines
