"""``deposits import`` and ``deposits list``: bank lines archived, read and stored once.

The file is archived (SHA-256, ``received_files`` kind ``deposit``) before it is read, as
every received file is.  A file that does not add up (a BAI2 control total, a CSV row that
cannot be read) stores nothing.  Each line is stored once per bank reference
(``deposits.identity_key`` is UNIQUE): importing the file again, or the same day's lines
from another file, adds nothing; the same line twice in one file is kept once and flagged
(a ``DUPLICATE_DEPOSIT_LINE`` warning naming both rows), never merged silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, update

from edi_posting.archive.files import archive_file
from edi_posting.bank.bai2 import looks_like_bai2, read_bai2
from edi_posting.bank.csv_file import DEFAULT_MAPPING, MAPPINGS, read_csv
from edi_posting.bank.records import BankFileRead, DepositLine
from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_with_ids
from edi_posting.db.lists import among
from edi_posting.db.models import Deposit, DepositMatch, JournalEntry, ReceivedFile
from edi_posting.money import format_cents
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.records.states import FileStatus

__all__ = ["DepositImport", "UnknownMappingError", "deposit_rows", "import_deposit_file"]

_DEPOSIT, _MATCH, _FILE = table_of(Deposit), table_of(DepositMatch), table_of(ReceivedFile)
_ENTRY = table_of(JournalEntry)


class UnknownMappingError(ValueError):
    """A CSV mapping name that is not shipped."""


@dataclass(frozen=True, slots=True)
class DepositImport:
    """What one bank file did: lines read, added, known already, and its problems."""

    file_name: str
    file_id: int
    sha256: str
    format: str  # "bai2" or "csv:<mapping>"
    read: int
    added: int
    known: int
    total_cents: int  # of the lines added
    problems: tuple[Problem, ...]

    @property
    def rejected(self) -> bool:
        return any(p.is_fatal for p in self.problems)


def _read(data: str, path: Path, sha256: str, mapping: str) -> tuple[str, BankFileRead]:
    if looks_like_bai2(data):
        return "bai2", read_bai2(data, file_name=path.name, sha256=sha256)
    return f"csv:{mapping}", read_csv(data, file_name=path.name, sha256=sha256,
                                      mapping=MAPPINGS[mapping])


def _decoded(raw: bytes, path: Path, sha256: str) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, Problem(ProblemCode.BANK_FILE_UNREADABLE, Severity.FATAL,
                             f"byte {exc.start + 1}: the file is not text (BAI2 or CSV)",
                             SourceRef(sha256, path.name), "encoding")


def _once(lines: tuple[DepositLine, ...], path: Path,
          sha256: str) -> tuple[list[DepositLine], list[Problem]]:
    """Each line once; a line seen again in the same file is flagged with both rows."""
    first: dict[str, DepositLine] = {}
    flagged = []
    for line in lines:
        seen = first.setdefault(line.identity, line)
        if seen is not line:
            flagged.append(Problem(
                ProblemCode.DUPLICATE_DEPOSIT_LINE, Severity.WARNING,
                f"record {line.record} repeats record {seen.record} (reference "
                f"{line.bank_reference or '-'}, {format_cents(line.amount_cents)}): kept once",
                SourceRef(sha256, path.name, segment_position=line.record), "reference"))
    return list(first.values()), flagged


def import_deposit_file(conn: Connection, path: Path, *, actor: str,
                        mapping: str = DEFAULT_MAPPING,
                        archive_dir: Path | None = None) -> DepositImport:
    """Archive, read and store one bank file in the caller's transaction."""
    if mapping not in MAPPINGS:
        raise UnknownMappingError(f"no CSV mapping {mapping!r} (one of "
                                  f"{', '.join(sorted(MAPPINGS))})")
    archived = archive_file(conn, path, kind="deposit", actor=actor, archive_dir=archive_dir)
    text, unreadable = _decoded(path.read_bytes(), path, archived.sha256)
    fmt, read = ("unknown", BankFileRead((), (unreadable,))) if unreadable is not None \
        else _read(text or "", path, archived.sha256, mapping)
    if read.rejected:
        _set_status(conn, archived.id, FileStatus.REJECTED)
        return DepositImport(path.name, archived.id, archived.sha256, fmt, 0, 0, 0, 0,
                             read.problems)
    lines, flagged = _once(read.lines, path, archived.sha256)
    known = set(conn.execute(select(_DEPOSIT.c.identity_key).where(
        among(_DEPOSIT.c.identity_key, [line.identity for line in lines]))).scalars())
    fresh = [line for line in lines if line.identity not in known]
    if fresh:
        insert_with_ids(conn, _DEPOSIT, [_row(line, archived.id) for line in fresh])
    _set_status(conn, archived.id,
                FileStatus.IMPORTED if fresh else FileStatus.ALREADY_IMPORTED)
    return DepositImport(path.name, archived.id, archived.sha256, fmt, len(read.lines),
                         len(fresh), len(lines) - len(fresh),
                         sum(line.amount_cents for line in fresh), tuple(flagged))


def _set_status(conn: Connection, file_id: int, status: FileStatus) -> None:
    conn.execute(update(_FILE).where(_FILE.c.id == file_id).values(status=status))


def _row(line: DepositLine, file_id: int) -> dict[str, Any]:
    return {"identity_key": line.identity, "deposit_date": line.deposit_date,
            "amount_cents": line.amount_cents, "trace_number": line.trace,
            "check_number": None, "bank_account": line.account,
            "description": line.text or None, "line_number": line.record,
            "bank_reference": line.bank_reference, "customer_reference": line.customer_reference,
            "type_code": line.type_code, "is_return": line.is_return,
            "source_file_id": file_id}


def deposit_rows(conn: Connection, *, date_from: dt.date | None = None,
                 date_to: dt.date | None = None,
                 unmatched: bool = False) -> list[dict[str, Any]]:
    """Deposit lines by date, each with what it met (``unmatched``: only those that met
    nothing yet)."""
    reversal = _ENTRY.alias("reversal")
    met = (select(_MATCH.c.deposit_id).where(
        _MATCH.c.deposit_id == _DEPOSIT.c.id,
        ~select(reversal.c.id).where(
            reversal.c.reverses_entry_id == _MATCH.c.journal_entry_id).exists()).exists())
    query = select(_DEPOSIT, _FILE.c.file_name).join(
        _FILE, _FILE.c.id == _DEPOSIT.c.source_file_id, isouter=True)
    if date_from is not None:
        query = query.where(_DEPOSIT.c.deposit_date >= date_from)
    if date_to is not None:
        query = query.where(_DEPOSIT.c.deposit_date <= date_to)
    if unmatched:
        query = query.where(~met)
    rows = conn.execute(query.order_by(_DEPOSIT.c.deposit_date, _DEPOSIT.c.id)).all()
    matched = _matched_remittances(conn, [r.id for r in rows])
    return [{"id": r.id, "date": r.deposit_date.isoformat(),
             "amount": format_cents(r.amount_cents), "reference": r.bank_reference,
             "trace": r.trace_number, "type": r.type_code or "",
             "returned": bool(r.is_return), "description": r.description,
             "account": r.bank_account, "file": r.file_name, "record": r.line_number,
             "matched": matched.get(r.id, "")} for r in rows]


def _matched_remittances(conn: Connection, ids: list[int]) -> dict[int, str]:
    """Deposit id -> what it met ("remittance 3, remittance 7"), while the entry of the
    match stands (one reversed, by an undo or a returned item, met nothing)."""
    found: dict[int, list[str]] = {}
    if not ids:
        return {}
    reversal = _ENTRY.alias("reversal")
    stands = ~select(reversal.c.id).where(
        reversal.c.reverses_entry_id == _MATCH.c.journal_entry_id).exists()
    for deposit_id, kind, receipt in conn.execute(
            select(_MATCH.c.deposit_id, _MATCH.c.receipt_kind, _MATCH.c.receipt_id)
            .where(among(_MATCH.c.deposit_id, ids), stands).distinct()
            .order_by(_MATCH.c.deposit_id, _MATCH.c.receipt_id)):
        found.setdefault(deposit_id, []).append(f"{kind} {receipt}")
    return {k: ", ".join(v) for k, v in found.items()}
