"""``import --validate``: pyx12's implementation-guide validation before anything posts.

The acknowledgements it writes (999, 997 for 004010, TA1) are kept with the received file
(``acknowledgements``), and the transaction sets it rejects are not posted: each becomes
a rejected set with a ``rejected_file`` review item, while the file's other sets import.
Without ``--validate`` the parser's own checks still run on every import; pyx12's full
validation is slow (hundreds of claims a second), so it runs only when asked.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from edi_posting.db.base import table_of
from edi_posting.db.models import Acknowledgement
from edi_posting.importing.units import FileResult, SetKey, Units
from edi_posting.records.envelope import control_key
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef

__all__ = ["rejection_of", "validate_for_import"]

_ACK = table_of(Acknowledgement)


def validate_for_import(units: Units, path: Path, result: FileResult) -> frozenset[int]:
    """Validate, store the acknowledgements, report the errors; the segment positions of
    the rejected sets' ST (one verdict per set: two interchanges may repeat the same
    ISA13/GS06/ST02, since control numbers are unique per sender only)."""
    from edi_posting.x12.validation.acks import is_accepted
    from edi_posting.x12.validation.validator import validate_path

    verdict = validate_path(path)
    rejected = frozenset(position for position, status in verdict.set_status_at.items()
                         if status == "R")
    rows = [{"file_id": units.archived.id, "group_control_number": ack.gs06, "kind": ack.kind,
             "is_accepted": is_accepted(ack), "content": ack.text.encode("utf-8"),
             "created_by": units.options.actor}
            for ack in verdict.acks]
    if rows:
        units.run(lambda unit: unit.execute(insert(_ACK), rows))
    # an 835 content problem (balancing ...) is reported by the import's own parser for
    # every set, rejected or not: listed once, from there
    from edi_posting.x12.validation.content_checks import CONTENT_CODES

    result.problems.extend(p for p in verdict.problems if p.severity is not Severity.WARNING
                           and p.code not in CONTENT_CODES)
    return rejected


def rejection_of(key: SetKey, position: int, rejected: frozenset[int],
                 source: SourceRef | None) -> Problem | None:
    """The problem that stops a set pyx12 rejected; None for a set it accepted.  The set is
    found by its ST's position in the file; ``key`` (through the one control-number
    normaliser: ``ST*835*   1`` is set ``1``) names it."""
    if position not in rejected:
        return None
    key = control_key(*key)
    return Problem(ProblemCode.REJECTED_BY_VALIDATION, Severity.FATAL,
                   f"transaction set {key[2]} (ISA13 {key[0]}, GS06 {key[1]}) was rejected by "
                   "implementation-guide validation (999 IK5 R); nothing of it is posted",
                   source, "ST02")
