"""Claim-level checks the engine adds to the 837 parser's: a claim that fails one is
stored but holds its charge (intake), and ``parse`` shows the same problems up front.

Pure functions over the parsed record, so ``parse`` needs no database to run them.
"""

from __future__ import annotations

from edi_posting.money import format_cents
from edi_posting.problems import Problem, Severity
from edi_posting.records.claim import ClaimFrequency, SubmittedClaimRecord

__all__ = ["claim_problems", "intake_checks"]


def intake_checks(claim: SubmittedClaimRecord) -> list[Problem]:
    """No lines, CLM02 not the sum of the line charges, no payer (a void needs none)."""
    if claim.frequency_code == ClaimFrequency.VOID:
        return []
    src, pcn = claim.source, claim.patient_control_number
    found = []
    if not claim.lines:
        found.append(Problem("CLAIM_WITHOUT_LINES", Severity.ERROR,
                             f"claim {pcn} has no service lines", src))
    line_total = sum(line.charge_cents for line in claim.lines)
    if claim.lines and line_total != claim.total_charge_cents:
        found.append(Problem(
            "CLAIM_CHARGE_MISMATCH", Severity.ERROR,
            f"claim {pcn}: CLM02 {format_cents(claim.total_charge_cents)}"
            f" but the lines sum to {format_cents(line_total)} (difference "
            f"{format_cents(claim.total_charge_cents - line_total)})",
            src, "CLM02",
            {"expected": format_cents(line_total), "actual": format_cents(claim.total_charge_cents)},
        ))
    if claim.payer is None:
        found.append(Problem("CLAIM_WITHOUT_PAYER", Severity.ERROR,
                             f"claim {pcn} names no payer", src))
    return found


def claim_problems(claim: SubmittedClaimRecord) -> list[Problem]:
    """The problems that hold a claim's charge: the parser's errors, then ours."""
    return [p for p in claim.problems if p.severity is not Severity.WARNING] + intake_checks(claim)
