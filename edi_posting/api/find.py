"""Finding billed claims through the public API (``claim find``): PHI, so ``read_phi`` is
checked and every search is on the audit trail (with the filters used, never their values:
a name or a member ID searched for is PHI too)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.names import plain
from edi_posting.reports.find import ClaimQuery
from edi_posting.reports.find import find_claims as _find_claims

__all__ = ["find_claims"]


def find_claims(session: Session, *, name: str | None = None, member_id: str | None = None,
                payer_claim_number: str | None = None, plb_reference: str | None = None,
                service_from: dt.date | str | None = None,
                service_to: dt.date | str | None = None, amount_cents: int | None = None,
                limit: int | None = None) -> list[dict[str, Any]]:
    """Claims matching every filter given (see :class:`~edi_posting.reports.find.ClaimQuery`):
    ``name`` as ``LAST`` or ``LAST, FIRST`` compared without case, spaces or punctuation;
    dates as ``date`` or ISO text; ``amount_cents`` the charge or a payment's paid amount.
    Each row's ``pcn`` and ``claim_id`` are what :func:`show_claim` takes.  ValueError for
    no filter at all, a date that is not one, or a name or member ID without a letter or
    digit (it would match everyone, or no one, by accident)."""
    query = ClaimQuery(name, member_id, payer_claim_number, plb_reference,
                       _date(service_from), _date(service_to), amount_cents, limit)
    if query.is_empty():
        raise ValueError("give at least one filter")
    for option, value in (("--name", name), ("--member-id", member_id)):
        if value is not None and not plain(value.partition(",")[0]):
            raise ValueError(f"{option}: no letter or digit to look for")
    principal = session.authorize(Permission.READ_PHI, "claim.find")
    used = sorted(k for k, v in (("name", name), ("member_id", member_id),
                                 ("payer_claim_number", payer_claim_number),
                                 ("plb_reference", plb_reference),
                                 ("service_from", service_from), ("service_to", service_to),
                                 ("amount", amount_cents)) if v is not None)
    session.audit("claim.find", role=principal.role, object_type="claim",
                  summary={"filters": used})
    with session.reading() as conn:
        return session.shown(_find_claims(conn, query))


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)
