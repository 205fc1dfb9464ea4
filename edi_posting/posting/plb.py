"""Provider-level adjustments (PLB): linked to the claims they name, posted by reason.

Every PLB amount posts against cash clearing (a positive amount reduces the payment):
L6 interest to interest income, everything else to provider adjustments, its reason kept
on the line.  WO, FB, 72, B2 and CS (and L6 when it carries a reference) name a claim in
PLB03-2: the payer's claim control number (CLP07), the patient control number (CLP01), or
both; a reference that names nothing we hold raises ``unlinked_plb``.  FB (forwarding
balance) pairs are tracked by reference until they net to zero
(:func:`open_forwarding_balances`).  ΣAMT*I of the set's claims is checked against its L6.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.lists import among
from edi_posting.db.models import (
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ReviewItem,
    SubmittedClaim,
)
from edi_posting.db.workflow import OPEN_STATES
from edi_posting.ledger.journal import EntryDraft, Posting
from edi_posting.money import format_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.posting.adjudicated import DUPLICATE_PAYMENT
from edi_posting.posting.decisions import ReviewSpec
from edi_posting.records import remittance as rec
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.states import ReviewKind

__all__ = [
    "CLAIM_REASONS", "LINKED_REASONS", "REASON_ACCOUNTS", "OpenForwardingBalance", "PlbLink", "interest_problem",
    "link_provider_adjustments", "open_forwarding_balances", "plb_entry", "unlinked_review",
]

LINKED_REASONS = frozenset({"WO", "FB", "72", "B2", "CS"})  # a reference is expected
REASON_ACCOUNTS = {"L6": AccountCode.INTEREST_INCOME}  # everything else: provider_adjustments
# an overpayment recovered (or returned) on the claim it names moves that claim's balance:
# the recovery clears the credit the overpayment left, so nobody refunds it a second time
CLAIM_REASONS = frozenset({"WO"})
_CP, _CLAIM, _PLB = table_of(ClaimPayment), table_of(SubmittedClaim), table_of(ProviderAdjustment)
_ITEM = table_of(ReviewItem)


@dataclass(frozen=True, slots=True)
class PlbLink:
    submitted_claim_id: int | None
    claim_payment_id: int | None
    patient_account_id: int | None = None
    # a WO recovering a payment import held as a duplicate (its cash still in unapplied
    # cash, owned by this open item): the recovery takes that cash back
    held_item_id: int | None = None

    @property
    def found(self) -> bool:
        return self.submitted_claim_id is not None or self.claim_payment_id is not None


def _tokens(reference: str | None) -> list[str]:
    text = (reference or "").strip()
    if not text:
        return []
    parts = [p for p in re.split(r"[\s/|,]+", text) if p]
    return list(dict.fromkeys([text, *parts]))


def link_provider_adjustments(
    conn: Connection, adjustments: Sequence[rec.ProviderAdjustmentRecord]
) -> list[PlbLink]:
    """Find the claim each reference names: CLP07 first (latest payment), then CLP01."""
    tokens = sorted({t for a in adjustments for t in _tokens(a.reference_id)})
    by_icn: dict[str, tuple[int | None, int]] = {}
    by_pcn: dict[str, int] = {}
    if tokens:
        for icn, claim_id, cp_id in conn.execute(
            select(_CP.c.payer_claim_control_number, _CP.c.submitted_claim_id, _CP.c.id)
            .where(among(_CP.c.payer_claim_control_number, tokens)).order_by(_CP.c.id)
        ):
            by_icn[icn] = (claim_id, cp_id)
        normalized = sorted({normalize_pcn(t) for t in tokens} - {""})
        for pcn, claim_id in conn.execute(
            select(_CLAIM.c.pcn_normalized, _CLAIM.c.id)
            .where(among(_CLAIM.c.pcn_normalized, normalized)).order_by(_CLAIM.c.id)
        ):
            by_pcn[pcn] = claim_id
    links = []
    for adjustment in adjustments:
        link = PlbLink(None, None)
        for token in _tokens(adjustment.reference_id):
            if token in by_icn:
                claim_id, cp_id = by_icn[token]
                link = PlbLink(claim_id, cp_id)
                break
            if normalize_pcn(token) in by_pcn:
                link = PlbLink(by_pcn[normalize_pcn(token)], None)
                break
        links.append(link)
    return _with_held(conn, adjustments, _with_accounts(conn, links))


def _with_held(conn: Connection, adjustments: Sequence[rec.ProviderAdjustmentRecord],
               links: list[PlbLink]) -> list[PlbLink]:
    """Each WO naming a held duplicate payment (no claim: it was never posted to one)
    linked to the item holding its cash, while what that item holds covers it."""
    held_cps = sorted({ln.claim_payment_id for ln, a in zip(links, adjustments)
                       if ln.claim_payment_id is not None and ln.submitted_claim_id is None
                       and a.reason_code in CLAIM_REASONS and a.amount_cents > 0})
    if not held_cps:
        return links
    holding = {cp_id: [item_id, cents] for cp_id, item_id, cents in conn.execute(
        select(_ITEM.c.claim_payment_id, _ITEM.c.id, _ITEM.c.amount_cents)
        .where(among(_ITEM.c.claim_payment_id, held_cps), _ITEM.c.status.in_(OPEN_STATES),
               _ITEM.c.problem_code == DUPLICATE_PAYMENT))}
    out = []
    for link, adjustment in zip(links, adjustments):
        held = holding.get(link.claim_payment_id) if link.submitted_claim_id is None else None
        if (held is not None and adjustment.reason_code in CLAIM_REASONS
                and 0 < adjustment.amount_cents <= held[1]):
            held[1] -= adjustment.amount_cents
            link = replace(link, held_item_id=held[0])
        out.append(link)
    return out


def _with_accounts(conn: Connection, links: list[PlbLink]) -> list[PlbLink]:
    claim_ids = sorted({ln.submitted_claim_id for ln in links} - {None})  # type: ignore[type-var]
    if not claim_ids:
        return links
    accounts = dict(conn.execute(select(_CLAIM.c.id, _CLAIM.c.patient_account_id)
                                 .where(among(_CLAIM.c.id, claim_ids))).all())
    return [replace(ln, patient_account_id=accounts.get(ln.submitted_claim_id)) for ln in links]


def needs_link(adjustment: rec.ProviderAdjustmentRecord) -> bool:
    return adjustment.reason_code in LINKED_REASONS or bool((adjustment.reference_id or "").strip())


def unlinked_review(adjustment: rec.ProviderAdjustmentRecord) -> ReviewSpec:
    ref = adjustment.reference_id or "none"
    return ReviewSpec(
        ReviewKind.UNLINKED_PLB, ProblemCode.UNLINKED_PLB,
        f"PLB {adjustment.reason_code} {format_cents(adjustment.amount_cents)} (reference "
        f"{ref}) names no claim we hold", 3,
        {"reason": adjustment.reason_code, "reference": adjustment.reference_id,
         "amount": format_cents(adjustment.amount_cents),
         "segment": adjustment.source.position},
    )


def plb_entry(adjustment: rec.ProviderAdjustmentRecord, *, key: str, effective: dt.date,
              remittance_id: int, plb_id: int, link: PlbLink, payer_id: int | None,
              source: dict[str, object]) -> EntryDraft | None:
    """Dr the reason's account / Cr cash clearing by the PLB amount (signed as sent).

    A WO linked to a claim debits that claim's insurance receivable: the recovery takes
    back the overpayment that left the claim in credit.  A WO recovering a payment import
    held as a duplicate debits unapplied cash, where that payment's cash waits (its item
    follows: ``remittance_followups.follow_recovered_duplicates``).  Unlinked, it waits in provider
    adjustments (and an ``unlinked_plb`` item) until a specialist places it.
    """
    amount = adjustment.amount_cents
    if not amount:
        return None
    dims: dict[str, Any] = {
        "payer_id": payer_id, "submitted_claim_id": link.submitted_claim_id,
        "provider_adjustment_id": plb_id, "reason_code": adjustment.reason_code}
    account = REASON_ACCOUNTS.get(adjustment.reason_code, AccountCode.PROVIDER_ADJUSTMENTS)
    if adjustment.reason_code in CLAIM_REASONS and link.submitted_claim_id is not None:
        account = AccountCode.INSURANCE_AR
        dims["patient_account_id"] = link.patient_account_id
    elif link.held_item_id is not None:  # the duplicate's cash, waiting unapplied, goes back
        account = AccountCode.UNAPPLIED_CASH
    lines = (Posting(account, amount, **dims), Posting(AccountCode.CASH_CLEARING, -amount, **dims))
    return EntryDraft(
        key, EntryKind.PLB, effective, lines,
        memo=f"PLB {adjustment.reason_code} {adjustment.reference_id or ''}".strip(),
        remittance_id=remittance_id, claim_payment_id=link.claim_payment_id,
        submitted_claim_id=link.submitted_claim_id, **source,  # type: ignore[arg-type]
    )


def interest_problem(claims: Sequence[rec.ClaimPaymentRecord],
                     adjustments: Sequence[rec.ProviderAdjustmentRecord],
                     source: object) -> Problem | None:
    """ΣAMT*I must equal the L6 total (L6 negative: interest paid), unless it is 0."""
    claimed = sum(a.amount_cents or 0 for c in claims for a in c.amounts if a.qualifier == "I")
    paid = -sum(a.amount_cents for a in adjustments if a.reason_code == "L6")
    if claimed == 0 or claimed == paid:
        return None
    return Problem(
        ProblemCode.INTEREST_MISMATCH, Severity.WARNING,
        f"claims report {format_cents(claimed)} interest (AMT*I) but PLB L6 pays "
        f"{format_cents(paid)}", source, "PLB03",  # type: ignore[arg-type]
        {"expected": format_cents(claimed), "actual": format_cents(paid)},
    )


@dataclass(frozen=True, slots=True)
class OpenForwardingBalance:
    payer_id: int | None
    reference: str
    net_cents: int
    count: int


def open_forwarding_balances(conn: Connection) -> list[OpenForwardingBalance]:
    """FB references whose amounts do not (yet) net to zero, per payer."""
    remit = table_of(Remittance)
    total = func.sum(_PLB.c.amount_cents)
    rows = conn.execute(
        select(remit.c.payer_id, _PLB.c.reference_id, total, func.count())
        .join(remit, remit.c.id == _PLB.c.remittance_id)
        .where(_PLB.c.reason_code == "FB")
        .group_by(remit.c.payer_id, _PLB.c.reference_id)
        .having(total != 0)
        .order_by(_PLB.c.reference_id)
    ).all()
    return [OpenForwardingBalance(p, r or "", int(n), int(c)) for p, r, n, c in rows]
