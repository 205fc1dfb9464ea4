"""Code lists as records: which lists exist, what one code says, when it is in effect.

X12 and WPC publish the code sets an 835 uses (CARC, RARC, claim adjustment group codes,
CLP02 claim statuses, PLB adjustment reasons) as tables with start and stop dates: a code
is valid on a date, not forever.  The engine keeps each list as data
(:mod:`edi_posting.codes.loader`) and these records say what was loaded and from where.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field

__all__ = ["CodeEntry", "CodeList", "CodeListName", "CodeVerdict", "parse_list_name"]


class CodeListName(enum.StrEnum):
    """The lists the engine reads; the value is the name on the command line."""

    CARC = "CARC"  # CAS02/05/08/11/14/17: claim adjustment reason codes
    RARC = "RARC"  # MOA03-07, MIA05/20-23, LQ02 (HE): remittance advice remark codes
    GROUP = "GROUP"  # CAS01: claim adjustment group codes
    CLAIM_STATUS = "CLAIM_STATUS"  # CLP02
    PLB_REASON = "PLB_REASON"  # PLB03-1 (05-1 ...): provider adjustment reason codes


# what a code of each list can look like at all: anything else is an ERROR on any list
_SHAPES = {
    CodeListName.CARC: re.compile(r"^(?:[1-9][0-9]{0,2}|[A-Z][0-9]{1,2})$"),
    CodeListName.RARC: re.compile(r"^(?:M[0-9]{1,3}|MA[0-9]{1,3}|N[0-9]{1,4})$"),
    CodeListName.GROUP: re.compile(r"^[A-Z]{2}$"),
    CodeListName.CLAIM_STATUS: re.compile(r"^[0-9]{1,2}$"),
    CodeListName.PLB_REASON: re.compile(r"^[A-Z0-9]{2}$"),
}


class CodeVerdict(enum.StrEnum):
    """What a list says about one code on one date."""

    ACTIVE = "active"
    UNKNOWN = "unknown"  # well formed, not in the list
    IMPOSSIBLE = "impossible"  # cannot be a code of this list at all
    RETIRED = "retired"  # its stop date is on or before the date
    NOT_YET = "not_yet"  # its start date is after the date


def parse_list_name(text: str) -> CodeListName:
    """The list a user named (any case, ``-`` for ``_``); ValueError naming the lists."""
    key = text.strip().upper().replace("-", "_")
    try:
        return CodeListName(key)
    except ValueError:
        names = ", ".join(n.value for n in CodeListName)
        raise ValueError(f"unknown code list {text!r}; the lists are: {names}") from None


@dataclass(frozen=True, slots=True)
class CodeEntry:
    code: str
    description: str
    start: dt.date | None = None  # None: not recorded (in effect before the list's records)
    stop: dt.date | None = None  # the first day it is no longer valid
    last_modified: dt.date | None = None

    def is_active_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.stop is None or day < self.stop)

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "description": self.description,
                "start": _iso(self.start), "stop": _iso(self.stop),
                "last_modified": _iso(self.last_modified)}


@dataclass(frozen=True, slots=True)
class CodeList:
    """One list with its metadata; ``complete`` says a code not in it is not a code."""

    name: CodeListName
    title: str
    source: str
    as_of: dt.date
    version: str
    complete: bool
    origin: str  # "shipped" or "updated" (a user's ``codes update``), with its path
    entries: dict[str, CodeEntry] = field(default_factory=dict)

    def get(self, code: str) -> CodeEntry | None:
        return self.entries.get(code.strip().upper())

    def description(self, code: str) -> str | None:
        entry = self.get(code)
        return entry.description if entry is not None and entry.description else None

    def active_on(self, day: dt.date) -> list[CodeEntry]:
        return [e for e in self.entries.values() if e.is_active_on(day)]

    def verdict(self, code: str, day: dt.date) -> CodeVerdict:
        """Valid on ``day``?  A code not in the list is UNKNOWN (its caller decides how
        bad that is from ``complete``) unless it cannot be a code of this list at all."""
        text = code.strip().upper()
        entry = self.entries.get(text)
        if entry is None:
            shape = _SHAPES[self.name]
            return CodeVerdict.UNKNOWN if shape.match(text) else CodeVerdict.IMPOSSIBLE
        if entry.stop is not None and entry.stop <= day:
            return CodeVerdict.RETIRED
        if entry.start is not None and day < entry.start:
            return CodeVerdict.NOT_YET
        return CodeVerdict.ACTIVE

    def info(self) -> dict[str, object]:
        origin, _, path = self.origin.partition(" ")
        return {"list": self.name.value, "title": self.title, "origin": origin,
                "path": path.strip("()"),
                "version": self.version, "as_of": self.as_of.isoformat(),
                "complete": self.complete, "codes": len(self.entries), "source": self.source}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None
