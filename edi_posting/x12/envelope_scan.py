"""Validation, pass 1: an X12 file -> the interchanges, groups and sets our reader finds.

Consumes a file path (and its SHA-256); produces an :class:`EnvelopeScan`: the file's
FATAL problems (empty, UTF-16, binary, truncated or garbage input, which pyx12 never
sees), its separators, and each interchange with its groups and sets as our reader saw
them.  That is enough to answer for an interchange or a group pyx12 cannot read
(:func:`unread_group`) and to reject a file with nothing to validate
(:func:`check_set_counts`).  Bounded time, no pyx12.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from edi_posting.records.envelope import normalize_control_number
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.ack_records import GroupResult, SetResult
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.reader import X12Reader

__all__ = [
    "EnvelopeScan",
    "ScannedInterchange",
    "check_set_counts",
    "scan_envelopes",
    "unread_group",
]


@dataclass(slots=True)
class ScannedInterchange:
    """One interchange as our reader saw it: enough to answer for it if pyx12 cannot."""

    isa: list[str]
    position: int
    groups: list[tuple[list[str], int, list[tuple[list[str], int]]]] = field(
        default_factory=list
    )  # (GS elements, position, [(ST elements, position)])
    is_group_open: bool = False
    stray_sets: int = 0  # ST..SE outside GS..GE


@dataclass(slots=True)
class EnvelopeScan:
    problems: list[Problem]
    delimiters: Delimiters | None
    interchanges: list[ScannedInterchange]
    sets_outside: int  # ST..SE with no ISA before them


def scan_envelopes(path: Path, sha256: str) -> EnvelopeScan:
    """Read every segment once with our reader (bounded time, FATAL problems on junk)."""
    interchanges: list[ScannedInterchange] = []
    outside = 0
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        for elements, position in reader.segments():
            tag = elements[0]
            stripped = [e.strip() for e in elements]
            if tag == "ISA":
                interchanges.append(ScannedInterchange(stripped, position))
            elif not interchanges:
                outside += tag == "ST"
            elif tag in ("GS", "GE"):
                current = interchanges[-1]
                current.is_group_open = tag == "GS"
                if tag == "GS":
                    current.groups.append((stripped, position, []))
            elif tag == "ST" and interchanges[-1].is_group_open:
                interchanges[-1].groups[-1][2].append((stripped, position))
            elif tag == "ST":
                interchanges[-1].stray_sets += 1
        return EnvelopeScan(list(reader.problems), reader.delimiters, interchanges, outside)


def check_set_counts(scan: EnvelopeScan, sha256: str, name: str) -> list[Problem]:
    source = SourceRef(sha256, name)
    if not scan.interchanges:
        return [
            Problem(
                ProblemCode.ENVELOPE_REQUIRED,
                Severity.FATAL,
                "no ISA/GS envelope: validation "
                "needs GS08 to choose the implementation guide, and the envelope "
                "to address the acknowledgments",
                source,
                "ISA",
            )
        ]
    if scan.sets_outside:
        return [
            Problem(
                ProblemCode.ST_OUTSIDE_GROUP,
                Severity.ERROR,
                f"{scan.sets_outside} transaction set(s) before the first ISA were not validated",
                source,
                "ISA",
            )
        ]
    if not any(sets for s in scan.interchanges for _, _, sets in s.groups) and not any(
        s.stray_sets for s in scan.interchanges
    ):
        return [
            Problem(
                ProblemCode.NO_TRANSACTION_SET,
                Severity.FATAL,
                "the file holds no transaction set (ST..SE) to validate",
                source,
                "ST",
            )
        ]
    return []


def unread_group(group: tuple[list[str], int, list[tuple[list[str], int]]]) -> GroupResult:
    """A group pyx12 did not get to, as our reader saw it (its sets answer R)."""
    gs, position, sets = group
    at = functools.partial(_at, gs)
    return GroupResult(
        at(1),
        at(2),
        at(3),
        normalize_control_number(at(6)),
        at(8),
        position,
        None,
        (),
        tuple(
            SetResult(_at(st, 1), normalize_control_number(_at(st, 2)), _at(st, 3) or at(8),
                      st_position)
            for st, st_position in sets
        ),
    )


def _at(elements: list[str], index: int) -> str:
    return elements[index] if index < len(elements) else ""
