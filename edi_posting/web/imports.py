"""The received files and remittances screens: every file received (835, 837, keyed EOB,
payment CSV, bank deposit) with what became of it, one file whole, the remittances (checks
and EFTs) and one of them whole with its way back to its file.

Each page is one public API call that authorises ``read_phi`` and audits the read
(``files.list``, ``files.show``, ``remit.list``, ``remit.show``).  Filters are checked by
the API against the engine's own words: a mistyped one is a 400 page, never an empty list.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

import edi_posting
from edi_posting.records.states import FileStatus
from edi_posting.web.auth import api_session, current_login
from edi_posting.web.params import day, whole_number

__all__ = ["blueprint"]

blueprint = Blueprint("imports", __name__)


@blueprint.route("/imports")
def received_files() -> Any:
    """One page of received files, newest first, filtered by kind, status and days."""
    args = request.args
    query = edi_posting.ReceivedQuery(
        kind=args.get("kind") or None, status=args.get("status") or None,
        received_from=day(args.get("from"), "from"), received_to=day(args.get("to"), "to"),
        page=whole_number(args.get("page", "1"), "page"), per_page=_per_page())
    page = edi_posting.list_received_files(api_session(), query)
    return render_template(
        "imports.html", page=page, args=args, kinds=edi_posting.RECEIVED_FILE_KINDS,
        statuses=[str(s) for s in FileStatus], may_import=current_login().may("import"),
        page_url=lambda n: _page_url("imports.received_files", args, n))


@blueprint.route("/imports/<int:file_id>")
def received_file(file_id: int) -> Any:
    """One file: sets, totals, balancing, problems, 999/TA1 and what it led to."""
    detail = edi_posting.show_received_file(api_session(), file_id)
    return render_template("received_file.html", file=detail)


@blueprint.route("/remittances")
def remittances() -> Any:
    """One page of remittances by payment date, filtered by payer and payment days.
    ``list_remittances`` has a limit and no offset: the page is the tail of the first
    ``page * per_page`` rows (one more tells whether a next page exists)."""
    args = request.args
    number, per_page = whole_number(args.get("page", "1"), "page"), _per_page()
    if number < 1:
        abort(400, "page: from 1")
    rows = edi_posting.list_remittances(
        api_session(), payer=args.get("payer") or None,
        paid_from=day(args.get("from"), "from"), paid_to=day(args.get("to"), "to"),
        limit=number * per_page + 1)
    shown = rows[(number - 1) * per_page: number * per_page]
    return render_template(
        "remittances.html", rows=shown, args=args, page=number,
        has_next=len(rows) > number * per_page,
        page_url=lambda n: _page_url("imports.remittances", args, n))


@blueprint.route("/remittances/<key>")
def remittance(key: str) -> Any:
    """One check or EFT by its id or trace number (as ``remit show``)."""
    try:
        detail = edi_posting.show_remittance(api_session(), key)
    except edi_posting.AmbiguousRemittanceError as exc:
        abort(400, str(exc))
    return render_template("remittance.html", remit=detail)


def _per_page() -> int:
    return int(current_app.extensions["edi_posting.settings"].per_page)


def _page_url(endpoint: str, args: MultiDict[str, str], page: int) -> str:
    values: dict[str, Any] = args.to_dict() | {"page": page}
    return url_for(endpoint, **values)

