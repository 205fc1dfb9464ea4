"""837 files -> (envelope, :class:`ClaimBatch`) per transaction set, plus file problems.

Uses the shared streaming reader (``edi_posting.x12.reader``), so 835 and 837 files get
the same separators, envelope checks and source positions.  A set that is not complete
(no SE) or carries a FATAL envelope problem is reported and not returned: nothing of it
is imported.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from edi_posting.records.claim import ClaimBatch
from edi_posting.records.envelope import Envelope
from edi_posting.records.problems import Problem
from edi_posting.x12.claim837.parser import parse_claim_set
from edi_posting.x12.reader import X12Reader

__all__ = ["ClaimSetRead", "read_claim_file"]


@dataclass(frozen=True, slots=True)
class ClaimSetRead:
    envelope: Envelope | None
    batch: ClaimBatch


def read_claim_file(path: Path, sha256: str) -> tuple[list[ClaimSetRead], list[Problem]]:
    reads: list[ClaimSetRead] = []
    problems: list[Problem] = []
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        for tset in reader:
            if tset.transaction_id != "837":
                tset.skip()
                continue
            envelope = tset.envelope
            batch = parse_claim_set(
                tset.header, iter(tset), source=tset.source, component=tset.delimiters.component,
                group_version=tset.group.elements[8] if tset.group and len(tset.group.elements) > 8 else None,
                submitter_id=envelope.sender_id if envelope else None,
                receiver_id=envelope.receiver_id if envelope else None,
                segment_count=tset.segment_count,
            )
            fatal = [p for p in tset.problems if p.is_fatal]
            if not tset.is_complete or fatal:
                problems.extend(tset.problems)
                continue
            batch = replace(batch, problems=batch.problems + tuple(tset.problems),
                            segment_count=tset.segment_count)
            reads.append(ClaimSetRead(envelope, batch))
        problems.extend(reader.problems)
    return reads, problems
