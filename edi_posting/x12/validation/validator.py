"""Validation stage: an X12 file -> pyx12's implementation-guide verdict, problems, 999/TA1.

Consumes a file path; produces a :class:`ValidationResult`: whether the file is valid, its
problems (the one :class:`~edi_posting.records.problems.Problem` shape), the acknowledgments to
send back (:mod:`edi_posting.x12.validation.acks`), and each transaction set's status (A or R) so
that the import can skip rejected sets.

Our reader goes first, twice over the file and in bounded time: once to find the
interchanges, groups and sets (:mod:`~edi_posting.x12.envelope_scan`, which rejects
empty, UTF-16, binary, truncated or garbage input with its FATAL problems, which pyx12
never sees), then to hand pyx12 one interchange at a time
(:mod:`~edi_posting.x12.validation.walk`); pyx12's error tree becomes our records in
:mod:`~edi_posting.x12.validation.findings`, and we write the 999 from them
(:mod:`~edi_posting.x12.validation.ack_writer`).  This module ties the passes together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.x12.ack_records import Ack, AckStatus, InterchangeResult
from edi_posting.x12.delimiters import Delimiters
from edi_posting.x12.envelope_scan import check_set_counts, scan_envelopes
from edi_posting.x12.sniff import HEAD_BYTES, sniff_kind
from edi_posting.x12.validation.ack_writer import build_acks
from edi_posting.x12.validation.acks import findings_as_problems, set_statuses, set_statuses_at
from edi_posting.x12.validation.content_checks import check_content
from edi_posting.x12.validation.findings import isa_finding
from edi_posting.x12.validation.walk import check_file

__all__ = ["ValidationResult", "validate_path"]

SetKey = tuple[str, str, str]  # (ISA13, GS06, ST02)


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """One file's verdict: what the CLI prints, what the import reads (``set_status``)."""

    path: str
    sha256: str
    kind: str  # sniffed: "835", "837P", "837I", "837D", "999" or "unknown"
    valid: bool
    problems: list[Problem]
    acks: list[Ack]
    set_status: dict[SetKey, str]  # "A" | "E" | "R" (E is not produced by pyx12 today)
    interchanges: tuple[InterchangeResult, ...] = ()
    # the ST's segment position in the file -> status: one per set, even when interchanges
    # from two senders (or one sender, twice) repeat the same control numbers
    set_status_at: dict[int, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return self.valid


def validate_path(
    path: str | os.PathLike[str],
    *,
    now: dt.datetime | None = None,
    first_control_number: int | None = None,
) -> ValidationResult:
    """Validate one file against its implementation guide (GS08) and build its acks.

    ``now`` dates the acknowledgments; their ISA13/GS06 count up from
    ``first_control_number`` (default: derived from the file's SHA-256, so validating the
    same file twice writes the same acknowledgments).
    """
    path = Path(path)
    sha256, head = _digest(path)
    scan = scan_envelopes(path, sha256)
    problems = list(scan.problems)
    interchanges: tuple[InterchangeResult, ...] = ()
    acks: list[Ack] = []
    noted: list[Problem] = []  # claim-level 835 errors: the set is accepted with errors
    if not any(p.is_fatal for p in problems):
        content = check_content(path, sha256, sniff_kind(head),
                                tuple(check_file(path, sha256, scan)))
        problems += findings_as_problems(content.checked, sha256, path.name)
        problems += content.problems  # 835 balancing and code lists (content_checks)
        interchanges = content.answered
        noted = [p for p in content.problems if p not in content.rejecting]
        problems += check_set_counts(scan, sha256, path.name)
    answered, delimiters = (
        (interchanges, scan.delimiters) if interchanges else (_unreadable_isa(head, problems))
    )
    if answered and delimiters is not None:
        start = first_control_number or int(sha256[:12], 16) % 999_000_000 + 1
        acks = build_acks(
            answered, delimiters, control_numbers=_count(start), now=now or dt.datetime.now()
        )
    status = set_statuses(interchanges)
    is_valid = (
        bool(status)
        and all(s in (AckStatus.ACCEPTED, AckStatus.ACCEPTED_WITH_ERRORS)
                for s in status.values())
        and not any(p.severity is not Severity.WARNING and p not in noted for p in problems)
    )
    return ValidationResult(
        str(path), sha256, sniff_kind(head), is_valid, problems, acks, status, interchanges,
        set_statuses_at(interchanges),
    )


def _digest(path: Path) -> tuple[str, bytes]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
        digest.update(head)
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest(), head


def _unreadable_isa(
    head: bytes, problems: list[Problem]
) -> tuple[tuple[InterchangeResult, ...], Delimiters | None]:
    """An ISA our reader cannot take apart (no terminator, too few elements, cut short)
    still gets its TA1 rejection when ISA13 can be read after the element separator."""
    problem = next((p for p in problems if p.code in (ProblemCode.BAD_ISA,
                                                      ProblemCode.TRUNCATED)), None)
    text = head[:512].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if problem is None or not text.startswith("ISA") or len(text) < 4 or text[3].isalnum():
        return (), None
    values = [v.strip() for v in text.split(text[3], 16)]
    if len(values) < 14 or not values[13][:9].isdigit() or len(values[13]) < 9:
        return (), None
    values[13] = values[13][:9]
    note = "023" if problem.code == ProblemCode.TRUNCATED else "022"  # cut short / too few elements
    if "terminator" in problem.message:
        note = "004"
    isa = ("ISA", *(values[1:17] + [""] * 16)[:16])
    spare = [c for c in "~:^|!" if c != text[3]]
    return (
        (InterchangeResult(isa, 1, (isa_finding(note, problem.message),)),),
        Delimiters(text[3], spare[1], spare[2], spare[0]),
    )


def _count(start: int) -> Iterator[int]:
    number = start
    while True:
        yield number
        number = number % 999_999_999 + 1
