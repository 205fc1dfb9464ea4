"""A keyed EOB's balancing and problems as the workbench's form shows them while it is
keyed: per claim charge - adjustments = paid (and its lines), the check's amount against
its claims' payments less its PLB, and every problem named by the form field it is about.

The verdicts are the 835's own (:mod:`edi_posting.x12.remit835.balancing`), carried as
problems on the records the keyed reader built; the sums here only show the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from edi_posting.keyed.checks import KeyedCheck
from edi_posting.keyed.fields import keyed_problem
from edi_posting.keyed.reader import KeyedFile
from edi_posting.keyed.rows import KeyedRow
from edi_posting.matching.lookup import DatabaseClaimLookup
from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.parties.identity import normalize_pcn
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import ClaimPaymentRecord, ServiceLinePaymentRecord
from edi_posting.records.source import SourceRef

__all__ = ["CheckBalance", "ClaimBalance", "FieldProblem", "KeyedEobCheck", "LineBalance",
           "balance_of"]

_CHECK_PATH = "checks[0]."  # the form keys one check: its fields are named below it
#: the keyed column a balancing problem is about (the 835 element it stands for)
_BALANCING_COLUMN = {ProblemCode.SERVICE_UNBALANCED: "line_paid",
                     ProblemCode.CLAIM_UNBALANCED: "claim_paid",
                     ProblemCode.PATIENT_RESPONSIBILITY_MISMATCH: "patient_responsibility",
                     ProblemCode.TRANSACTION_UNBALANCED: "payment_amount"}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """A problem and the form field it names (its path in the check; None: the file)."""

    field: str | None
    problem: Problem

    @property
    def is_error(self) -> bool:
        return self.problem.severity is not Severity.WARNING


@dataclass(frozen=True, slots=True)
class LineBalance:
    path: str  # claims[0].lines[0]
    procedure: str
    charge_cents: int
    adjusted_cents: int
    paid_cents: int
    difference_cents: int  # paid - (charge - adjustments): 0 when it balances


@dataclass(frozen=True, slots=True)
class ClaimBalance:
    path: str  # claims[0]
    pcn: str
    status: str
    charge_cents: int
    adjusted_cents: int  # every adjustment of its lines (a keyed claim has no claim CAS)
    paid_cents: int
    patient_responsibility_cents: int | None
    difference_cents: int
    billed: bool  # a billed claim has this PCN
    lines: tuple[LineBalance, ...]


@dataclass(frozen=True, slots=True)
class CheckBalance:
    check_number: str
    payer: str  # as keyed
    payer_found: str | None  # the payer's name as we know it, None: unknown
    payment_cents: int
    claims_paid_cents: int
    plb_cents: int  # positive takes money back
    difference_cents: int  # payment - (claims paid - PLB): 0 when it balances


@dataclass(frozen=True, slots=True)
class KeyedEobCheck:
    file_name: str
    sha256: str
    checks: tuple[CheckBalance, ...]
    claims: tuple[ClaimBalance, ...]
    problems: tuple[FieldProblem, ...]  # the reader's, the payer's, unknown PCNs, balancing

    @property
    def errors(self) -> tuple[FieldProblem, ...]:
        """What ``import`` would reject the document for (balancing only holds a claim)."""
        return tuple(p for p in self.problems if p.is_error
                     and p.problem.code not in _BALANCING_COLUMN)

    @property
    def balanced(self) -> bool:
        return not any(p.problem.code in _BALANCING_COLUMN and p.is_error
                       for p in self.problems)


def balance_of(conn: Connection, keyed: KeyedFile, rows: Sequence[KeyedRow],
               payers: Sequence[tuple[int, str, str] | None], problems: Sequence[Problem],
               source: SourceRef) -> KeyedEobCheck:
    """The figures of each check and claim, and every problem named by its field."""
    by_row = {row.number: row for row in rows}
    claims = [c for check in keyed.checks for c in check.read.claims]
    billed = DatabaseClaimLookup(conn).by_pcns([c.patient_control_number for c in claims])
    found = list(problems)
    shown: list[ClaimBalance] = []
    for claim in claims:
        balance = _claim(claim, by_row,
                         bool(billed.get(normalize_pcn(claim.patient_control_number))))
        shown.append(balance)
        found += list(claim.problems)
        if not balance.billed and claim.patient_control_number:
            found.append(_unbilled(claim, by_row, source))
    checks = tuple(_check(c, p) for c, p in zip(keyed.checks, payers, strict=True))
    found += [p for c in keyed.checks for p in c.read.problems]
    named = tuple(FieldProblem(_field(p, by_row), p) for p in found)
    return KeyedEobCheck(source.file_name or "", source.file_sha256, checks, tuple(shown),
                         named)


def _claim(claim: ClaimPaymentRecord, rows: dict[int, KeyedRow], billed: bool) -> ClaimBalance:
    lines = tuple(_line(line, rows, claim.problems) for line in claim.service_lines)
    adjusted = sum(a.amount_cents for a in claim.adjustments) + sum(
        ln.adjusted_cents for ln in lines)
    return ClaimBalance(
        _path(claim.source, rows, "claim_pcn", ".pcn"), claim.patient_control_number,
        claim.status_code, claim.charge_cents, adjusted, claim.paid_cents,
        claim.patient_responsibility_cents,
        _difference(claim.problems, ProblemCode.CLAIM_UNBALANCED), billed, lines)


def _line(line: ServiceLinePaymentRecord, rows: dict[int, KeyedRow],
          problems: Sequence[Problem]) -> LineBalance:
    """A line's service-level verdict travels on its claim, at the line's own row."""
    row = line.source.row if line.source else None
    own = [p for p in problems if p.source is not None and p.source.row == row]
    return LineBalance(
        _path(line.source, rows, "line_paid", ".paid"), line.procedure.code, line.charge_cents,
        sum(a.amount_cents for a in line.adjustments), line.paid_cents,
        _difference(own, ProblemCode.SERVICE_UNBALANCED))


def _check(check: KeyedCheck, payer: tuple[int, str, str] | None) -> CheckBalance:
    totals = check.read.end.totals
    header = check.read.header
    return CheckBalance(
        header.transaction_set_control_number, check.payer, payer[1] if payer else None,
        totals.payment_cents, totals.claim_paid_cents, totals.provider_adjustment_cents,
        _difference(check.read.problems, ProblemCode.TRANSACTION_UNBALANCED))


def _difference(problems: Sequence[Problem], code: ProblemCode) -> int:
    for problem in problems:
        if problem.code == code:
            try:
                return to_cents(parse_amount(problem.details.get("difference", "0")))
            except AmountError:
                return 0
    return 0


def _path(source: SourceRef | None, rows: dict[int, KeyedRow], column: str, leaf: str) -> str:
    row = rows.get(source.row or 0) if source else None
    label = row.label(column) if row else ""
    return label.removeprefix(_CHECK_PATH).removesuffix(leaf)


def _field(problem: Problem, rows: dict[int, KeyedRow]) -> str | None:
    """The form field a problem names: a keyed problem's column is its JSON path; a
    balancing problem names the 835 element, whose keyed column is on its row."""
    column = _BALANCING_COLUMN.get(problem.code)
    if column is not None:
        row = rows.get(problem.source.row or 0) if problem.source else None
        return row.label(column).removeprefix(_CHECK_PATH) if row else None
    return (problem.element or "").removeprefix(_CHECK_PATH) or None  # an unknown payer's
    # element is its column, ``payer``: the form's field of that name


def _unbilled(claim: ClaimPaymentRecord, rows: dict[int, KeyedRow],
              source: SourceRef) -> Problem:
    row = claim.source.row if claim.source else None
    at = SourceRef(source.file_sha256, source.file_name, row=row, keyed_by=source.keyed_by)
    keyed = rows.get(row or 0)
    return keyed_problem(
        ProblemCode.UNMATCHED_PAYMENT, at, keyed.label("claim_pcn") if keyed else "claim_pcn",
        claim.patient_control_number, "no claim we billed has this PCN: posting would look "
        "for it by member ID and name, else queue the payment unmatched",
        Severity.WARNING)
