"""``credit-balances`` and ``refunds``: money the practice owes back, and where its refund is.

``credit-balances``: every claim side in credit on ``--to`` (or today), from the ledger: a
payer's insurance receivable or the patient's receivable below zero on a claim (sides are
never netted, as :mod:`edi_posting.queue.credit_sides` keeps them), per account and claim,
with its cause (the ``credit_balance`` review item that owns it: which payment made it),
its age (from that payment's date, else from the item) and its refund status.

``refunds``: every refund asked for, with its status: ``requested`` (waiting for a second
person), ``rejected``, ``approved`` (posted: Dr the receivable / Cr refunds payable, a row
in ``refunds``), ``paid`` (finance's ``refund_paid`` entries settled the claim's refunds
payable, oldest refund first) or ``undone`` (its entry reversed by ``queue undo``).  What
is approved and not yet paid, plus unapplied cash returned as a refund payable (``queue
return --to refund``, no claim), is the ``refunds_payable`` balance to the cent.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.approvals import ApprovalAction, ApprovalStatus
from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import (
    Approval,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    PatientAccount,
    Refund,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.queue.credit_sides import item_side
from edi_posting.records.states import ReviewKind
from edi_posting.reports.finance_query import as_date, as_of, payer_ids, payer_names
from edi_posting.reports.report_model import Column, ColumnKind, Report, ReportQuery, Section

__all__ = ["RefundStatus", "credit_balances_report", "refunds_report"]

_ENTRY, _LINE, _ACCOUNT = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)
_ITEM, _CLAIM, _PA = table_of(ReviewItem), table_of(SubmittedClaim), table_of(PatientAccount)
_REFUND, _APPROVAL, _REMIT = table_of(Refund), table_of(Approval), table_of(Remittance)
_C, _N = ColumnKind.CENTS, ColumnKind.COUNT


class RefundStatus(enum.StrEnum):
    """Where a refund is (the report's ``status`` column; derived, never stored)."""

    NONE = "none"
    REQUESTED = "requested"
    REJECTED = "rejected"
    APPROVED = "approved"
    PAID = "paid"
    UNDONE = "undone"


def _code_filter(code: AccountCode) -> Any:
    return _LINE.c.account_id == select(_ACCOUNT.c.id).where(
        _ACCOUNT.c.code == code).scalar_subquery()


# --- credit balances -----------------------------------------------------------------------


def credit_balances_report(conn: Connection, query: ReportQuery) -> Report:
    day = as_of(query)
    payers = payer_ids(conn, query.payer)
    sides = _sides_in_credit(conn, day)
    if payers is not None:
        sides = [s for s in sides if s["payer_id"] in payers]
    owners = _owners(conn, {s["claim_id"] for s in sides})
    requested = _pending_refund_items(conn)
    names = payer_names(conn)
    rows = []
    for side in sides:
        item = owners.get((side["claim_id"], side["side"]))
        since = _since(item) or side["last_date"]
        rows.append({
            "account": side["account_number"], "claim": side["pcn"],
            "side": "patient" if side["side"] == "patient" else names.get(side["payer_id"], ""),
            "credit_cents": side["credit_cents"],
            "cause": item.message if item is not None else "no review item owns it",
            "item": item.id if item is not None else None,
            "age_days": (day - since).days,
            "refund_status": (RefundStatus.REQUESTED if item is not None and item.id in requested
                              else RefundStatus.NONE)})
    total = {"account": "total", "credit_cents": sum(r["credit_cents"] for r in rows)}
    columns = (Column("account", "Account"), Column("claim", "Claim"), Column("side", "Owed to"),
               Column("credit_cents", "Credit", _C), Column("cause", "Cause"),
               Column("item", "Review item", _N), Column("age_days", "Age", ColumnKind.DAYS),
               Column("refund_status", "Refund"))
    return Report("credit-balances", f"Credit balances as of {day.isoformat()}", query,
                  (Section("credits", "Claim sides in credit", columns, rows, total),),
                  {"as_of": day.isoformat(), "credits": len(rows),
                   "credit_cents": total["credit_cents"]})


def _sides_in_credit(conn: Connection, day: dt.date) -> list[dict[str, Any]]:
    """(claim, side) whose receivable is below zero on ``day``, from journal lines."""
    sides = []
    for code, side in ((AccountCode.INSURANCE_AR, "payer"), (AccountCode.PATIENT_AR, "patient")):
        payer = _LINE.c.payer_id if side == "payer" else None
        group = [_LINE.c.submitted_claim_id] + ([payer] if payer is not None else [])
        balance = func.sum(_LINE.c.amount_cents)
        query = (select(*group, balance.label("balance"),
                        func.max(_ENTRY.c.effective_date).label("last_date"))
                 .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
                 .where(_code_filter(code), _ENTRY.c.effective_date <= day,
                        _LINE.c.submitted_claim_id.is_not(None))
                 .group_by(*group).having(balance < 0))
        for row in conn.execute(query):
            sides.append({"claim_id": row.submitted_claim_id, "side": side,
                          "payer_id": row.payer_id if side == "payer" else None,
                          "credit_cents": -int(row.balance), "last_date": row.last_date})
    claims = {r.id: r for r in conn.execute(
        select(_CLAIM.c.id, _CLAIM.c.patient_control_number, _PA.c.account_number)
        .join(_PA, _PA.c.id == _CLAIM.c.patient_account_id)
        .where(_CLAIM.c.id.in_(sorted({s["claim_id"] for s in sides}))))}
    for s in sides:
        claim = claims[s["claim_id"]]
        s["pcn"], s["account_number"] = claim.patient_control_number, claim.account_number
    return sorted(sides, key=lambda s: (s["account_number"], s["pcn"], s["side"],
                                        s["payer_id"] or 0))


def _owners(conn: Connection, claim_ids: set[int]) -> dict[tuple[int, str], Any]:
    """(claim, side) -> the latest credit_balance item of that claim and side."""
    found: dict[tuple[int, str], Any] = {}
    query = (select(_ITEM, _REMIT.c.payment_date)
             .outerjoin(_REMIT, _REMIT.c.id == _ITEM.c.remittance_id)
             .where(_ITEM.c.kind == ReviewKind.CREDIT_BALANCE,
                    _ITEM.c.submitted_claim_id.in_(sorted(claim_ids))).order_by(_ITEM.c.id))
    for item in conn.execute(query):
        side = item_side(item)
        found[item.submitted_claim_id, "patient" if side and side.is_patient else "payer"] = item
    return found


def _since(item: Any) -> dt.date | None:
    if item is None:
        return None
    return as_date(item.payment_date or item.created_at)


def _pending_refund_items(conn: Connection) -> set[int]:
    return set(conn.execute(select(_APPROVAL.c.review_item_id).where(
        _APPROVAL.c.action == ApprovalAction.REFUND,
        _APPROVAL.c.status == ApprovalStatus.PENDING)).scalars())


# --- refunds -------------------------------------------------------------------------------


def refunds_report(conn: Connection, query: ReportQuery) -> Report:
    day = as_of(query)
    rows = _posted_refunds(conn, day) + _asked_refunds(conn, day)
    if query.date_from is not None:
        rows = [r for r in rows if r["date"] >= query.date_from]
    rows.sort(key=lambda r: (r["date"], r["claim"] or ""))
    payable = _balance(conn, AccountCode.REFUNDS_PAYABLE, day)
    outstanding = sum(r["amount_cents"] - r["paid_cents"] for r in rows
                      if r["status"] == RefundStatus.APPROVED)
    by_status: dict[str, int] = defaultdict(int)
    for r in rows:
        by_status[r["status"]] += r["amount_cents"]
    columns = (Column("date", "Date", ColumnKind.DATE), Column("account", "Account"),
               Column("claim", "Claim"), Column("payee", "Payee"),
               Column("amount_cents", "Amount", _C), Column("paid_cents", "Paid", _C),
               Column("status", "Status"), Column("reason", "Reason"),
               Column("requested_by", "Requested by"), Column("approved_by", "Approved by"),
               Column("age_days", "Age", ColumnKind.DAYS))
    total = {"date": None, "account": "total",
             "amount_cents": sum(r["amount_cents"] for r in rows),
             "paid_cents": sum(r["paid_cents"] for r in rows)}
    summary = {"as_of": day.isoformat(), "refunds": len(rows),
               **{f"{s}_cents": v for s, v in sorted(by_status.items())},
               "outstanding_cents": outstanding, "refunds_payable_cents": payable,
               "returns_payable_cents": payable - outstanding}
    return Report("refunds", f"Refunds as of {day.isoformat()}", query,
                  (Section("refunds", "Refunds", columns, rows, total),), summary)


def _balance(conn: Connection, code: AccountCode, day: dt.date) -> int:
    """A credit-normal account's balance on ``day``, shown positive."""
    total = conn.execute(select(func.coalesce(func.sum(_LINE.c.amount_cents), 0))
                         .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
                         .where(_code_filter(code), _ENTRY.c.effective_date <= day)).scalar_one()
    return -int(total)


def _posted_refunds(conn: Connection, day: dt.date) -> list[dict[str, Any]]:
    undone = set(conn.execute(select(_ENTRY.c.reverses_entry_id).where(
        _ENTRY.c.reverses_entry_id.is_not(None))).scalars())
    refunds = conn.execute(
        select(_REFUND, _ENTRY.c.effective_date, _CLAIM.c.patient_control_number,
               _PA.c.account_number, _ITEM.c.created_at.label("asked_at"))
        .join(_ENTRY, _ENTRY.c.id == _REFUND.c.journal_entry_id)
        .join(_CLAIM, _CLAIM.c.id == _REFUND.c.submitted_claim_id)
        .join(_PA, _PA.c.id == _CLAIM.c.patient_account_id)
        .outerjoin(_ITEM, _ITEM.c.id == _REFUND.c.review_item_id)
        .where(_ENTRY.c.effective_date <= day).order_by(_REFUND.c.id)).all()
    paid = _paid_by_claim(conn, day)
    rows = []
    for r in refunds:
        status, settled = RefundStatus.UNDONE, 0
        if r.journal_entry_id not in undone:
            settled = min(paid[r.submitted_claim_id], r.amount_cents)
            paid[r.submitted_claim_id] -= settled
            status = RefundStatus.PAID if settled == r.amount_cents else RefundStatus.APPROVED
        rows.append({"date": r.effective_date, "account": r.account_number,
                     "claim": r.patient_control_number, "payee": r.payee,
                     "amount_cents": r.amount_cents, "paid_cents": settled, "status": status,
                     "reason": r.reason, "requested_by": None, "approved_by": r.approved_by,
                     "age_days": (day - r.effective_date).days})
    return rows


def _paid_by_claim(conn: Connection, day: dt.date) -> dict[int | None, int]:
    """Claim -> refunds payable settled by ``refund_paid`` entries (net of their undos)."""
    rows = conn.execute(
        select(_LINE.c.submitted_claim_id, func.sum(_LINE.c.amount_cents))
        .join(_ENTRY, _ENTRY.c.id == _LINE.c.entry_id)
        .where(_code_filter(AccountCode.REFUNDS_PAYABLE), _ENTRY.c.kind == EntryKind.REFUND_PAID,
               _ENTRY.c.effective_date <= day).group_by(_LINE.c.submitted_claim_id))
    paid: dict[int | None, int] = defaultdict(int)
    paid.update({claim: int(total) for claim, total in rows})
    return paid


def _asked_refunds(conn: Connection, day: dt.date) -> list[dict[str, Any]]:
    """Refunds waiting for a second person, or rejected (an approved one is posted)."""
    words = {ApprovalStatus.PENDING: RefundStatus.REQUESTED,
             ApprovalStatus.REJECTED: RefundStatus.REJECTED}
    asked = conn.execute(
        select(_APPROVAL, _CLAIM.c.patient_control_number, _PA.c.account_number)
        .join(_ITEM, _ITEM.c.id == _APPROVAL.c.review_item_id)
        .outerjoin(_CLAIM, _CLAIM.c.id == _ITEM.c.submitted_claim_id)
        .outerjoin(_PA, _PA.c.id == _CLAIM.c.patient_account_id)
        .where(_APPROVAL.c.action == ApprovalAction.REFUND,
               _APPROVAL.c.status.in_(list(words))).order_by(_APPROVAL.c.id)).all()
    rows = []
    for a in asked:
        on = as_date(a.requested_at)
        if on > day:
            continue
        rows.append({"date": on, "account": a.account_number, "claim": a.patient_control_number,
                     "payee": (a.params or {}).get("payee"), "amount_cents": a.amount_cents,
                     "paid_cents": 0, "status": words[ApprovalStatus(a.status)],
                     "reason": a.reason, "requested_by": a.requested_by,
                     "approved_by": a.decided_by, "age_days": (day - on).days})
    return rows
