"""Bank deposit CSV files, read through a small named mapping of their columns.

Banks export CSV with their own headers; a :class:`CsvMapping` names which header holds
the date, the amount, the reference (trace or check number), the description, the account
and, optionally, a flag marking a returned item.  ``demo`` (the generator's and the demo's
``bank/deposits.csv``) is the default; ``bank-export`` is the common
``Posting Date,Amount,Reference,Description,Account,Type`` layout whose Type ``RETURN``
marks a returned item.  A row that cannot be read rejects the file, naming row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from edi_posting.bank.records import BankFileRead, DepositLine
from edi_posting.bank.traces import line_trace
from edi_posting.money import AmountError, parse_amount, to_cents
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["DEFAULT_MAPPING", "MAPPINGS", "CsvMapping", "read_csv"]

_RETURN_FLAGS = frozenset({"RETURN", "RETURNED", "NSF", "CHARGEBACK", "REVERSAL", "Y", "YES",
                           "TRUE", "1"})


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which header names each field (``None``: the file has no such column)."""

    name: str
    date: str
    amount: str
    reference: str
    description: str
    account: str | None = None
    returned: str | None = None  # a column whose RETURN / NSF / Y marks a returned item
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)


MAPPINGS: dict[str, CsvMapping] = {m.name: m for m in (
    CsvMapping("demo", "date", "amount", "reference", "description"),
    CsvMapping("bank-export", "Posting Date", "Amount", "Reference", "Description",
               account="Account", returned="Type", date_formats=("%m/%d/%Y", "%Y-%m-%d")),
)}
DEFAULT_MAPPING = "demo"


class _BadRow(Exception):
    def __init__(self, row: int, column: str, message: str) -> None:
        super().__init__(message)
        self.row, self.column = row, column


def _date(text: str, row: int, mapping: CsvMapping) -> dt.date:
    for fmt in mapping.date_formats:
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise _BadRow(row, mapping.date, f"row {row}, column {mapping.date!r}: {text!r} is not "
                  f"a date ({' or '.join(mapping.date_formats)})")


def _cents(text: str, row: int, column: str) -> int:
    try:
        return to_cents(parse_amount(text.strip().replace(",", "")))
    except AmountError as exc:
        raise _BadRow(row, column, f"row {row}, column {column!r}: {exc}") from None


def _line(values: dict[str, str], row: int, mapping: CsvMapping) -> DepositLine:
    returned = bool(mapping.returned) and values.get(mapping.returned or "", "").strip() \
        .upper() in _RETURN_FLAGS
    amount = _cents(values.get(mapping.amount, ""), row, mapping.amount)
    reference = values.get(mapping.reference, "").strip() or None
    text = values.get(mapping.description, "").strip()
    account = values.get(mapping.account, "").strip() or None if mapping.account else None
    return DepositLine(row, _date(values.get(mapping.date, ""), row, mapping),
                       -abs(amount) if returned else amount, reference, None, text,
                       line_trace(text, reference), account, None, returned)


def _missing(header: list[str], mapping: CsvMapping) -> list[str]:
    wanted = [mapping.date, mapping.amount, mapping.reference, mapping.description,
              *(c for c in (mapping.account, mapping.returned) if c)]
    return [c for c in wanted if c not in header]


def read_csv(data: str, *, file_name: str, sha256: str, mapping: CsvMapping) -> BankFileRead:
    """The file's rows as deposit lines, or one FATAL problem naming the row and column."""
    reader = csv.reader(io.StringIO(data))
    header = [h.strip() for h in next(reader, [])]
    source = SourceRef(sha256, file_name, segment_position=1)
    missing = _missing(header, mapping)
    if missing:
        return BankFileRead((), (Problem(
            ProblemCode.BANK_FILE_UNREADABLE, Severity.FATAL,
            f"row 1: the header lacks {', '.join(map(repr, missing))} (mapping "
            f"{mapping.name!r}: pick another with --mapping)", source, missing[0]),))
    lines = []
    try:
        for row, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            lines.append(_line(dict(zip(header, cells)), row, mapping))
    except _BadRow as bad:
        return BankFileRead((), (Problem(ProblemCode.BANK_RECORD_INVALID, Severity.FATAL,
                                         str(bad), source.at(bad.row), bad.column),))
    return BankFileRead(tuple(lines))
