"""BAI2 cash-management files (version 2): the detail lines of the accounts they report.

Records ``01`` file header, ``02`` group (the as-of date), ``03`` account (with its
summaries), ``16`` transaction detail (type code, amount, funds type, bank reference,
customer reference, text), ``88`` continuation of the record before, ``49`` account, ``98``
group and ``99`` file trailers.  A record ends at ``/`` except a 16's text, which runs to
the end of the line and continues in 88 records.  Amounts carry two implied decimals.

Every control total and record count is checked (account: the sum of its 03 and 16
amounts and its records from 03 to 49; group: its accounts' totals, their number and its
records; file: the same over groups): a file that does not add up is rejected whole with
a FATAL problem naming the record number and what differs, because a bank file missing a
line would otherwise post a day that does not exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from edi_posting.bank.records import BankFileRead, DepositLine
from edi_posting.bank.traces import line_trace
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["RETURN_TYPE_CODES", "looks_like_bai2", "read_bai2"]

#: BAI2 debit type codes that return a deposited item (the deposit it returns is reversed)
RETURN_TYPE_CODES: dict[str, str] = {
    "451": "ACH debit received (an ACH credit reversed)",
    "466": "ACH return item",
    "555": "deposited item returned (a bounced check)",
}
_FUNDS_EXTRA = {"": 0, "Z": 0, "0": 0, "1": 0, "2": 0, "V": 2, "S": 3}


@dataclass(slots=True)
class _Record:
    number: int  # the physical record it starts at (1-based)
    code: str
    body: str  # the fields after the record code (88 continuations joined)
    physical: int = 1


@dataclass(slots=True)
class _Totals:
    """One level's running sums: amounts, records and the children it closed."""

    start: int
    amount: int = 0
    records: int = 0
    children: int = 0


class _BadRecord(Exception):
    def __init__(self, number: int, element: str, message: str,
                 code: ProblemCode = ProblemCode.BANK_RECORD_INVALID) -> None:
        super().__init__(message)
        self.number, self.element, self.code = number, element, code


def looks_like_bai2(data: str) -> bool:
    return data.lstrip().startswith("01,")


def _records(data: str) -> list[_Record]:
    """Physical lines into logical records, 88 continuations joined to the one before."""
    out: list[_Record] = []
    for number, raw in enumerate(data.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        code, _, rest = line.partition(",")
        if code != "88":
            out.append(_Record(number, code, rest))
            continue
        if not out:
            raise _BadRecord(number, "88", f"record {number}: a continuation (88) before any "
                             "record", ProblemCode.BANK_STRUCTURE_INVALID)
        before = out[-1]
        joiner = " " if before.code == "16" else ","
        before.body = (before.body if before.code == "16" else before.body.rstrip("/")) \
            + joiner + rest
        before.physical += 1
    return out


def _fields(record: _Record) -> list[str]:
    return record.body.rstrip().removesuffix("/").split(",")


def _amount(text: str, number: int, element: str) -> int:
    cleaned = text.strip()
    if cleaned == "":
        return 0
    digits = cleaned.lstrip("+-")
    if not digits.isdigit():
        raise _BadRecord(number, element, f"record {number}: {element} {cleaned!r} is not an "
                         "amount in cents")
    return -int(digits) if cleaned.startswith("-") else int(digits)


def _count(text: str, number: int, element: str) -> int:
    if not text.strip().isdigit():
        raise _BadRecord(number, element, f"record {number}: {element} {text!r} is not a "
                         "number")
    return int(text)


def _date(text: str, number: int, element: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.strip(), "%y%m%d").date()
    except ValueError:
        raise _BadRecord(number, element, f"record {number}: {element} {text!r} is not a "
                         "date (YYMMDD)") from None


@dataclass(slots=True)
class _Reader:
    """The BAI2 state machine: file -> groups -> accounts -> details, totals checked."""

    lines: list[DepositLine] = field(default_factory=list)
    file: _Totals | None = None
    group: _Totals | None = None
    account: _Totals | None = None
    as_of: dt.date | None = None
    account_number: str | None = None
    ended: bool = False

    def feed(self, record: _Record) -> None:
        handler = _HANDLERS.get(record.code)
        if handler is None:
            raise _BadRecord(record.number, "record code", f"record {record.number}: unknown "
                             f"record code {record.code!r}")
        for level in (self.file, self.group, self.account):
            if level is not None:
                level.records += record.physical
        handler(self, record)

    def _need(self, level: _Totals | None, record: _Record, inside: str) -> _Totals:
        if level is None or self.ended:
            raise _BadRecord(record.number, record.code, f"record {record.number} "
                             f"({record.code}) outside {inside}",
                             ProblemCode.BANK_STRUCTURE_INVALID)
        return level

    def header(self, record: _Record) -> None:
        if self.file is not None:
            raise _BadRecord(record.number, "01", f"record {record.number}: a second file "
                             "header (01)", ProblemCode.BANK_STRUCTURE_INVALID)
        self.file = _Totals(record.number, records=record.physical)

    def group_header(self, record: _Record) -> None:
        self._need(self.file, record, "a file (01)")
        if self.group is not None:
            raise _BadRecord(record.number, "02", f"record {record.number}: group header "
                             "(02) before the last group's trailer (98)",
                             ProblemCode.BANK_STRUCTURE_INVALID)
        fields = _fields(record)
        self.as_of = _date(fields[3] if len(fields) > 3 else "", record.number,
                           "02 as-of date")
        self.group = _Totals(record.number, records=record.physical)

    def account_header(self, record: _Record) -> None:
        self._need(self.group, record, "a group (02)")
        if self.account is not None:
            raise _BadRecord(record.number, "03", f"record {record.number}: account (03) "
                             "before the last account's trailer (49)",
                             ProblemCode.BANK_STRUCTURE_INVALID)
        fields = _fields(record)
        self.account_number = fields[0].strip() or None
        self.account = _Totals(record.number, records=record.physical)
        summaries = fields[2:]
        index = 0
        while index + 1 < len(summaries):  # type code, amount, item count, funds type
            self.account.amount += _amount(summaries[index + 1], record.number,
                                           "03 summary amount")
            funds = summaries[index + 3].strip().upper() if index + 3 < len(summaries) else ""
            index += 4 + _FUNDS_EXTRA.get(funds, 0)

    def detail(self, record: _Record) -> None:
        account = self._need(self.account, record, "an account (03)")
        line = _detail(record, self.as_of or dt.date.min, self.account_number)
        account.amount += abs(line.amount_cents)
        self.lines.append(line)

    def account_trailer(self, record: _Record) -> None:
        account = self._need(self.account, record, "an account (03)")
        fields = _fields(record)
        total = _amount(fields[0], record.number, "49 account control total")
        count = _count(fields[1] if len(fields) > 1 else "", record.number,
                       "49 number of records")
        _compare(record, "49 account control total", total, account.amount)
        _compare(record, "49 number of records", count, account.records)
        group = self._need(self.group, record, "a group (02)")
        group.amount += total
        group.children += 1
        self.account = None

    def group_trailer(self, record: _Record) -> None:
        group = self._need(self.group, record, "a group (02)")
        if self.account is not None:
            raise _BadRecord(record.number, "98", f"record {record.number}: group trailer "
                             "(98) before its account's trailer (49)",
                             ProblemCode.BANK_STRUCTURE_INVALID)
        fields = _fields(record)
        total = _amount(fields[0], record.number, "98 group control total")
        _compare(record, "98 group control total", total, group.amount)
        _compare(record, "98 number of accounts",
                 _count(_at(fields, 1), record.number, "98 number of accounts"), group.children)
        _compare(record, "98 number of records",
                 _count(_at(fields, 2), record.number, "98 number of records"), group.records)
        file = self._need(self.file, record, "a file (01)")
        file.amount += total
        file.children += 1
        self.group = None

    def file_trailer(self, record: _Record) -> None:
        file = self._need(self.file, record, "a file (01)")
        if self.group is not None:
            raise _BadRecord(record.number, "99", f"record {record.number}: file trailer "
                             "(99) before its group's trailer (98)",
                             ProblemCode.BANK_STRUCTURE_INVALID)
        fields = _fields(record)
        _compare(record, "99 file control total",
                 _amount(fields[0], record.number, "99 file control total"), file.amount)
        _compare(record, "99 number of groups",
                 _count(_at(fields, 1), record.number, "99 number of groups"), file.children)
        _compare(record, "99 number of records",
                 _count(_at(fields, 2), record.number, "99 number of records"), file.records)
        self.ended = True


_HANDLERS = {"01": _Reader.header, "02": _Reader.group_header, "03": _Reader.account_header,
             "16": _Reader.detail, "49": _Reader.account_trailer, "98": _Reader.group_trailer,
             "99": _Reader.file_trailer}


def _at(fields: list[str], index: int) -> str:
    return fields[index] if len(fields) > index else ""


def _compare(record: _Record, element: str, stated: int, counted: int) -> None:
    if stated != counted:
        raise _BadRecord(record.number, element,
                         f"record {record.number}: {element} is {stated}, the records add up "
                         f"to {counted}", ProblemCode.BANK_CONTROL_MISMATCH)


def _detail(record: _Record, as_of: dt.date, account: str | None) -> DepositLine:
    """One 16 record: type code, amount, funds type (and its extra fields), bank
    reference, customer reference, then the text (commas and all)."""
    parts = record.body.split(",")
    if len(parts) < 3:
        raise _BadRecord(record.number, "16", f"record {record.number}: a detail (16) needs "
                         "a type code, an amount and a funds type")
    type_code, funds = parts[0].strip(), parts[2].strip().upper()
    amount = _amount(parts[1], record.number, "16 amount")
    extra = _FUNDS_EXTRA.get(funds)
    if extra is None and funds == "D":
        extra = 1 + 2 * _count(_at(parts, 3), record.number, "16 distribution count")
    if extra is None:
        raise _BadRecord(record.number, "16 funds type", f"record {record.number}: funds type "
                         f"{funds!r} is not one of Z, 0, 1, 2, V, S, D")
    rest = parts[3 + extra:]
    # a line without text may end its last reference with the "/" other records end with
    bank_ref = _at(rest, 0).strip().removesuffix("/").strip() or None
    customer_ref = _at(rest, 1).strip().removesuffix("/").strip() or None
    text = ",".join(rest[2:]).strip().removesuffix("/").strip()
    debit = type_code.isdigit() and 400 <= int(type_code) < 700
    return DepositLine(record.number, as_of, -amount if debit else amount, bank_ref,
                       customer_ref, text, line_trace(text, customer_ref, bank_ref), account,
                       type_code, type_code in RETURN_TYPE_CODES)


def read_bai2(data: str, *, file_name: str, sha256: str) -> BankFileRead:
    """The file's detail lines, or a FATAL problem naming the record that is wrong."""
    reader = _Reader()
    try:
        for record in _records(data):
            reader.feed(record)
        if not reader.ended:
            raise _BadRecord(len(data.splitlines()), "99", "the file ends without its file "
                             "trailer (99)", ProblemCode.BANK_STRUCTURE_INVALID)
    except _BadRecord as bad:
        return BankFileRead((), (Problem(bad.code, Severity.FATAL, str(bad),
                                         SourceRef(sha256, file_name,
                                                   segment_position=bad.number),
                                         bad.element),))
    return BankFileRead(tuple(reader.lines))
