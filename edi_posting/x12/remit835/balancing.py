"""Normalize stage: the three 835 balancing levels, as problems.

Consumes :class:`ServiceLinePayment`, :class:`ClaimPayment` and transaction sums
(:func:`service_balances`, :func:`claim_balances` and :func:`patient_share_agrees` are the
one definition of each check, the ``*_imbalance``/``*_mismatch`` functions the one wording
of its problem); produces :class:`Problem` records naming the level, the segment, and the expected and
actual amounts with their difference.  Nothing here ever adds an adjustment to make a
remittance balance: an unbalanced item is held for a person (OpenEMR's forced
"Balancing" line is the anti-pattern).  AMT and QTY are informational and never enter a
sum.

* service: SVC02 - sum(line CAS) = SVC03 (ERROR ``SERVICE_UNBALANCED``)
* claim: CLP03 - sum(claim CAS + line CAS) = CLP04 (ERROR ``CLAIM_UNBALANCED``); CLP05
  against the PR adjustments (WARNING ``PATIENT_RESPONSIBILITY_MISMATCH``)
* transaction: sum(CLP04) - sum(PLB) = BPR02 (ERROR ``TRANSACTION_UNBALANCED``), computed
  while streaming with :class:`TransactionBalance`.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi_posting.money import format_cents
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    ProviderAdjustmentRecord,
    ServiceLinePaymentRecord,
)
from edi_posting.records.source import SourceRef

__all__ = [
    "BALANCING_CODES",
    "TransactionBalance",
    "check_claim",
    "check_service_line",
    "claim_balances",
    "claim_imbalance",
    "patient_share_agrees",
    "patient_share_mismatch",
    "service_balances",
    "service_imbalance",
]

BALANCING_CODES = frozenset((
    ProblemCode.SERVICE_UNBALANCED, ProblemCode.CLAIM_UNBALANCED,
    ProblemCode.TRANSACTION_UNBALANCED, ProblemCode.PATIENT_RESPONSIBILITY_MISMATCH))


def _imbalance(
    code: ProblemCode, severity: Severity, level: str, what: str, expected: int, actual: int,
    source: SourceRef, element: str,
) -> Problem:
    difference = actual - expected
    position = source.position  # a keyed EOB's row (see SourceRef.where)
    return Problem(
        code, severity,
        f"{level} level does not balance: {what}; expected {format_cents(expected)}, "
        f"got {format_cents(actual)} (difference {format_cents(difference)}) "
        f"at {source.where}",
        source, element,
        {
            "level": level,
            "segment_position": str(position),
            "expected": format_cents(expected),
            "actual": format_cents(actual),
            "difference": format_cents(difference),
        },
    )


def service_balances(charge_cents: int, adjusted_cents: int, paid_cents: int) -> bool:
    """Service level: SVC02 - sum(CAS on the line) = SVC03."""
    return charge_cents - adjusted_cents == paid_cents


def claim_balances(charge_cents: int, adjusted_cents: int, paid_cents: int) -> bool:
    """Claim level: CLP03 - sum(claim and line CAS) = CLP04."""
    return charge_cents - adjusted_cents == paid_cents


def patient_share_agrees(declared_cents: int | None, patient_share_cents: int) -> bool:
    """CLP05 (when sent) = sum(PR adjustments, claim and line)."""
    return declared_cents is None or declared_cents == patient_share_cents


def service_imbalance(procedure_code: str, charge_cents: int, adjusted_cents: int,
                      paid_cents: int, source: SourceRef) -> Problem:
    """The SERVICE_UNBALANCED problem of a line :func:`service_balances` rejected."""
    return _imbalance(
        ProblemCode.SERVICE_UNBALANCED, Severity.ERROR, "service",
        f"line {procedure_code!r}: SVC02 {format_cents(charge_cents)} minus "
        f"adjustments {format_cents(adjusted_cents)} should equal SVC03",
        charge_cents - adjusted_cents, paid_cents, source, "SVC03",
    )


def claim_imbalance(patient_control_number: str, charge_cents: int, adjusted_cents: int,
                    paid_cents: int, source: SourceRef) -> Problem:
    """The CLAIM_UNBALANCED problem of a claim :func:`claim_balances` rejected."""
    return _imbalance(
        ProblemCode.CLAIM_UNBALANCED, Severity.ERROR, "claim",
        f"claim {patient_control_number!r}: CLP03 {format_cents(charge_cents)} "
        f"minus claim and line adjustments {format_cents(adjusted_cents)} should equal CLP04",
        charge_cents - adjusted_cents, paid_cents, source, "CLP04",
    )


def patient_share_mismatch(patient_control_number: str, declared_cents: int,
                           patient_share_cents: int, source: SourceRef) -> Problem:
    """The WARNING for a CLP05 :func:`patient_share_agrees` rejected."""
    return _imbalance(
        ProblemCode.PATIENT_RESPONSIBILITY_MISMATCH, Severity.WARNING, "claim",
        f"claim {patient_control_number!r}: CLP05 should equal the PR adjustments",
        patient_share_cents, declared_cents, source, "CLP05",
    )


def check_service_line(line: ServiceLinePaymentRecord) -> Problem | None:
    """SVC02 - sum(CAS on the line) = SVC03, or a SERVICE_UNBALANCED problem."""
    adjusted = 0
    for adjustment in line.adjustments:
        adjusted += adjustment.amount_cents
    if service_balances(line.charge_cents, adjusted, line.paid_cents):
        return None
    return service_imbalance(line.procedure.code, line.charge_cents, adjusted, line.paid_cents,
                             line.source)


def check_claim(claim: ClaimPaymentRecord) -> list[Problem]:
    """Service level for each line, then the claim level, then CLP05 against PR."""
    problems: list[Problem] = []
    adjusted = patient_share = 0
    for adjustment in claim.adjustments:
        adjusted += adjustment.amount_cents
        if adjustment.group_code == "PR":
            patient_share += adjustment.amount_cents
    for line in claim.service_lines:
        problem = check_service_line(line)
        if problem is not None:
            problems.append(problem)
        for adjustment in line.adjustments:
            adjusted += adjustment.amount_cents
            if adjustment.group_code == "PR":
                patient_share += adjustment.amount_cents
    if not claim_balances(claim.charge_cents, adjusted, claim.paid_cents):
        problems.append(claim_imbalance(claim.patient_control_number, claim.charge_cents,
                                        adjusted, claim.paid_cents, claim.source))
    declared = claim.patient_responsibility_cents
    if not patient_share_agrees(declared, patient_share):
        assert declared is not None
        problems.append(patient_share_mismatch(claim.patient_control_number, declared,
                                               patient_share, claim.source))
    return problems


@dataclass(slots=True)
class TransactionBalance:
    """Sums for the transaction level, accumulated claim by claim while streaming."""

    claim_paid_cents: int = 0
    provider_adjustment_cents: int = 0
    is_computable: bool = True  # False once an amount could not be read

    def add_claim(self, claim: ClaimPaymentRecord) -> None:
        self.claim_paid_cents += claim.paid_cents

    def add_claim_paid(self, paid_cents: int) -> None:
        """CLP04 of a claim known by its amounts only (``parse --stats``)."""
        self.claim_paid_cents += paid_cents

    def add_provider_adjustment(self, adjustment: ProviderAdjustmentRecord) -> None:
        self.provider_adjustment_cents += adjustment.amount_cents

    def check(self, payment_cents: int, source: SourceRef) -> Problem | None:
        """sum(CLP04) - sum(PLB) = BPR02, or TRANSACTION_UNBALANCED (None if not computable)."""
        if not self.is_computable:
            return None
        expected = self.claim_paid_cents - self.provider_adjustment_cents
        if expected == payment_cents:
            return None
        return _imbalance(
            ProblemCode.TRANSACTION_UNBALANCED, Severity.ERROR, "transaction",
            f"sum of CLP04 {format_cents(self.claim_paid_cents)} minus PLB "
            f"{format_cents(self.provider_adjustment_cents)} should equal BPR02",
            expected, payment_cents, source, "BPR02",
        )
