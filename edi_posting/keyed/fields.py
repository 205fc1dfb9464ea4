"""One typed value of a keyed row, or a problem naming file, row, column and value.

A :class:`RowReader` reads the columns of one row and keeps every problem it found, so a
whole file is checked before anything is decided: a keyer fixes the file once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from edi_posting.codes.check835 import code_list_problem
from edi_posting.codes.records import CodeList, CodeVerdict
from edi_posting.keyed.rows import KeyedRow
from edi_posting.money import AmountError, AmountRangeError, parse_amount, to_cents
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["RowReader", "keyed_problem"]

_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_VERDICT = {CodeVerdict.IMPOSSIBLE: "cannot be a code of the {} list",
            CodeVerdict.UNKNOWN: "is not in the {} list",
            CodeVerdict.RETIRED: "was retired from the {} list by {}",
            CodeVerdict.NOT_YET: "is not yet valid in the {} list on {}"}


def keyed_problem(code: ProblemCode, source: SourceRef, column: str | None, value: str | None,
                  what: str, severity: Severity = Severity.ERROR) -> Problem:
    """The one shape of a keyed file's problem: ``file row N column C: what ('value')``."""
    where = f"{source.file_name} {source.where}" + (f" column {column}" if column else "")
    shown = f" ({value!r})" if value else ""
    details = {"row": str(source.row) if source.row is not None else ""}
    if column:
        details["column"] = column
    if value is not None:
        details["value"] = value
    return Problem(code, severity, f"{where}: {what}{shown}", source, column, details)


@dataclass
class RowReader:
    row: KeyedRow
    source: SourceRef  # the file, this row, who keyed it
    problems: list[Problem] = field(default_factory=list)

    def fail(self, code: ProblemCode, column: str | None, what: str,
             severity: Severity = Severity.ERROR, value: str | None = None) -> None:
        value = value if value is not None else self.row.get(column) if column else None
        label = self.row.label(column) if column else None
        self.problems.append(keyed_problem(code, self.source, label, value, what, severity))

    def text(self, column: str, *, required: bool = False, longest: int = 80) -> str | None:
        """The value as keyed; ``longest``: what the column it is stored in holds."""
        value = self.row.get(column)
        if not value:
            if required:
                self.fail(ProblemCode.KEYED_FIELD_MISSING, column, "required, and empty")
            return None
        if len(value) > longest:
            self.fail(ProblemCode.KEYED_FIELD_INVALID, column, f"longer than {longest} characters")
            return None
        return value

    def cents(self, column: str, *, required: bool = False) -> int | None:
        """An amount: Decimal with at most two decimals, then integer cents."""
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            return to_cents(parse_amount(value.replace("$", "", 1)))
        except AmountRangeError as exc:
            self.fail(ProblemCode.AMOUNT_OUT_OF_RANGE, column, str(exc))
        except AmountError:
            self.fail(ProblemCode.INVALID_AMOUNT, column,
                      "not an amount with at most two decimals (e.g. 1234.50)")
        return None

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        for form in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(value, form).date()
            except ValueError:
                continue
        self.fail(ProblemCode.INVALID_DATE, column, "not a date (YYYY-MM-DD or MM/DD/YYYY)")
        return None

    def choice(self, column: str, allowed: tuple[str, ...], *, required: bool = False
               ) -> str | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        if value.lower() not in allowed:
            self.fail(ProblemCode.KEYED_FIELD_INVALID, column, "not one of " + ", ".join(allowed))
            return None
        return value.lower()

    def code(self, column: str, code_list: CodeList, day: dt.date, *,
             required: bool = False) -> str | None:
        """A code of a list, valid on ``day`` (as an 835's: an unknown code of a curated
        list is a warning, of a complete list an error)."""
        value = self.text(column, required=required)
        if value is None:
            return None
        return self.check_code(column, value, code_list, day)

    def check_code(self, column: str, value: str, code_list: CodeList, day: dt.date) -> str:
        """One code of ``column`` (a cell may hold several, e.g. remarks)."""
        value = value.upper()
        verdict = code_list.verdict(value, day)
        if verdict is not CodeVerdict.ACTIVE:
            warning = verdict is CodeVerdict.UNKNOWN and not code_list.complete
            self.fail(code_list_problem(verdict, code_list.name), column,
                      _VERDICT[verdict].format(code_list.name.value, day.isoformat()),
                      Severity.WARNING if warning else Severity.ERROR, value)
        return value
