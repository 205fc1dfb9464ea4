"""Claim-level checks the engine adds to the 837 parser's: a claim that fails one is
stored but holds its charge (intake), and ``parse`` shows the same problems up front.

Pure functions over the parsed record, so ``parse`` needs no database to run them.
"""

from __future__ import annotations

from edi_posting.money import format_cents
from edi_posting.records.claim import ClaimFrequency, ClaimType, SubmittedClaimRecord
from edi_posting.records.problems import Problem, ProblemCode, Severity

__all__ = ["LINE_CHARGE_ELEMENTS", "claim_problems", "intake_checks", "negative_charge"]

# where a service line's charge is, by claim type (SV1 / SV2 / SV3)
LINE_CHARGE_ELEMENTS = {ClaimType.PROFESSIONAL: "SV102", ClaimType.INSTITUTIONAL: "SV203",
                        ClaimType.DENTAL: "SV302"}


def intake_checks(claim: SubmittedClaimRecord) -> list[Problem]:
    """No lines, a charge below zero, CLM02 not the sum of the line charges, no payer (a
    void needs none)."""
    if claim.frequency_code == ClaimFrequency.VOID:
        return []
    src, pcn = claim.source, claim.patient_control_number
    found = []
    if not claim.lines:
        found.append(Problem(ProblemCode.CLAIM_WITHOUT_LINES, Severity.ERROR,
                             f"claim {pcn} has no service lines", src))
    negative = negative_charge(claim)
    if negative is not None:
        found.append(negative)
    line_total = sum(line.charge_cents for line in claim.lines)
    if claim.lines and line_total != claim.total_charge_cents:
        found.append(Problem(
            ProblemCode.CLAIM_CHARGE_MISMATCH, Severity.ERROR,
            f"claim {pcn}: CLM02 {format_cents(claim.total_charge_cents)}"
            f" but the lines sum to {format_cents(line_total)} (difference "
            f"{format_cents(claim.total_charge_cents - line_total)})",
            src, "CLM02",
            {"expected": format_cents(line_total), "actual": format_cents(claim.total_charge_cents)},
        ))
    if claim.payer is None:
        found.append(Problem(ProblemCode.CLAIM_WITHOUT_PAYER, Severity.ERROR,
                             f"claim {pcn} names no payer", src))
    return found


def negative_charge(claim: SubmittedClaimRecord) -> Problem | None:
    """One problem naming every charge below zero (CLM02, line charges), or None.

    An 837 bills; it never credits.  Posted as sent, a negative charge would turn into a
    credit on the payer's receivable that nobody asked for, so the claim is held instead.
    The problem points at the first negative element; its message names each of them.
    """
    places: list[tuple[str, int | None, str]] = []  # (element, segment, how it is named)
    src = claim.source
    where = src.segment_position if src else None
    if claim.total_charge_cents < 0:
        named = f"CLM02 {format_cents(claim.total_charge_cents)} (segment {where})"
        places.append(("CLM02", where, named))
    element = LINE_CHARGE_ELEMENTS.get(claim.claim_type, "SV102")
    for line in claim.lines:
        if line.charge_cents < 0:
            at = line.source.segment_position if line.source else None
            number = line.line_number or line.ordinal
            named = (f"{element} {format_cents(line.charge_cents)} on line {number} "
                     f"(LX at segment {at})")
            places.append((element, at, named))
    if not places:
        return None
    first_element, first_segment, _ = places[0]
    source = src.at(first_segment) if src and first_segment is not None else src
    return Problem(
        ProblemCode.NEGATIVE_CHARGE, Severity.ERROR,
        f"claim {claim.patient_control_number}: a charge below zero is not a credit: "
        f"{', '.join(named for _, _, named in places)}; held, not charged",
        source, first_element,
    )


def claim_problems(claim: SubmittedClaimRecord) -> list[Problem]:
    """The problems that hold a claim's charge: the parser's errors, then ours."""
    return [p for p in claim.problems if p.severity is not Severity.WARNING] + intake_checks(claim)
