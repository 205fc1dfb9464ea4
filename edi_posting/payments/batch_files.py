"""The two payment CSVs ``import`` recognises by their header row, read and checked.

* **Patient payments** (a day's front desk, mail and online payments), header
  ``date,account,claim,amount,method,reference,name`` (``name`` may be left out): each
  row one patient payment, as ``payment post`` takes it (``account`` may be empty when
  ``claim`` names the claim: its account is used).
* **Lockbox** (the bank's detail of the checks it received), header
  ``date,check_number,amount,remitter,reference``: each row one check, from a payer or a
  patient; ``reference`` is the invoice or account reference the sender wrote.

Every row is checked before anything posts: each value that no payment can have is an
ERROR naming the file, the row (the header is row 1) and the column, and the caller posts
nothing of a file with one.  Reads only; no database.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
from dataclasses import dataclass
from pathlib import Path

from edi_posting.db.payments import PaymentMethod
from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["LOCKBOX_HEADER", "PATIENT_HEADER", "PaymentFileKind", "PaymentRow", "header_kind",
           "read_payment_rows", "row_problem"]

PATIENT_HEADER = ("date", "account", "claim", "amount", "method", "reference", "name")
LOCKBOX_HEADER = ("date", "check_number", "amount", "remitter", "reference")
_PATIENT_METHODS = ("cash", "check", "card", "online")
_LONGEST = {"name": 256, "remitter": 256}  # received_payments' columns; 80 for the others


class PaymentFileKind(enum.StrEnum):
    """``received_files.kind`` of the payment CSVs."""

    PATIENT_PAYMENTS = "patient_payments"
    LOCKBOX = "lockbox"


@dataclass(frozen=True, slots=True)
class PaymentRow:
    """One checked row: what a payment needs, with where it was (row, 1 = header)."""

    row: int
    received_date: dt.date
    amount_cents: int
    reference: str  # the payment's own: receipt, card or check number
    method: PaymentMethod
    account: str | None = None  # patient payments: the account paid
    claim: str | None = None  # patient payments: the claim named (PCN), if any
    remitter: str | None = None  # who paid, as written
    sent_reference: str | None = None  # lockbox: the invoice or account reference written


def _columns(line: str) -> tuple[str, ...]:
    return tuple(c.strip().lower() for c in next(csv.reader([line.lstrip("\ufeff")]), []))


def header_kind(head: bytes) -> PaymentFileKind | None:
    """The kind of payment file whose first line is this header, or None."""
    first = head.decode("utf-8", "replace").splitlines()[0] if head.strip() else ""
    columns = _columns(first)
    if columns in (PATIENT_HEADER, PATIENT_HEADER[:-1]):
        return PaymentFileKind.PATIENT_PAYMENTS
    if columns == LOCKBOX_HEADER:
        return PaymentFileKind.LOCKBOX
    return None


def row_problem(path: Path, sha256: str, row: int, column: str, message: str,
                code: ProblemCode = ProblemCode.PAYMENT_ROW_INVALID,
                severity: Severity = Severity.ERROR) -> Problem:
    return Problem(code, severity, f"{path.name}: row {row}, column {column}: {message}",
                   SourceRef(sha256, path.name, segment_position=row), column)


class _Row:
    """One row's cells, each read once, its problems gathered (all of them, not the first)."""

    def __init__(self, path: Path, sha256: str, number: int, cells: dict[str, str]) -> None:
        self.path, self.sha256, self.number, self.cells = path, sha256, number, cells
        self.problems: list[Problem] = []

    def fail(self, column: str, message: str) -> None:
        self.problems.append(row_problem(self.path, self.sha256, self.number, column, message))

    def text(self, column: str, *, required: bool = True) -> str | None:
        value = (self.cells.get(column) or "").strip()
        if not value and required:
            self.fail(column, "empty; a value is required")
        if len(value) > _LONGEST.get(column, 80):
            self.fail(column, f"longer than {_LONGEST.get(column, 80)} characters")
            return None
        return value or None

    def day(self) -> dt.date | None:
        value = self.text("date")
        try:
            return dt.date.fromisoformat(value) if value else None
        except ValueError:
            self.fail("date", f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def cents(self) -> int | None:
        value = self.text("amount")
        if value is None:
            return None
        try:
            cents = to_cents(parse_amount(value))
        except AmountError as exc:
            self.fail("amount", str(exc))
            return None
        if cents <= 0:
            self.fail("amount", f"{value} is not more than 0.00")
            return None
        return cents


def _patient_row(row: _Row) -> PaymentRow | None:
    day, cents, account = row.day(), row.cents(), row.text("account", required=False)
    method, reference = row.text("method"), row.text("reference")
    if account is None and row.text("claim", required=False) is None:
        row.fail("account", "empty; give the account, or the claim (PCN) it pays")
    if method is not None and method.lower() not in _PATIENT_METHODS:
        row.fail("method", f"{method!r} is not one of {', '.join(_PATIENT_METHODS)}")
    if row.problems or day is None or cents is None or not method or not reference:
        return None
    return PaymentRow(row.number, day, cents, reference, PaymentMethod(method.lower()),
                      account=account, claim=row.text("claim", required=False),
                      remitter=row.text("name", required=False))


def _lockbox_row(row: _Row) -> PaymentRow | None:
    day, number, cents = row.day(), row.text("check_number"), row.cents()
    if row.problems or day is None or cents is None or not number:
        return None
    return PaymentRow(row.number, day, cents, number, PaymentMethod.CHECK,
                      remitter=row.text("remitter", required=False),
                      sent_reference=row.text("reference", required=False))


def read_payment_rows(path: Path, sha256: str, kind: PaymentFileKind
                      ) -> tuple[list[PaymentRow], list[Problem]]:
    """Every row checked; the rows fit to post and every problem (row and column named)."""
    text = path.read_bytes().decode("utf-8-sig", "replace")
    reader = csv.DictReader(io.StringIO(text))
    reader.fieldnames = [c.strip().lower() for c in reader.fieldnames or []]
    read = _patient_row if kind == PaymentFileKind.PATIENT_PAYMENTS else _lockbox_row
    rows: list[PaymentRow] = []
    problems: list[Problem] = []
    for cells in reader:
        if not any((v or "").strip() for v in cells.values() if isinstance(v, str)):
            continue  # a row of empty cells
        row = _Row(path, sha256, reader.line_num, cells)
        found = read(row)
        problems += row.problems
        rows += [found] if found is not None else []
    if not rows and not problems:
        problems.append(row_problem(path, sha256, 1, "date", "the file has no payment rows"))
    return rows, problems
