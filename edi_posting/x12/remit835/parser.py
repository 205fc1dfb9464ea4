"""Parse stage, 835: transaction sets -> :mod:`records.remittance` records plus problems.

Consumes an X12 file (through :class:`~edi_posting.x12.reader.X12Reader`) and produces,
streaming, for each ST..SE set::

    RemittanceHeader        BPR, TRN, CUR, REF, DTM*405, payer N1*PR, payee N1*PE
    ClaimPayment ...        one per CLP, as soon as the next CLP/LX/PLB/SE closes it,
                            with its lines and its own problems (amounts, balancing)
    RemittanceEnd           PLB, LX/TS3/TS2 summaries, totals, set-level problems

and finally one :class:`FileEnd` (file-level problems, SHA-256 of the bytes read).
Memory is bounded by one claim plus one set's header, summaries and PLB, so
:func:`iter_remittances` reads a file of any size; :func:`parse_835` collects everything
into :class:`ParseResult` for small files and tests.  :func:`parse_remittance_set` parses
one set for a caller that already walks the file with its own reader.

``parse --stats`` counts this same stream: there is one 835 claim parser.

The state machine over one set's body is :class:`~edi_posting.x12.remit835.loops.SetParser`.

Never raises for bad input: a bad amount is an ERROR on its element, a set that is not
an 835 or has no BPR is FATAL for that set only, and the other sets go on.  4010
(004010X091A1) files have the same structure and are read the same way.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance import (
    ClaimPaymentRecord,
    RemittanceEnd,
    RemittanceHeader,
    RemittanceRecord,
)
from edi_posting.x12.reader import CHUNK_SIZE, X12Reader
from edi_posting.x12.remit835.loops import SetParser
from edi_posting.x12.transaction_set import X12TransactionSet

__all__ = [
    "FileEnd", "ParseResult", "RemittanceEvent", "iter_remittances", "parse_835",
    "parse_remittance_set",
]


@dataclass(frozen=True, slots=True)
class FileEnd:
    """The last event of :func:`iter_remittances`: what concerns the file as a whole."""

    problems: tuple[Problem, ...]  # not X12, envelope trailers (GE/IEA), stray segments
    sha256: str  # of the raw bytes, computed while reading
    bytes_read: int


RemittanceEvent = RemittanceHeader | ClaimPaymentRecord | RemittanceEnd | FileEnd



@dataclass(frozen=True, slots=True)
class ParseResult:
    remittances: tuple[RemittanceRecord, ...]
    problems: tuple[Problem, ...]  # file level; each remittance and claim has its own
    sha256: str

    @property
    def is_rejected(self) -> bool:
        """No usable transaction set: nothing of the file can be posted."""
        return not any(r.is_usable for r in self.remittances)


def iter_remittances(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    file_sha256: str = "",
    file_name: str | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[RemittanceEvent]:
    """Stream an 835 file: per set a header, its claims, an end; then one FileEnd."""
    with X12Reader(source, file_sha256=file_sha256, file_name=file_name,
                   chunk_size=chunk_size) as reader:
        for tset in reader:
            yield from parse_remittance_set(tset)
        yield FileEnd(tuple(reader.problems), reader.finish_digest(), reader.bytes_read)


def parse_835(
    source: str | os.PathLike[str] | IO[bytes],
    *,
    file_sha256: str = "",
    file_name: str | None = None,
) -> ParseResult:
    """The whole file in memory: for small files, tests and the CLI's JSON output."""
    remittances: list[RemittanceRecord] = []
    claims: list[ClaimPaymentRecord] = []
    for event in iter_remittances(source, file_sha256=file_sha256, file_name=file_name):
        if isinstance(event, ClaimPaymentRecord):
            claims.append(event)
        elif isinstance(event, RemittanceEnd):
            remittances.append(RemittanceRecord(event.header, tuple(claims), event.summaries,
                                          event.provider_adjustments, event.totals,
                                          event.problems))
            claims = []
        elif isinstance(event, FileEnd):
            return ParseResult(tuple(remittances), event.problems, event.sha256)
    raise AssertionError("iter_remittances always ends with FileEnd")  # pragma: no cover


def parse_remittance_set(
    tset: X12TransactionSet,
) -> Iterator[RemittanceHeader | ClaimPaymentRecord | RemittanceEnd]:
    """One ST..SE set: header, claims, end.  Unexpected exceptions become a FATAL problem."""
    return _parse_set(SetParser(tset))


def _parse_set(
    parser: SetParser,
) -> Iterator[RemittanceHeader | ClaimPaymentRecord | RemittanceEnd]:
    tset = parser.tset
    try:
        yield from parser.run()
    except Exception as exc:  # noqa: BLE001 - last defence: a bug must not lose other sets
        parser.ctx.problems = parser.set_problems
        # the exception's text may quote an element's value (PHI): its type and place only
        where = traceback.extract_tb(exc.__traceback__)[-1]
        parser.ctx.problem(ProblemCode.PARSER_FAILURE,
                           Severity.FATAL, f"the 835 parser failed on this "
                           f"set ({type(exc).__name__} at {os.path.basename(where.filename)}:"
                           f"{where.lineno}); nothing of it can be trusted", tset.position, None)
        if parser.header is None:
            yield parser.make_header()
        yield parser.make_end()
