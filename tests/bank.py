"""Bank deposit files written inside tests: BAI2 with its control totals computed (or
given wrong on purpose), and the demo mapping's CSV."""

from __future__ import annotations

import itertools
from pathlib import Path

__all__ = ["bai2", "csv_file", "detail", "write_bank"]

_names = itertools.count(1)


def detail(type_code: str, cents: int, ref: str, text: str, *, funds: str = "Z",
           customer: str | None = None, continued: str | None = None) -> list[str]:
    """One 16 record (and an 88 continuing its text when ``continued``)."""
    lines = [f"16,{type_code},{cents},{funds},{ref},{customer or ref},{text}"]
    if continued is not None:
        lines.append(f"88,{continued}")
    return lines


def bai2(*details: list[str], as_of: str = "260311", account: str = "0012345678",
         account_total: int | None = None, file_records: int | None = None) -> str:
    """One file, one group, one account holding ``details``; totals right unless given."""
    amounts = [int(line.split(",")[2]) for d in details for line in d if line.startswith("16,")]
    total = sum(amounts)
    body = [line for d in details for line in d]
    control = account_total if account_total is not None else 2 * total
    account_lines = [f"03,{account},USD,010,{total},{len(amounts)},Z/", *body,
                     f"49,{control},{len(body) + 2}/"]
    group = [f"02,PRACTICE01,BANK001,1,{as_of},,USD,2/", *account_lines,
             f"98,{2 * total},1,{len(account_lines) + 2}/"]
    records = len(group) + 2 if file_records is None else file_records
    return "\n".join([f"01,BANK001,PRACTICE01,{as_of},0600,1,,,2/", *group,
                      f"99,{2 * total},1,{records}/"]) + "\n"


def csv_file(*rows: tuple[str, str, str, str],
             header: str = "date,amount,reference,description") -> str:
    return "\n".join([header, *(",".join(r) for r in rows)]) + "\n"


def write_bank(directory: Path, text: str, suffix: str = "bai") -> Path:
    path = directory / f"bank-{next(_names):03d}.{suffix}"
    path.write_text(text, encoding="ascii")
    return path
