"""Claim and account views and their timelines: what a person looks at, all PHI.

Each read is authorised (``read_phi``) and audited before the database is read, so a
refused or failed look is on the trail as well as a successful one; the result is masked
when the session masks PHI.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.codes.describe import describe_code, describe_evidence
from edi_posting.codes.records import CodeListName
from edi_posting.reports import history, views

__all__ = ["account_history", "claim_history", "show_account", "show_claim"]


def _read_phi(session: Session, action: str, object_type: str, key: str) -> None:
    """Authorise and audit one PHI read (the event is recorded even if nothing is found)."""
    principal = session.authorize(Permission.READ_PHI, action, key)
    session.audit(action, role=principal.role, object_type=object_type, object_id=key)


def show_claim(session: Session, pcn: str, claim_id: int | None = None) -> dict[str, Any]:
    """One claim by CLM01 (``claim_id`` picks one submission of a PCN billed several times):
    lines, journal, review items, the 835 claim payments that adjudicated it
    (``adjudications``: denials too, with group/CARC/RARC per line), its ``open_items``,
    balances, and every CARC/RARC on it described under ``codes``.  Raises
    :class:`NotFoundError` when no claim has the PCN."""
    _read_phi(session, "claim.show", "claim", pcn)
    with session.reading() as conn:
        detail = session.shown(views.claim_detail(conn, pcn, claim_id))
    for adjudication in detail["adjudications"]:
        adjudication["status_description"] = describe_code(
            CodeListName.CLAIM_STATUS, adjudication["status_code"])
    detail["codes"] = describe_evidence([detail["journal"], detail["review_items"],
                                         detail["adjudications"]])
    return detail


def show_account(session: Session, account_number: str) -> dict[str, Any]:
    """A patient account: the patient, its claims with their balances, its balances.
    Raises :class:`NotFoundError` for an unknown account."""
    _read_phi(session, "account.show", "account", account_number)
    with session.reading() as conn:
        return session.shown(views.account_detail(conn, account_number))


def _timeline(session: Session, kind: str, key: str,
              build: Callable[[Connection, str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    _read_phi(session, f"history.{kind}", kind, key)
    with session.reading() as conn:
        return session.shown(build(conn, key))


def claim_history(session: Session, pcn: str) -> list[dict[str, Any]]:
    """Charges, payments, reversals and review events of a claim (every submission), oldest
    first, each with who did it and the segment it came from.  :class:`NotFoundError` when
    no claim has the PCN."""
    return _timeline(session, "claim", pcn, history.claim_history)


def account_history(session: Session, account_number: str) -> list[dict[str, Any]]:
    """Everything that happened on a patient account, oldest first."""
    return _timeline(session, "account", account_number, history.account_history)
