"""The claim and account screens: lines, balances and the timeline of charges, payments,
reversals and queue events, each linked to the file and segment it came from."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

import edi_posting
from edi_posting.web.auth import api_session

__all__ = ["blueprint"]

blueprint = Blueprint("claims", __name__)


@blueprint.route("/claim/<pcn>")
def claim(pcn: str) -> Any:
    """``claim show`` and ``history claim`` on one page (each read audited by the API)."""
    session = api_session()
    claim_id = request.args.get("id", type=int)
    detail = edi_posting.show_claim(session, pcn, claim_id)
    timeline = edi_posting.claim_history(session, pcn)
    return render_template("claim.html", claim=detail, timeline=timeline)


@blueprint.route("/account/<account_number>")
def account(account_number: str) -> Any:
    """``account show`` and ``history account`` on one page."""
    session = api_session()
    detail = edi_posting.show_account(session, account_number)
    timeline = edi_posting.account_history(session, account_number)
    return render_template("account.html", account=detail, timeline=timeline)
