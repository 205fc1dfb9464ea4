"""Acknowledgment stage: validation findings -> 999/997/TA1, problems and set statuses.

The records (:mod:`~edi_posting.x12.ack_records`) say what validation found in X12
terms; :func:`build_acks` (:mod:`~edi_posting.x12.validation.ack_writer`) writes the 999 (997) and
TA1 interchanges from them.  This module turns the same findings into the
:class:`~edi_posting.records.problems.Problem` shape (:func:`findings_as_problems`), gives each
transaction set its status (:func:`set_statuses`, what the import reads) and names the
acknowledgment files (:func:`ack_file_names`).  The names the package had before the
split are all importable from here.

An acknowledgment's text may copy a bad value back to the trading partner (IK404): it is
an X12 artifact, written to a file or kept with the received file, never printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from edi_posting.records.envelope import control_key
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.ack_records import (
    Ack,
    AckStatus,
    Finding,
    InterchangeResult,
    SetResult,
)

__all__ = ["ack_file_names", "findings_as_problems", "is_accepted", "set_statuses", "set_statuses_at"]


def ack_file_names(input_name: str, acks: Sequence[Ack]) -> list[str]:
    """File names for ``acks``, in order: ``remit.835.999`` (``.997``) for the file's only
    functional acknowledgment, else ``remit.835.<ISA13>.<GS06>.999``; ``remit.835.ta1`` for
    its only TA1, else ``remit.835.<ISA13>.ta1``.  Unsafe characters become ``_``."""
    names = []
    for ack in acks:
        same_kind = [a for a in acks if (a.kind == "TA1") == (ack.kind == "TA1")]
        parts = (
            []
            if len(same_kind) == 1
            else [ack.isa13] + ([ack.gs06] if ack.gs06 is not None else [])
        )
        safe = [re.sub(r"[^A-Za-z0-9-]", "_", part) or "_" for part in parts]
        names.append(".".join([input_name, *safe, ack.kind.lower()]))
    return names


def set_statuses(interchanges: Sequence[InterchangeResult]) -> dict[tuple[str, str, str], str]:
    """(ISA13, GS06, ST02) -> "A" or "R": a set is rejected with its group or interchange.

    Keys repeated in one file (it happens) keep the worst status.
    """
    status: dict[tuple[str, str, str], str] = {}
    for ich in interchanges:
        for group in ich.groups:
            is_rejected = ich.status is AckStatus.REJECTED or bool(group.findings)
            for tset in group.sets:
                key = control_key(ich.control_number, group.control_number,
                                  tset.control_number)
                value = AckStatus.REJECTED.value if is_rejected else tset.status.value
                if status.get(key) != AckStatus.REJECTED.value:
                    status[key] = value
    return status


def set_statuses_at(interchanges: Sequence[InterchangeResult]) -> dict[int, str]:
    """The ST's segment position in the file -> "A" or "R": one verdict per set even when
    two interchanges repeat the same (ISA13, GS06, ST02), which :func:`set_statuses` merges
    (control numbers are unique per sender only; the import looks its sets up here)."""
    status: dict[int, str] = {}
    for ich in interchanges:
        for group in ich.groups:
            is_rejected = ich.status is AckStatus.REJECTED or bool(group.findings)
            for tset in group.sets:
                rejected = is_rejected or tset.status is AckStatus.REJECTED
                status[tset.file_position] = (AckStatus.REJECTED if rejected
                                              else tset.status).value
    return status


def is_accepted(ack: Ack) -> bool:
    """Did this acknowledgment accept everything it answers (TA104, AK901 ``A``)?  Read
    from its own text, so the answer cannot be confused with another interchange's."""
    element = ack.text[3:4]
    for line in ack.text.splitlines():
        values = line[:-1].split(element) if element else []
        if values and values[0] == "TA1" and len(values) > 4:
            return values[4] == AckStatus.ACCEPTED.value
        if values and values[0] == "AK9" and len(values) > 1:
            return values[1] == AckStatus.ACCEPTED.value
    return False


def findings_as_problems(
    interchanges: Sequence[InterchangeResult],
    sha256: str,
    file_name: str,
) -> list[Problem]:
    """Every finding as a Problem (ERROR: its unit is rejected in the 999/TA1; the rest of
    the file is not), with the acknowledgment element and code in ``details``."""
    problems: list[Problem] = []
    for ich in interchanges:
        source = SourceRef(sha256, file_name, ich.control_number, None, None, ich.file_position)
        if ich.failure is not None:
            problems.append(
                Problem(
                    ProblemCode.VALIDATOR_FAILED,
                    Severity.FATAL,
                    f"{ich.failure}: interchange {ich.control_number} was not validated",
                    source,
                    "ISA",
                )
            )
        problems += [_problem(f, source, "ISA", "TA105") for f in ich.findings]
        for group in ich.groups:
            source = SourceRef(
                sha256,
                file_name,
                ich.control_number,
                group.control_number,
                None,
                group.file_position,
            )
            problems += [_problem(f, source, "GS", "AK905") for f in group.findings]
            problems += [Problem(f.name, Severity.WARNING, f.message, source, "GS08")
                         for f in group.notes]
            for tset in group.sets:
                problems += _set_problems(tset, source)
    return problems


def _set_problems(tset: SetResult, group_source: SourceRef) -> list[Problem]:
    source = SourceRef(
        group_source.file_sha256,
        group_source.file_name,
        group_source.interchange_control_number,
        group_source.group_control_number,
        tset.control_number,
        tset.file_position,
    )
    problems = [_problem(f, source, "ST", "IK502") for f in tset.findings]
    for error in tset.segments:
        at = source.at(error.file_position)
        problems += [_problem(f, at, error.segment_id, "IK304") for f in error.findings]
        for element in error.elements:
            name = f"{error.segment_id}{element.position:02d}" + (
                f"-{element.component}" if element.component else ""
            )
            problems += [_problem(f, at, name, "IK403") for f in element.findings]
    return problems


def _problem(finding: Finding, source: SourceRef, element: str, ack_element: str) -> Problem:
    details = {"x12": f"{ack_element}={finding.x12_code}"} if finding.x12_code else {}
    return Problem(finding.name, Severity.ERROR, finding.message, source, element, details)
