"""The posting rules: what one matched 835 claim payment does to the ledger.

Pure functions from plain facts to balanced journal lines, so every rule can be read and
tested without a database.  The rules (x12-posting-rules.md §2–§5):

* paid (CLP02 1, 2, 3): Dr cash clearing the paid amount, Dr the account each CAS group
  maps to, Cr the claim's insurance receivable for all of it.  CO goes to contractual
  adjustments, PR to the patient's receivable (its CARC kept: deductible, coinsurance,
  copay...), OA and PI as the CARC policy table says.  Negative amounts are honoured as
  sent, never sign-flipped.
* forwarded (19, 20, 21): as paid, but the PR amount stays with insurance, moved to the
  next payer's receivable, when the claim names the payer it was forwarded to.
* denied (4, or 1/2/3 with nothing paid and only denial CARCs): nothing posts; the claim
  stays open and a denial review item carries the codes.
* 22 reversal: handled by the caller (exact negation of the original entries).
* 23 and 25: recorded, never posted as payment.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edi_posting.ledger import Posting

__all__ = [
    "DEFAULT_CARC_POLICY",
    "DENIAL_CARCS",
    "CasFact",
    "ClaimFact",
    "Dims",
    "Disposition",
    "LineFact",
    "claim_postings",
    "classify",
]


class Disposition(enum.StrEnum):
    POST = "post"
    FORWARDED = "forwarded"
    DENIED = "denied"
    REVERSAL = "reversal"
    RECORD_ONLY = "record_only"  # 23 not our claim, 25 predetermination


# CARC policy for OA and PI (data, not code branches): reason -> account.  '*' is the
# default for the group.  Per-payer overrides come from the posting_policies table.
DEFAULT_CARC_POLICY: Mapping[tuple[str, str], str] = {
    ("OA", "23"): "other_adjustments",  # prior payer's adjudication: written off here
    ("OA", "*"): "other_adjustments",
    ("PI", "*"): "other_adjustments",
    ("CO", "*"): "contractual_adjustments",
    ("PR", "*"): "patient_ar",
}

# CARCs that, with nothing paid, mean the payer denied the claim (status 1 "creative" denials)
DENIAL_CARCS = frozenset({
    "4", "5", "6", "11", "16", "18", "22", "26", "27", "29", "31", "32", "39", "50", "51", "55",
    "56", "96", "109", "119", "146", "167", "170", "181", "182", "197", "198", "199", "200",
    "204", "226", "227", "242", "252", "B7", "B9", "B11", "B12", "B13", "B15", "N130",
})


@dataclass(frozen=True, slots=True)
class CasFact:
    group: str  # CAS01
    reason: str  # CARC
    amount_cents: int  # signed as sent
    adjustment_id: int | None = None


@dataclass(frozen=True, slots=True)
class LineFact:
    charge_cents: int  # SVC02
    paid_cents: int  # SVC03
    adjustments: tuple[CasFact, ...]
    submitted_line_id: int | None = None
    service_line_payment_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimFact:
    status_code: str  # CLP02
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    adjustments: tuple[CasFact, ...]  # claim-level CAS
    lines: tuple[LineFact, ...]
    has_next_payer: bool = False  # NM1*TT (or a known secondary) for forwarded claims


@dataclass(frozen=True, slots=True)
class Dims:
    """Where the postings land: the claim's payer, account and claim."""

    payer_id: int | None
    patient_account_id: int | None
    submitted_claim_id: int | None
    next_payer_id: int | None = None


_FORWARDED_CODES = frozenset({"19", "20", "21"})


def classify(fact: ClaimFact) -> Disposition:
    code = fact.status_code
    if code == "22":
        return Disposition.REVERSAL
    if code in ("23", "25"):
        return Disposition.RECORD_ONLY
    if code == "4":
        return Disposition.DENIED
    if code in _FORWARDED_CODES:
        return Disposition.FORWARDED
    if fact.paid_cents != 0:  # checked first: only an unpaid claim needs its CAS gathered
        return Disposition.POST
    every_cas = list(fact.adjustments) + [c for line in fact.lines for c in line.adjustments]
    if every_cas and all(c.group != "PR" and c.reason in DENIAL_CARCS for c in every_cas):
        return Disposition.DENIED
    return Disposition.POST


def claim_postings(fact: ClaimFact, dims: Dims,
                   policy: Mapping[tuple[str, str], str] = DEFAULT_CARC_POLICY) -> list[Posting]:
    """Balanced lines for a paid or forwarded claim payment (the caller checks balancing).

    Each service line credits insurance by its charge (SVC02) and debits cash (SVC03) and
    its adjustments; claim-level CAS and any difference between the claim's and the lines'
    figures are posted at claim level, so the entry always sums to zero.
    """
    # classify() says FORWARDED exactly for these codes (22, 23, 25 and 4 are none of them)
    forwarded = fact.status_code in _FORWARDED_CODES
    postings: list[Posting] = []
    for line in fact.lines:
        _post_group(postings, line.paid_cents, line.adjustments, dims, policy, forwarded,
                    line.submitted_line_id, line.service_line_payment_id)
    claim_cash = fact.paid_cents - sum(line.paid_cents for line in fact.lines)
    _post_group(postings, claim_cash, fact.adjustments, dims, policy, forwarded, None, None)
    return postings


def _post_group(out: list[Posting], cash: int, adjustments: Sequence[CasFact], dims: Dims,
                policy: Mapping[tuple[str, str], str], forwarded: bool,
                submitted_line: int | None, paid_line: int | None) -> None:
    """Append one service line's (or the claim level's) cash and CAS debits, balanced by one
    credit to the payer's receivable.

    One pass that appends to ``out`` and keeps the running total: this runs for every line
    of every paid claim, so it builds no list per group and sums nothing twice.  A PR
    amount of a forwarded claim moves to the next payer's receivable when one is known.
    """
    payer_id, next_payer = dims.payer_id, dims.next_payer_id
    account_id, claim_id = dims.patient_account_id, dims.submitted_claim_id
    total = cash
    if cash:
        out.append(Posting("cash_clearing", cash, None, account_id, claim_id, submitted_line,
                           paid_line))
    for cas in adjustments:
        group, reason, amount = cas.group, cas.reason, cas.amount_cents
        account = policy.get((group, reason)) or policy.get((group, "*"), "other_adjustments")
        payer = payer_id if account == "insurance_ar" else None
        if account == "patient_ar" and forwarded and next_payer is not None:
            account, payer = "insurance_ar", next_payer
        total += amount
        out.append(Posting(account, amount, payer, account_id, claim_id, submitted_line,
                           paid_line, cas.adjustment_id, None, group, reason))
    if total:
        out.append(Posting("insurance_ar", -total, payer_id, account_id, claim_id,
                           submitted_line, paid_line))
