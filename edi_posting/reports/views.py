"""The report stage: what a claim or an account looks like now, and how it got there.

Read-only queries that return plain dicts (JSON-ready; amounts as two-decimal strings) for
the CLI and any other caller.  Balances always come from the ledger, never from a stored
field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from edi_posting.db.base import table_of
from edi_posting.db.models import (
    ClaimPayment,
    JournalEntry,
    JournalLine,
    LedgerAccount,
    Patient,
    PatientAccount,
    Payer,
    ReceivedFile,
    ReviewItem,
    SubmittedClaim,
    SubmittedLine,
)
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.keyed.template import KEYED_KIND
from edi_posting.ledger import journal as ledger
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.payments.views import patient_payments_of_account, patient_payments_of_claim
from edi_posting.reports.adjudications import claim_payment_rows

__all__ = ["NotFoundError", "account_detail", "balances_dict", "claim_detail"]

_CLAIM, _LINE = table_of(SubmittedClaim), table_of(SubmittedLine)
_ENTRY, _JL, _ACC = table_of(JournalEntry), table_of(JournalLine), table_of(LedgerAccount)


class NotFoundError(LookupError):
    """The claim or account asked for does not exist (a user error, not a bug)."""


def balances_dict(balances: ledger.Balances) -> dict[str, str]:
    return {
        "insurance": format_cents(balances.insurance_cents),
        "patient": format_cents(balances.patient_cents),
        "total": format_cents(balances.total_cents),
    }


def claim_detail(conn: Connection, pcn: str, claim_id: int | None = None) -> dict[str, Any]:
    """The newest submission of a PCN (or the one named), with lines, ledger, reviews, the
    835 claim payments that adjudicated it (denials too: they post nothing, so the journal
    alone would not show them) and its open review items."""
    rows = conn.execute(
        select(_CLAIM).where(_CLAIM.c.pcn_normalized == normalize_pcn(pcn)).order_by(
            _CLAIM.c.id.desc())
    ).all()
    if claim_id is not None:
        rows = [r for r in rows if r.id == claim_id]
    if not rows:
        raise NotFoundError(f"no claim with patient control number {pcn!r}")
    claim = rows[0]
    return {
        "claim": _claim_fields(claim),
        "payer": _payer(conn, claim.payer_id),
        "patient": _patient(conn, claim.patient_id),
        "account_number": conn.execute(
            select(PatientAccount.account_number).where(PatientAccount.id == claim.patient_account_id)
        ).scalar(),
        "lines": _lines(conn, claim.id),
        "journal": _journal(conn, _JL.c.submitted_claim_id == claim.id),
        "review_items": _reviews(conn, ReviewItem.submitted_claim_id == claim.id),
        "adjudications": claim_payment_rows(conn, claim.id, claim.patient_control_number),
        "patient_payments": patient_payments_of_claim(conn, claim.id),
        "open_items": _reviews(conn, _open_items_of(claim.id)),
        "balances": balances_dict(ledger.claim_balances(conn, claim.id)),
        "other_submissions": [
            {"id": r.id, "frequency_code": r.frequency_code, "status": r.status}
            for r in rows[1:]
        ],
    }


def _claim_fields(claim: Any) -> dict[str, Any]:
    return {
        "id": claim.id,
        "patient_control_number": claim.patient_control_number,
        "claim_type": claim.claim_type,
        "frequency_code": claim.frequency_code,
        "status": claim.status,
        "total_charge": format_cents(claim.total_charge_cents),
        "statement_from": _iso(claim.statement_from),
        "statement_to": _iso(claim.statement_to),
        "original_payer_claim_number": claim.original_payer_claim_number,
        "replaces_claim_id": claim.replaces_claim_id,
        "source": {"file_id": claim.source_file_id, "segment": claim.source_segment},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _payer(conn: Connection, payer_id: int | None) -> dict[str, Any] | None:
    if payer_id is None:
        return None
    row = conn.execute(select(Payer.id, Payer.name, Payer.primary_identifier).where(
        Payer.id == payer_id)).one()
    return {"id": row.id, "name": row.name, "identifier": row.primary_identifier}


def _patient(conn: Connection, patient_id: int) -> dict[str, Any]:
    row = conn.execute(select(table_of(Patient)).where(Patient.id == patient_id)).one()
    return {"id": row.id, "last_name": row.last_name, "first_name": row.first_name,
            "birth_date": _iso(row.birth_date)}


def _lines(conn: Connection, claim_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(_LINE).where(_LINE.c.claim_id == claim_id).order_by(_LINE.c.ordinal))
    return [
        {
            "ordinal": r.ordinal,
            "procedure": ":".join(p for p in (r.procedure_qualifier, r.procedure_code, r.modifier1,
                                              r.modifier2, r.modifier3, r.modifier4) if p),
            "revenue_code": r.revenue_code,
            "charge": format_cents(r.charge_cents),
            "units": r.units,
            "service_date": _iso(r.service_date_from),
            "line_item_control_number": r.line_item_control_number,
        }
        for r in rows
    ]


def _journal(conn: Connection, condition: Any) -> list[dict[str, Any]]:
    query = (
        select(_ENTRY.c.id.label("entry_id"), _ENTRY.c.kind, _ENTRY.c.effective_date,
               _ENTRY.c.actor, _ENTRY.c.reverses_entry_id, _ENTRY.c.source_segment,
               _ENTRY.c.source_st02, ReceivedFile.file_name, ReceivedFile.kind.label("file_kind"),
               ReceivedFile.received_by, _ACC.c.code, _JL.c.amount_cents,
               _JL.c.group_code, _JL.c.reason_code, _JL.c.ordinal)
        .join(_ENTRY, _ENTRY.c.id == _JL.c.entry_id)
        .join(_ACC, _ACC.c.id == _JL.c.account_id)
        .outerjoin(ReceivedFile, ReceivedFile.id == _ENTRY.c.source_file_id)
        .where(condition)
        .order_by(_ENTRY.c.id, _JL.c.ordinal)
    )
    return [
        {
            "entry_id": r.entry_id, "kind": r.kind, "date": _iso(r.effective_date),
            "account": r.code, "amount": format_cents(r.amount_cents),
            "group_code": r.group_code, "reason_code": r.reason_code,
            "reverses_entry_id": r.reverses_entry_id, "actor": r.actor,
            "source_file": r.file_name, "source_st02": r.source_st02,
            "source_segment": r.source_segment,  # a keyed EOB's row
            "keyed_by": r.received_by if r.file_kind == KEYED_KIND else None,
        }
        for r in conn.execute(query)
    ]


def _reviews(conn: Connection, condition: Any) -> list[dict[str, Any]]:
    rows = conn.execute(select(table_of(ReviewItem)).where(condition).order_by(ReviewItem.id))
    return [
        {"id": r.id, "kind": r.kind, "status": r.status, "amount": format_cents(r.amount_cents),
         "message": r.message}
        for r in rows
    ]


def _open_items_of(claim_id: int) -> Any:
    """Open items on the claim, or on a payment of it (an item may name only the payment)."""
    payments = select(ClaimPayment.id).where(ClaimPayment.submitted_claim_id == claim_id)
    return ReviewItem.status.in_(list(OPEN_STATES)) & or_(
        ReviewItem.submitted_claim_id == claim_id, ReviewItem.claim_payment_id.in_(payments))


def account_detail(conn: Connection, account_number: str) -> dict[str, Any]:
    account = conn.execute(
        select(table_of(PatientAccount)).where(PatientAccount.account_number == account_number)
    ).first()
    if account is None:
        raise NotFoundError(f"no account {account_number!r}")
    claims = conn.execute(
        select(_CLAIM).where(_CLAIM.c.patient_account_id == account.id).order_by(_CLAIM.c.id)
    ).all()
    return {
        "account_number": account.account_number,
        "patient": _patient(conn, account.patient_id),
        "claims": [
            {**{k: v for k, v in _claim_fields(c).items() if k != "source"},
             "balances": balances_dict(ledger.claim_balances(conn, c.id))}
            for c in claims
        ],
        "review_items": _reviews(conn, ReviewItem.patient_account_id == account.id),
        "patient_payments": patient_payments_of_account(conn, account.id),
        "balances": balances_dict(ledger.account_balances(conn, account.id)),
    }
