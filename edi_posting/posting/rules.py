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
* denied (4, or any other status paying $0 and assigning nothing to the patient): nothing
  posts; the claim stays open and a denial review item carries the codes.  A $0 payment
  posts (its adjustments written off as their policy says) only when the payer's policy
  marks every CARC on it contractual on zero pay (capitation, value-based contracts): a
  write-off nobody decided is lost revenue nobody sees, so no CARC is marked by default.
* 22 reversal: handled by the caller (exact negation of the original entries).
* 23 and 25: recorded, never posted as payment.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from edi_posting.db.ledger import AccountCode
from edi_posting.ledger.journal import Posting

__all__ = [
    "DEFAULT_CARC_POLICY",
    "NO_ZERO_PAY",
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
DEFAULT_CARC_POLICY: Mapping[tuple[str, str], AccountCode] = {
    ("OA", "23"): AccountCode.OTHER_ADJUSTMENTS,  # prior payer's adjudication: written off here
    ("OA", "*"): AccountCode.OTHER_ADJUSTMENTS,
    ("PI", "*"): AccountCode.OTHER_ADJUSTMENTS,
    ("CO", "*"): AccountCode.CONTRACTUAL_ADJUSTMENTS,
    ("PR", "*"): AccountCode.PATIENT_AR,
}
# No CARC is contractual on zero pay by default, not even CO-24 (capitation): a $0 payment
# is a denial until a practice marks, per payer, what its contracts settle at $0.
NO_ZERO_PAY: Mapping[tuple[str, str], bool] = MappingProxyType({})



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


def classify(fact: ClaimFact,
             zero_pay_contractual: Mapping[tuple[str, str], bool] = NO_ZERO_PAY) -> Disposition:
    """What the claim payment is.  ``zero_pay_contractual``: (group, CARC or ``*``) -> does
    the payer's policy mark it contractual on zero pay (:attr:`CarcPolicy.zero_pay`)."""
    code = fact.status_code
    if code == "22":
        return Disposition.REVERSAL
    if code in ("23", "25"):
        return Disposition.RECORD_ONLY
    if code == "4":
        return Disposition.DENIED
    if fact.paid_cents == 0 and _denied_by_zero_pay(fact, zero_pay_contractual):
        return Disposition.DENIED
    return Disposition.FORWARDED if code in _FORWARDED_CODES else Disposition.POST


def _denied_by_zero_pay(fact: ClaimFact, contractual: Mapping[tuple[str, str], bool]) -> bool:
    """Paid $0, nothing for the patient, and a CARC the policy does not mark contractual on
    zero pay: a denial.  The amount paid never makes a payment valid by itself (X12 allows a
    $0 capitated payment), but neither does a CARC missing from some denial list."""
    every_cas = list(fact.adjustments) + [c for line in fact.lines for c in line.adjustments]
    patient_cents = sum([c.amount_cents for c in every_cas if c.group == "PR"])
    if not every_cas or patient_cents != 0:
        return False  # nothing to write off, or the patient owes it
    return not all(contractual.get((c.group, c.reason), contractual.get((c.group, "*"), False))
                   for c in every_cas)


def claim_postings(fact: ClaimFact, dims: Dims,
                   policy: Mapping[tuple[str, str], AccountCode] = DEFAULT_CARC_POLICY,
                   ) -> list[Posting]:
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
                policy: Mapping[tuple[str, str], AccountCode], forwarded: bool,
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
        out.append(Posting(AccountCode.CASH_CLEARING, cash, None, account_id, claim_id,
                           submitted_line, paid_line))
    for cas in adjustments:
        group, reason, amount = cas.group, cas.reason, cas.amount_cents
        account = (policy.get((group, reason))
                   or policy.get((group, "*"), AccountCode.OTHER_ADJUSTMENTS))
        payer = payer_id if account == AccountCode.INSURANCE_AR else None
        if account == AccountCode.PATIENT_AR and forwarded and next_payer is not None:
            account, payer = AccountCode.INSURANCE_AR, next_payer
        total += amount
        out.append(Posting(account, amount, payer, account_id, claim_id, submitted_line,
                           paid_line, cas.adjustment_id, None, group, reason))
    if total:
        out.append(Posting(AccountCode.INSURANCE_AR, -total, payer_id, account_id, claim_id,
                           submitted_line, paid_line))
