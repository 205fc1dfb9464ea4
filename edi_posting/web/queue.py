"""The work queue screen: filters, search, sort, pages, "my items" and bulk assign.

Filters are checked against the engine's own words (``ReviewKind``, ``ReviewStatus``):
a mistyped value is an error (400), never an empty page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

import edi_posting
from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.web.auth import api_session, current_login
from edi_posting.web.params import whole_number

__all__ = ["blueprint"]

blueprint = Blueprint("queue", __name__)

SEARCH_BY = {"pcn": "PCN", "patient": "Patient (LAST or LAST, FIRST)",
             "member_id": "Member ID", "payer_claim_number": "Payer claim number"}
DUE = ("today", "overdue")


@blueprint.route("/")
def home() -> Any:
    return redirect(url_for("queue.work_queue"))


@blueprint.route("/queue")
def work_queue() -> Any:
    """One page of the queue, filtered, searched and sorted as the query string says."""
    args = request.args
    session = api_session()
    query = _query(args, session)
    page = edi_posting.queue_page(session, query) if query is not None else None
    return render_template(
        "queue.html", page=page, args=args, kinds=list(edi_posting.ReviewKind),
        statuses=list(edi_posting.ReviewStatus), sorts=list(edi_posting.QueuePageSort),
        search_by=SEARCH_BY, due_values=DUE, may_resolve=current_login().may("resolve"),
        page_url=lambda n, after=None: _page_url(args, n, after))


def _page_url(args: MultiDict[str, str], page: int, after: str | None) -> str:
    """The next page by its cursor (keyset), any other by its number."""
    values: dict[str, Any] = {k: v for k, v in args.to_dict().items() if k != "after"}
    values |= {"page": page} | ({"after": after} if after else {})
    return url_for("queue.work_queue", **values)


@blueprint.route("/queue/assign", methods=["POST"])
def bulk_assign() -> Any:
    """Assign every ticked item to one person (each item's assignment is its own call)."""
    assignee = request.form.get("assignee", "").strip() or current_login().user
    ids = [whole_number(v, "item") for v in request.form.getlist("item")]
    if not ids:
        abort(400, "tick at least one item")
    session = api_session()
    for item_id in ids:
        edi_posting.assign_item(session, item_id, assignee)
    return redirect(request.form.get("back") or url_for("queue.work_queue"))


def _query(args: MultiDict[str, str], session: edi_posting.Session
           ) -> edi_posting.QueuePageQuery | None:
    """The page's query; None when a search found no claim at all."""
    _check(args.get("kind"), [str(k) for k in edi_posting.ReviewKind], "kind")
    _check(args.get("status"), [str(s) for s in edi_posting.ReviewStatus], "status")
    _check(args.get("due"), list(DUE), "due")
    _check(args.get("sort"), [str(s) for s in edi_posting.QueuePageSort], "sort")
    pcn, claim_ids = _search(args, session)
    if claim_ids == []:
        return None
    per_page = current_app.extensions["edi_posting.settings"].per_page
    assignee = current_login().user if args.get("mine") else args.get("assignee") or None
    return edi_posting.QueuePageQuery(
        kind=args.get("kind") or None, status=args.get("status") or None,
        payer=args.get("payer") or None, assignee=assignee,
        older_than_days=whole_number(args.get("age"), "age") if args.get("age") else None,
        min_amount_cents=_cents(args.get("amount")), claim=pcn, claim_ids=claim_ids,
        due=args.get("due") or None, sort=args.get("sort") or "age",
        page=whole_number(args.get("page", "1"), "page"), per_page=per_page,
        after=args.get("after") or None)


def _search(args: MultiDict[str, str], session: edi_posting.Session
            ) -> tuple[str | None, list[int] | None]:
    """(a PCN, or the ids of the claims ``claim find`` finds for the search)."""
    text, by = (args.get("q") or "").strip(), args.get("by") or "pcn"
    _check(by, list(SEARCH_BY), "search by")
    if not text:
        return None, None
    if by == "pcn":
        return text, None
    search: dict[str, Any] = {"name" if by == "patient" else by: text}
    found = edi_posting.find_claims(session, **search)
    return None, sorted({int(row["claim_id"]) for row in found})


def _check(value: str | None, allowed: list[str], what: str) -> None:
    if value and value not in allowed:
        abort(400, f"{what} {value!r}: one of {', '.join(allowed)}")



def _cents(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return to_cents(parse_amount(value))
    except AmountError:
        abort(400, f"amount: {value!r} is not an amount")
