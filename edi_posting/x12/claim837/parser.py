"""837P / 837I / 837D transaction set body -> :class:`ClaimBatch` records.

Consumes the segments of one ST..SE set (each a list of elements, index 0 the segment id,
with its 1-based position in the file) as the reader yields them, and builds one
:class:`SubmittedClaimRecord` per CLM with its parties from the HL hierarchy (20 billing
provider, 22 subscriber, 23 patient).  Input problems are returned, never raised: a claim
with a bad amount or an HL whose parent does not exist carries an ERROR problem and the
other claims of the set are unaffected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace

from edi_posting.records.claim import (
    ClaimBatch,
    ClaimBatchHeader,
    ClaimType,
)
from edi_posting.records.envelope import normalize_control_number
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.x12.claim837.loops import SetParser, date_range, parse_date
from edi_posting.x12.claim837.loops import element as _el

__all__ = ["Seg", "claim_type_of", "parse_claim_set"]
# parse_date and date_range (loops837) stay importable from here, as before the split
_REEXPORTED = (date_range, parse_date)

Seg = tuple[Sequence[str], int]  # (elements with the segment id at index 0, position)

_TYPES = {"X222": ClaimType.PROFESSIONAL, "X223": ClaimType.INSTITUTIONAL,
          "X224": ClaimType.DENTAL, "X096": ClaimType.INSTITUTIONAL,
          "X098": ClaimType.PROFESSIONAL, "X097": ClaimType.DENTAL}


def claim_type_of(version: str | None, first_service_segment: str | None = None) -> ClaimType:
    """From GS08/ST03 (X222 = P, X223 = I, X224 = D); else from the service segment seen."""
    for marker, claim_type in _TYPES.items():
        if version and marker in version:
            return claim_type
    return {"SV2": ClaimType.INSTITUTIONAL, "SV3": ClaimType.DENTAL}.get(
        first_service_segment or "", ClaimType.PROFESSIONAL
    )


_SERVICE_SEGMENTS = {ClaimType.PROFESSIONAL: "SV1", ClaimType.INSTITUTIONAL: "SV2",
                     ClaimType.DENTAL: "SV3"}


def _version_problems(st03: str | None, gs08: str | None, claim_type: ClaimType,
                      first_service: str | None, source: SourceRef) -> list[Problem]:
    """Warnings when the envelope contradicts itself or the lines: the claims still import
    (their type follows ST03), but the sender's software deserves a look."""
    found = []
    if st03 and gs08 and st03.strip() != gs08.strip():
        found.append(Problem(ProblemCode.VERSION_MISMATCH, Severity.WARNING,
                             f"GS08 {gs08.strip()!r} and ST03 {st03.strip()!r} disagree; the "
                             "claims are read as ST03 says", source, "ST03"))
    expected = _SERVICE_SEGMENTS[claim_type]
    if first_service and first_service != expected:
        found.append(Problem(ProblemCode.SERVICE_TYPE_MISMATCH, Severity.WARNING,
                             f"the version says 837{claim_type.value} ({expected} lines) but "
                             f"the service lines are {first_service}", source))
    return found


def parse_claim_set(
    st: Sequence[str],
    body: Iterable[Seg],
    *,
    source: SourceRef,
    component: str,
    group_version: str | None,
    submitter_id: str | None,
    receiver_id: str | None,
    segment_count: int,
) -> ClaimBatch:
    """Parse the segments between ST and SE of one 837 set into a :class:`ClaimBatch`."""
    parser = SetParser(source, component)
    digest = hashlib.sha256()
    for elements, position in body:
        digest.update("\x1f".join(elements).encode("utf-8", "replace") + b"\x1e")
        parser.feed(elements, position)
    parser.close_claim()
    st03 = _el(st, 3) or None
    claim_type = claim_type_of(st03 or group_version, parser.first_service)
    claims = tuple(replace(c, claim_type=claim_type) for c in parser.claims)
    header = ClaimBatchHeader(
        claim_type, normalize_control_number(_el(st, 2)), st03, parser.bht[0], parser.bht[1], submitter_id, receiver_id,
        source,
    )
    problems = parser.problems + _version_problems(st03, group_version, claim_type,
                                                   parser.first_service, source)
    return ClaimBatch(header, claims, tuple(problems), digest.hexdigest(),
                      source.segment_position or 0, segment_count)
