"""A keyed EOB file (bytes) -> its checks as 835-equivalent sets, and every problem.

``problems`` holds what makes the file unpostable (ERROR: a field, a code, a payer keyed
wrong) and warnings; balancing problems are not among them: they travel with the records
(a claim's on the claim, the check's on its set) and posting holds them as for an 835.
"""

from __future__ import annotations

from dataclasses import dataclass

from edi_posting.codes.records import CodeList, CodeListName
from edi_posting.keyed.checks import KeyedCheck, build_checks
from edi_posting.keyed.rows import read_rows
from edi_posting.records.problems import Problem, Severity
from edi_posting.records.source import SourceRef

__all__ = ["KeyedFile", "read_keyed_file"]


@dataclass(frozen=True, slots=True)
class KeyedFile:
    form: str  # csv or json
    checks: tuple[KeyedCheck, ...]
    problems: tuple[Problem, ...]  # every row's, in row order (balancing excluded)
    rows: int

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is not Severity.WARNING)


def read_keyed_file(data: bytes, sha256: str, file_name: str, keyed_by: str,
                    lists: dict[CodeListName, CodeList] | None = None) -> KeyedFile:
    rows = read_rows(data)
    source = SourceRef(sha256, file_name, keyed_by=keyed_by)
    checks, problems = build_checks(rows, source, lists)
    problems.sort(key=lambda p: (p.source.row or 0) if p.source else 0)
    return KeyedFile(rows.form, tuple(checks), tuple(problems), len(rows.rows))
