"""Validation, the 835 content pass: what pyx12 does not check, in the 999 as well.

pyx12 checks the implementation guide's syntax; it does not balance an 835, knows no
CARC, and its remark-code table ends in 2014 (it rejects ``MOA***MA15``).  So for an 835
``validate`` also runs

* the parser's content checks (:data:`CONTENT_CODES`: balancing at three levels, CLP05
  against PR, BPR present, USD only, complete CAS/PLB), problems exactly as ``parse``
  reports them;
* the code checks of :mod:`edi_posting.codes.check835` against the code lists, on the
  remittance's date; pyx12's own remark-code findings (IK403 ``7`` on MOA/MIA element
  127) are dropped, replaced by ours.

An ERROR or FATAL among them rejects its set (IK501 ``R``), except the claim-level ones
(:data:`NOTED_CODES`: a line or claim that does not balance, an incomplete CAS), which
the import holds per claim (``balancing_failure``) while the rest of the payment posts:
those are noted, the set accepted with errors (IK501 ``E``).  Each is an IK3 at the segment (IK304 ``8``) with an
IK4 at the element, IK403 ``7`` (invalid code value, the code copied to IK404) for a code
and ``I12`` (the guide's rule for the value is not met) for the rest; a problem that
names no element is IK502 ``I5``.  Warnings are reported and reject nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from edi_posting.codes.check835 import CodeUse, check_codes, code_uses, remittance_date
from edi_posting.codes.loader import CodeListError, load_all
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import ClaimPaymentRecord, RemittanceEnd, RemittanceHeader
from edi_posting.x12.ack_records import (
    ElementError,
    Finding,
    InterchangeResult,
    SegmentError,
    SetResult,
)
from edi_posting.x12.reader import X12Reader
from edi_posting.x12.remit835.balancing import BALANCING_CODES
from edi_posting.x12.remit835.parser import iter_remittances

__all__ = ["CONTENT_CODES", "NOTED_CODES", "ContentPass", "check_content"]

CONTENT_CODES = BALANCING_CODES | {
    ProblemCode.MISSING_BPR, ProblemCode.FOREIGN_CURRENCY, ProblemCode.INCOMPLETE_ADJUSTMENT,
    ProblemCode.INCOMPLETE_PROVIDER_ADJUSTMENT, ProblemCode.AMOUNT_OUT_OF_RANGE}
NOTED_CODES = frozenset({ProblemCode.SERVICE_UNBALANCED, ProblemCode.CLAIM_UNBALANCED,
                         ProblemCode.INCOMPLETE_ADJUSTMENT})
_ELEMENT = re.compile(r"^([A-Z][A-Z0-9]{1,2})(\d{2})(?:-(\d+))?$")
_REFERENCES = {"BPR02": "782", "CLP02": "1029", "CLP03": "782", "CLP04": "782",
               "CLP05": "782", "SVC02": "782", "SVC03": "782", "CAS01": "1033",
               "PLB03": "426", "LQ02": "1271", "MOA": "127", "MIA": "127", "CAS": "1034"}
_REMARK_SEGMENTS = ("MOA", "MIA")
Found = tuple[int, Problem, CodeUse | None]  # (ST position, problem, the code it is about)


@dataclass(frozen=True, slots=True)
class ContentPass:
    checked: tuple[InterchangeResult, ...]  # pyx12's verdicts without its remark-code ones
    problems: list[Problem]  # ours, each ERROR with the 999 element and code it became
    answered: tuple[InterchangeResult, ...]  # ``checked`` with our errors added

    @property
    def rejecting(self) -> list[Problem]:
        """The ERROR/FATAL problems that reject their set (not the noted ones)."""
        return [p for p in self.problems
                if p.severity is not Severity.WARNING and p.code not in NOTED_CODES]


def check_content(path: Path, sha256: str, kind: str,
                  interchanges: tuple[InterchangeResult, ...]) -> ContentPass:
    if kind != "835":  # an 837's MOA remark codes stay pyx12's to check
        return ContentPass(interchanges, [], interchanges)
    checked = tuple(_without_remark_findings(ich) for ich in interchanges)
    found = _parser_problems(path, sha256) + _code_problems(path, sha256)
    found = [(st, _with_x12(p, use), use) for st, p, use in found]
    rejecting: dict[int, list[Found]] = defaultdict(list)
    for item in found:
        if item[1].severity is not Severity.WARNING:
            rejecting[item[0]].append(item)
    answered = tuple(_answer(ich, rejecting) for ich in checked)
    return ContentPass(checked, [p for _st, p, _use in found], answered)


def _parser_problems(path: Path, sha256: str) -> list[Found]:
    found: list[Found] = []
    seen: set[tuple[str, int | None, str | None]] = set()  # (code, position, element)
    st_position = 0
    for event in iter_remittances(path, file_sha256=sha256, file_name=path.name):
        if isinstance(event, RemittanceHeader):
            st_position = event.source.segment_position or 0
        if isinstance(event, ClaimPaymentRecord | RemittanceEnd):
            for problem in event.problems:
                at = problem.source.segment_position if problem.source else None
                key = (problem.code, at, problem.element)
                if problem.code in CONTENT_CODES and key not in seen:
                    seen.add(key)
                    found.append((st_position, problem, None))
    return found


def _code_problems(path: Path, sha256: str) -> list[Found]:
    try:
        lists = load_all()
    except CodeListError as exc:
        return [(0, Problem(ProblemCode.CODE_LIST_UNREADABLE, Severity.WARNING,
                            f"{exc}: codes were not checked"), None)]
    found: list[Found] = []
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        for tset in reader:
            if tset.transaction_id != "835":
                tset.skip()
                continue
            segments = list(tset)
            day = remittance_date(segments) or dt.date.today()
            uses = code_uses(segments, tset.delimiters.component, tset.version)
            found += [(tset.position, problem, use)
                      for use, problem in check_codes(uses, lists, day, tset.source)]
    return found


def _with_x12(problem: Problem, use: CodeUse | None) -> Problem:
    if problem.severity is Severity.WARNING:
        return problem
    code = "IK502=I5" if _ELEMENT.match(problem.element or "") is None else (
        "IK403=7" if use is not None else "IK403=I12")
    return replace(problem, details={**problem.details, "x12": code})


def _answer(ich: InterchangeResult, rejecting: dict[int, list[Found]]) -> InterchangeResult:
    groups = tuple(replace(g, sets=tuple(_answer_set(s, rejecting.get(s.file_position, []))
                                         for s in g.sets)) for g in ich.groups)
    return replace(ich, groups=groups)


def _answer_set(tset: SetResult, found: list[Found]) -> SetResult:
    if not found:
        return tset
    noted_only = not (tset.findings or tset.segments) and all(
        p.code in NOTED_CODES for _st, p, _use in found)
    set_findings = list(tset.findings)
    by_position = {s.file_position: s for s in tset.segments}
    for _st, problem, use in found:
        match = _ELEMENT.match(problem.element or "")
        position = problem.source.segment_position if problem.source else None
        if match is None or position is None:
            set_findings.append(Finding("I5", problem.code, problem.message))
            continue
        element = _element_error(match, problem, use)
        old = by_position.get(position) or SegmentError(
            match.group(1), position - tset.file_position + 1, position, None, ())
        if not any((e.position, e.component) == (element.position, element.component)
                   and e.findings[:1] and e.findings[0].x12_code == element.findings[0].x12_code
                   for e in old.elements):  # pyx12 said the same (a PLB reason): once
            old = replace(old, elements=old.elements + (element,))
        by_position[position] = old
    segments = tuple(sorted(by_position.values(), key=lambda s: s.file_position))
    return replace(tset, findings=tuple(set_findings), segments=segments,
                   errors_noted_only=noted_only)


def _element_error(match: re.Match[str], problem: Problem, use: CodeUse | None) -> ElementError:
    segment_id, position = match.group(1), int(match.group(2))
    component = int(match.group(3)) if match.group(3) else None
    name = f"{segment_id}{position:02d}"
    reference = _REFERENCES.get(name) or _REFERENCES.get(segment_id if use else "")
    finding = (Finding("7", problem.code, problem.message, use.code) if use is not None
               else Finding("I12", problem.code, problem.message))
    return ElementError(position, component, None, reference, (finding,))


def _without_remark_findings(ich: InterchangeResult) -> InterchangeResult:
    """pyx12's remark-code table is dated: its IK403 7 on MOA/MIA remark codes goes."""
    groups = tuple(replace(g, sets=tuple(_set_without(s) for s in g.sets)) for g in ich.groups)
    return replace(ich, groups=groups)


def _set_without(tset: SetResult) -> SetResult:
    segments = []
    for error in tset.segments:
        if error.segment_id in _REMARK_SEGMENTS:
            elements = tuple(
                replace(e, findings=tuple(f for f in e.findings if f.x12_code != "7"))
                if e.reference == "127" else e for e in error.elements)
            error = replace(error, elements=tuple(e for e in elements if e.findings))
            if not error.elements and not _own_findings(error):
                continue
        segments.append(error)
    return replace(tset, segments=tuple(segments))


def _own_findings(error: SegmentError) -> bool:
    return any(f.x12_code != "8" for f in error.findings)
