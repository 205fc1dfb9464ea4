"""Code values of an 835 checked against the code lists, on the remittance's date.

A code is valid when the list has it in effect on the remittance's date (BPR16, else
DTM*405, else today).  What a code that fails is:

* ERROR ``INVALID_<LIST>``: it cannot be a code of the list at all (``CAS*CO*4500``);
* ERROR ``RETIRED_<LIST>`` / ``NOT_YET_VALID_<LIST>``: its stop date is on or before the
  date / its start date after it;
* ``UNKNOWN_<LIST>``: well formed but not in the list: an ERROR when the list is complete
  (group codes, CLP02, PLB reasons; CARC/RARC once ``codes update`` loaded the published
  tables), a WARNING while the list is a curated subset, which may lack a real code.

Read from the raw segments (one streaming pass), so each problem names its segment
position and element exactly, and the 999 can point at it (IK403 ``7``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from edi_posting.codes.records import CodeList, CodeListName, CodeVerdict
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["CodeUse", "check_codes", "code_list_problem", "code_uses", "remittance_date"]

_WORD = {CodeListName.CARC: "CARC", CodeListName.RARC: "RARC",
         CodeListName.GROUP: "ADJUSTMENT_GROUP", CodeListName.CLAIM_STATUS: "CLAIM_STATUS",
         CodeListName.PLB_REASON: "PLB_REASON"}
_PREFIX = {CodeVerdict.IMPOSSIBLE: "INVALID", CodeVerdict.UNKNOWN: "UNKNOWN",
           CodeVerdict.RETIRED: "RETIRED", CodeVerdict.NOT_YET: "NOT_YET_VALID"}
_WHY = {CodeVerdict.IMPOSSIBLE: "cannot be a code of the {list} list",
        CodeVerdict.UNKNOWN: "is not in the {list} list ({origin}, as of {as_of})",
        CodeVerdict.RETIRED: "was retired before {day} (stop date {stop})",
        CodeVerdict.NOT_YET: "is not yet in effect on {day} (start date {start})"}
_RARC_ELEMENTS = {"MOA": range(3, 8), "MIA": (5, 20, 21, 22, 23)}
_PLB_REASONS = (3, 5, 7, 9, 11, 13)


@dataclass(frozen=True, slots=True)
class CodeUse:
    """One code value in the file: which list, where (element position, component)."""

    list_name: CodeListName
    code: str
    segment_id: str
    position: int  # segment position in the file
    element: int
    component: int | None = None

    @property
    def element_name(self) -> str:
        return f"{self.segment_id}{self.element:02d}" + (
            f"-{self.component}" if self.component else "")


def remittance_date(segments: Iterable[tuple[list[str], int]]) -> dt.date | None:
    """BPR16, else DTM*405 (the header's): the date codes must be in effect on."""
    for elements, _position in segments:
        tag = elements[0]
        if tag == "BPR" and len(elements) > 16 and _ccyymmdd(elements[16]):
            return _ccyymmdd(elements[16])
        if tag == "DTM" and len(elements) > 2 and elements[1] == "405":
            return _ccyymmdd(elements[2])
        if tag in ("LX", "CLP"):
            return None
    return None


def code_uses(segments: Iterable[tuple[list[str], int]], component: str, version: str
              ) -> Iterator[CodeUse]:
    """Every code of a list in an 835 body; CLP02 only for 005010 (4010 has others)."""
    for elements, position in segments:
        tag, count = elements[0], len(elements)
        values = [e.strip() for e in elements]
        if tag == "CAS" and count > 1 and values[1]:
            yield CodeUse(CodeListName.GROUP, values[1], tag, position, 1)
            yield from (CodeUse(CodeListName.CARC, values[i], tag, position, i)
                        for i in range(2, min(count, 18), 3) if values[i])
        elif tag in _RARC_ELEMENTS:
            yield from (CodeUse(CodeListName.RARC, values[i], tag, position, i)
                        for i in _RARC_ELEMENTS[tag] if i < count and values[i])
        elif tag == "LQ" and count > 2 and values[1] == "HE" and values[2]:
            yield CodeUse(CodeListName.RARC, values[2], tag, position, 2)
        elif tag == "CLP" and count > 2 and values[2] and version.startswith("00501"):
            yield CodeUse(CodeListName.CLAIM_STATUS, values[2], tag, position, 2)
        elif tag == "PLB":
            yield from (CodeUse(CodeListName.PLB_REASON, values[i].split(component)[0].strip(),
                                tag, position, i, 1)
                        for i in _PLB_REASONS if i < count and values[i])


def check_codes(uses: Iterable[CodeUse], lists: dict[CodeListName, CodeList], day: dt.date,
                source: SourceRef) -> Iterator[tuple[CodeUse, Problem]]:
    """Each code that is not valid on ``day``, with its problem."""
    for use in uses:
        code_list = lists[use.list_name]
        verdict = code_list.verdict(use.code, day)
        if verdict is CodeVerdict.ACTIVE:
            continue
        is_warning = verdict is CodeVerdict.UNKNOWN and not code_list.complete
        yield use, _problem(use, code_list, verdict, day, source, is_warning)


def _problem(use: CodeUse, code_list: CodeList, verdict: CodeVerdict, day: dt.date,
             source: SourceRef, is_warning: bool) -> Problem:
    entry = code_list.get(use.code)
    why = _WHY[verdict].format(list=code_list.name.value, origin=code_list.origin.split()[0],
                               as_of=code_list.as_of.isoformat(), day=day.isoformat(),
                               stop=entry.stop if entry else None,
                               start=entry.start if entry else None)
    note = "; update the list with `edi-posting codes update`" if is_warning else ""
    return Problem(code_list_problem(verdict, use.list_name),
                   Severity.WARNING if is_warning else Severity.ERROR,
                   f"{use.element_name} {use.code!r} {why}{note}",
                   source.at(use.position), use.element_name,
                   {"list": code_list.name.value, "code": use.code})


def code_list_problem(verdict: CodeVerdict, list_name: CodeListName) -> ProblemCode:
    """The one place a code-list problem code is composed (``INVALID_CARC`` ...): each is a
    member, so a verdict or list without one raises here (ValueError), never stores a
    code no one can look up."""
    if verdict not in _PREFIX:
        raise ValueError(f"{verdict.value}: a valid code has no problem")
    return ProblemCode(f"{_PREFIX[verdict]}_{_WORD[list_name]}")


def _ccyymmdd(text: str) -> dt.date | None:
    text = text.strip()
    try:
        return dt.datetime.strptime(text, "%Y%m%d").date() if len(text) == 8 else None
    except ValueError:
        return None
