"""One bank line as read from a deposit file: what reconciliation needs of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from edi_posting.records.problems import Problem

__all__ = ["BankFileRead", "DepositLine"]


@dataclass(frozen=True, slots=True)
class DepositLine:
    """A credit (a deposit) or, with ``is_return``, a returned item debited back.

    ``amount_cents`` is signed as the bank moved the money: a deposit positive, a returned
    item or other debit negative.  ``record`` is the BAI2 record number (physical line) or
    the CSV row number (the header is row 1): what an error names."""

    record: int
    deposit_date: dt.date
    amount_cents: int
    bank_reference: str | None
    customer_reference: str | None
    text: str
    trace: str | None  # normalised (traces.normalize_trace); None when the line names none
    account: str | None
    type_code: str | None = None
    is_return: bool = False

    @property
    def identity(self) -> str:
        """What makes a line the same line again, in this file or another (the same day
        as BAI2 and as CSV): the bank's reference, unique per bank; a line without one is
        known by its account, date, amount and text."""
        if self.bank_reference:
            return f"ref|{self.bank_reference.upper()}"[:160]
        return (f"line|{self.account or '-'}|{self.deposit_date}|{self.amount_cents}|"
                f"{self.text}")[:160]


@dataclass(frozen=True, slots=True)
class BankFileRead:
    """A whole bank file read: its lines and what was wrong (a FATAL problem: none kept)."""

    lines: tuple[DepositLine, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def rejected(self) -> bool:
        return any(p.is_fatal for p in self.problems)
