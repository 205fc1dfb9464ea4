"""835 files -> one :class:`RemittanceSetRead` per transaction set, streaming.

The posting engine commits one ST..SE set per database transaction, so it needs each set
whole (header, claims, PLB, totals) but never the whole file: this holds one set at a time.
Each set also gets a digest of its segments (``content_sha256``, without ST02, which a
payer's re-sent batch renumbers): the same identity with other content is a conflict,
never a silent second post.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from edi_posting.records.envelope import Envelope
from edi_posting.records.problems import Problem
from edi_posting.records.remittance import ClaimPaymentRecord, RemittanceEnd, RemittanceHeader
from edi_posting.x12.reader import X12Reader
from edi_posting.x12.remit835.parser import parse_remittance_set
from edi_posting.x12.transaction_set import X12TransactionSet

__all__ = ["RemittanceFileEnd", "RemittanceSetRead", "read_remittance_file"]


@dataclass(frozen=True, slots=True)
class RemittanceSetRead:
    header: RemittanceHeader
    claims: tuple[ClaimPaymentRecord, ...]
    end: RemittanceEnd
    envelope: Envelope | None
    content_sha256: str  # of the set's segments ST..SE as read, ST02 left out
    segment_position: int  # of the ST segment
    segment_count: int
    is_complete: bool  # an SE closed the set
    legacy_sha256: str | None = None  # the digest with ST02, as stored before migration 0008

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Set-level problems (header, trailer, envelope, transaction balance)."""
        return self.end.problems


@dataclass(frozen=True, slots=True)
class RemittanceFileEnd:
    problems: tuple[Problem, ...]  # file level: not X12, envelope trailers, stray segments
    sets: int


def read_remittance_file(path: Path, sha256: str) -> Iterator[RemittanceSetRead | RemittanceFileEnd]:
    """Each 835 set of the file as soon as its SE is read; then the file's own problems."""
    count = 0
    with X12Reader(path, file_sha256=sha256, file_name=path.name) as reader:
        for tset in reader:
            count += 1
            yield _read_set(tset)
        yield RemittanceFileEnd(tuple(reader.problems), count)


def _read_set(tset: X12TransactionSet) -> RemittanceSetRead:
    tset.digest_body(without_control_number=True)
    header: RemittanceHeader | None = None
    claims: list[ClaimPaymentRecord] = []
    end: RemittanceEnd | None = None
    for event in parse_remittance_set(tset):
        if isinstance(event, ClaimPaymentRecord):
            claims.append(event)
        elif isinstance(event, RemittanceHeader):
            header = event
        else:
            end = event
    assert header is not None and end is not None  # parse_remittance_set always yields both
    tset.skip()  # the rest of a body the parser gave up on (a bug) is digested too
    return RemittanceSetRead(
        header, tuple(claims), end, tset.envelope, tset.content_sha256, tset.position,
        tset.segment_count, tset.is_complete, tset.legacy_sha256,
    )
