"""Who a claim's credit is owed to: its sides, and which open item owns each.

A credit is a debt to one party.  A claim's insurance receivable is kept per payer, so
each payer below zero on the claim is a side in credit (that payer overpaid), and so is
the patient receivable below zero (the patient overpaid).  Sides are never netted: one
payer's credit is owed back to that payer even while another payer still owes on the
same claim.  Each side in credit is owned by exactly one open ``credit_balance`` item,
which records its side in its evidence (``side``, ``side_payer_id``).

Items stored before credits had sides carry no side; :func:`assign_sides` gives each the
side it most likely owns (its payer's, else the largest unowned credit), the same way
for the ledger check and for :func:`edi_posting.queue.credits.refresh_credit_balances`,
which then records it on the item.  Reads only; never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode
from edi_posting.db.lists import among, unindexed
from edi_posting.db.models import JournalLine, ReviewItem
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.ledger.journal import account_ids
from edi_posting.records.states import ReviewKind

__all__ = ["ClaimSide", "assign_sides", "credit_items", "insurance_by_payer", "item_side", "ordered",
           "side_balances", "side_credit", "side_credits"]

_LINE, _ITEM = table_of(JournalLine), table_of(ReviewItem)
INSURANCE, PATIENT = AccountCode.INSURANCE_AR, AccountCode.PATIENT_AR


@dataclass(frozen=True, slots=True, order=True)
class ClaimSide:
    """One party a claim's balance is with: a payer (its insurance receivable) or the
    patient.  ``payer_id`` is None for the patient, and for insurance no payer was named."""

    account: AccountCode  # INSURANCE or PATIENT
    payer_id: int | None = None

    @property
    def is_patient(self) -> bool:
        return self.account == PATIENT

    @property
    def token(self) -> str:
        """The side in a dedupe key: ``payer:12``, ``payer:none`` or ``patient``."""
        if self.is_patient:
            return "patient"
        return f"payer:{'none' if self.payer_id is None else self.payer_id}"

    @property
    def label(self) -> str:
        """The side as messages name it."""
        if self.is_patient:
            return "the patient's side"
        return f"payer {'(none named)' if self.payer_id is None else self.payer_id}'s side"

    def evidence(self) -> dict[str, Any]:
        return {"side": "patient" if self.is_patient else "insurance",
                "side_payer_id": self.payer_id}


def ordered(credits: Mapping[ClaimSide, int]) -> list[ClaimSide]:
    """Sides most in credit first; ties by payer id, an unnamed payer then the patient last
    (never comparing None with a number)."""
    return sorted(credits, key=lambda s: (-credits[s], s.is_patient, s.payer_id is None,
                                          s.payer_id or 0))


def side_balances(conn: Connection, claim_ids: Iterable[int] | None
                  ) -> dict[int, dict[ClaimSide, int]]:
    """Claim -> each side -> its balance in cents (owed: positive; in credit: negative).
    ``None``: every claim of the ledger.  The one query of a claim's sides: credits, write
    offs, transfers and refunds all read a side's balance here."""
    accounts = account_ids(conn)
    ins, pat = accounts[INSURANCE], accounts[PATIENT]
    query = (select(_LINE.c.submitted_claim_id, _LINE.c.account_id, _LINE.c.payer_id,
                    func.sum(_LINE.c.amount_cents))
             .where(unindexed(_LINE.c.account_id).in_((ins, pat)),
                    _LINE.c.submitted_claim_id.is_not(None))
             .group_by(_LINE.c.submitted_claim_id, _LINE.c.account_id, _LINE.c.payer_id))
    if claim_ids is not None:
        query = query.where(among(_LINE.c.submitted_claim_id, sorted(set(claim_ids))))
    sums: dict[int, dict[ClaimSide, int]] = {}
    for claim_id, account, payer_id, cents in conn.execute(query):
        side = ClaimSide(INSURANCE, payer_id) if account == ins else ClaimSide(PATIENT)
        per_claim = sums.setdefault(claim_id, {})  # the patient side sums over its lines
        per_claim[side] = per_claim.get(side, 0) + int(cents)
    return sums


def side_credit(balance_cents: int) -> int:
    """The credit of one side: what it holds below zero (never netted with another side)."""
    return max(-balance_cents, 0)


def side_credits(conn: Connection, claim_ids: Iterable[int] | None
                 ) -> dict[int, dict[ClaimSide, int]]:
    """Claim -> each side below zero -> its credit in cents (positive).  ``None``: every
    claim of the ledger (the check); claims without a side in credit are left out."""
    credits = {claim_id: {side: side_credit(cents) for side, cents in sides.items()
                          if side_credit(cents)}
               for claim_id, sides in side_balances(conn, claim_ids).items()}
    return {claim_id: sides for claim_id, sides in credits.items() if sides}


def insurance_by_payer(conn: Connection, claim_id: int) -> dict[int | None, int]:
    """The claim's insurance receivable per payer (insurance_ar is kept per payer)."""
    return {side.payer_id: cents for side, cents in side_balances(conn, [claim_id]).get(
        claim_id, {}).items() if not side.is_patient}


def credit_items(conn: Connection, claim_ids: Iterable[int] | None) -> dict[int, list[Any]]:
    """Claim -> its open ``credit_balance`` items, oldest first (``None``: every claim)."""
    # a few claims: searched by claim, not by every open item or every credit item
    kind, status = ((_ITEM.c.kind, _ITEM.c.status) if claim_ids is None
                    else (unindexed(_ITEM.c.kind), unindexed(_ITEM.c.status)))
    query = (select(_ITEM).where(kind == ReviewKind.CREDIT_BALANCE, status.in_(OPEN_STATES),
                                 _ITEM.c.submitted_claim_id.is_not(None))
             .order_by(_ITEM.c.id))
    if claim_ids is not None:
        query = query.where(among(_ITEM.c.submitted_claim_id, sorted(set(claim_ids))))
    found: dict[int, list[Any]] = {}
    for row in conn.execute(query):
        found.setdefault(row.submitted_claim_id, []).append(row)
    return found


def item_side(item: Any) -> ClaimSide | None:
    """The side an item records; None for an item stored before credits had sides."""
    evidence = item.evidence or {}
    if evidence.get("side") == "patient":
        return ClaimSide(PATIENT)
    if evidence.get("side") == "insurance":
        return ClaimSide(INSURANCE, evidence.get("side_payer_id"))
    return None


def assign_sides(credits: Mapping[ClaimSide, int], items: Sequence[Any]
                 ) -> dict[int, ClaimSide | None]:
    """Item id -> the side it owns.  An item keeps its recorded side (in credit or not); an
    item without one takes, oldest first, the unowned side in credit of its own payer, else
    the unowned side most in credit, else none (it owns nothing)."""
    owned = {item.id: item_side(item) for item in items}
    free = [s for s in ordered(credits) if s not in set(owned.values())]
    for item in items:
        if owned[item.id] is not None:
            continue
        mine = [s for s in free if not s.is_patient and s.payer_id == item.payer_id]
        pick = (mine or free)[0] if (mine or free) else None
        if pick is not None:
            free.remove(pick)
        owned[item.id] = pick
    return owned
