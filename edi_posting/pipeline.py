"""One file = one unit of work: archive -> read -> parse -> post -> queue.

The archive commits first (nothing received is ever lost); then each transaction set
commits in its own database transaction, whole or not at all, so a bad set never takes
the good ones of the same file down with it.  ``dry_run`` runs exactly the same code and
rolls every transaction back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from edi_posting.archive import ArchivedFile, archive_file
from edi_posting.audit import record_event
from edi_posting.claim_intake import SetContext, SetOutcome, import_claim_batch
from edi_posting.db.engine import write_transaction
from edi_posting.logs import log_event
from edi_posting.db.models import FunctionalGroup, Interchange, ReceivedFile
from edi_posting.problems import Problem, Severity
from edi_posting.records.source import SourceRef
from edi_posting.review_queue import ReviewDraft, open_review_items
from edi_posting.x12.claim_file import read_claim_file
from edi_posting.x12.envelope import Envelope
from edi_posting.x12.sniff import sniff_path

__all__ = ["ImportOptions", "FileResult", "ImportResult", "import_paths", "import_file",
           "expand_paths"]

_KIND_ORDER = {"837P": 0, "837I": 0, "837D": 0, "835": 1}


@dataclass(frozen=True, slots=True)
class ImportOptions:
    actor: str
    dry_run: bool = False
    archive_dir: Path | None = None
    account_pattern: str | None = None
    role: str | None = None  # the actor's role, for the audit trail


@dataclass
class FileResult:
    path: str
    sha256: str | None
    kind: str
    status: str  # imported, already_imported, rejected, partial
    transaction_sets: int = 0
    claims: int = 0
    posted: int = 0
    queued: int = 0
    problems: list[Problem] = field(default_factory=list)
    set_statuses: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "sha256": self.sha256, "kind": self.kind, "status": self.status,
            "transaction_sets": self.transaction_sets, "claims": self.claims,
            "posted": self.posted, "queued": self.queued,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class ImportResult:
    files: list[FileResult]

    def totals(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "claims": sum(f.claims for f in self.files),
            "posted": sum(f.posted for f in self.files),
            "queued": sum(f.queued for f in self.files),
            "already_imported": sum(1 for f in self.files if f.status == "already_imported"),
            "rejected": sum(1 for f in self.files if f.status == "rejected"),
        }


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories expanded (sorted), 837s before 835s."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")))
        else:
            found.append(path)
    kinds = {p: sniff_path(p) if p.is_file() else "unknown" for p in found}
    return sorted(found, key=lambda p: _KIND_ORDER.get(kinds[p], 2))


def import_paths(engine: Engine, paths: Iterable[Path], options: ImportOptions) -> ImportResult:
    return ImportResult([import_file(engine, p, options) for p in expand_paths(paths)])


@contextmanager
def _unit(engine: Engine, dry_run: bool) -> Iterator[Connection]:
    """A write transaction that commits, or (dry run) always rolls back."""
    if not dry_run:
        with write_transaction(engine) as conn:
            yield conn
        return
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


def import_file(engine: Engine, path: Path, options: ImportOptions) -> FileResult:
    if not path.is_file():
        problem = Problem("FILE_NOT_FOUND", Severity.FATAL, f"{path}: no such file")
        return FileResult(str(path), None, "unknown", "rejected", problems=[problem])
    kind = sniff_path(path)
    if options.dry_run:
        with _unit(engine, True) as conn:
            archived = archive_file(conn, path, kind=kind, actor=options.actor)
            return _process(conn, engine, path, archived, options)
    with write_transaction(engine) as conn:
        archived = archive_file(conn, path, kind=kind, actor=options.actor,
                                archive_dir=options.archive_dir)
    if not archived.is_new and archived.status in ("imported", "rejected", "partial"):
        result = FileResult(str(path), archived.sha256, archived.kind, "already_imported")
        with write_transaction(engine) as conn:
            _audit(conn, options, result)
        return result
    result = _process(None, engine, path, archived, options)
    with write_transaction(engine) as conn:
        conn.execute(update(ReceivedFile.__table__).where(ReceivedFile.id == archived.id).values(
            status=result.status, summary=json.dumps(result.to_dict())))
        _audit(conn, options, result)
    return result


def _audit(conn: Connection, options: ImportOptions, result: FileResult) -> None:
    log_event(logging.INFO, "import.file", file=Path(result.path).name, sha256=result.sha256,
              kind=result.kind, status=result.status, claims=result.claims,
              posted=result.posted, queued=result.queued, problems=len(result.problems))
    record_event(
        conn, actor=options.actor, role=options.role, action="import.file", object_type="file",
        object_id=result.sha256, outcome="ok" if result.status != "rejected" else "rejected",
        summary={"file": Path(result.path).name, "kind": result.kind, "status": result.status,
                 "claims": result.claims, "posted": result.posted, "queued": result.queued},
    )


def _process(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
             options: ImportOptions) -> FileResult:
    result = FileResult(str(path), archived.sha256, archived.kind, "imported")
    if archived.kind.startswith("837"):
        _import_837(conn, engine, path, archived, options, result)
    else:
        message = (f"{path.name}: 835 posting is not available in this version; the file is "
                   "archived and queued, nothing posted" if archived.kind == "835" else
                   f"{path.name}: not an 835 or 837 (GS01/ST01 say {archived.kind}); "
                   "nothing imported")
        _reject(conn, engine, archived, options, result,
                Problem("UNSUPPORTED_FILE", Severity.FATAL, message,
                        SourceRef(archived.sha256, path.name, segment_position=1)))
    return result


@contextmanager
def _set_unit(conn: Connection | None, engine: Engine) -> Iterator[Connection]:
    """Each transaction set in its own transaction (or a savepoint inside a dry run)."""
    if conn is None:
        with write_transaction(engine) as own:
            yield own
        return
    with conn.begin_nested():
        yield conn


def _import_837(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
                options: ImportOptions, result: FileResult) -> None:
    reads, problems = read_claim_file(path, archived.sha256)
    result.problems.extend(problems)
    for read in reads:
        with _set_unit(conn, engine) as unit:
            group_id = _envelope_rows(unit, archived.id, read.envelope)
            ctx = SetContext(archived.id, group_id, read.batch.header.source.interchange_control_number
                             if read.batch.header.source else None, options.actor,
                             options.account_pattern)
            outcome = import_claim_batch(unit, ctx, read.batch)
        _add(result, outcome)
    fatal = [p for p in problems if p.is_fatal]
    if fatal and not reads:
        result.status = "rejected"
        _queue_rejection(conn, engine, archived, options, result, fatal[0])
    elif fatal:
        result.status = "partial"
        _queue_rejection(conn, engine, archived, options, result, fatal[0])
    elif reads and all(status == "already_imported" for status in result.set_statuses):
        result.status = "already_imported"


def _add(result: FileResult, outcome: SetOutcome) -> None:
    result.set_statuses.append(outcome.status)
    result.transaction_sets += 1
    result.claims += outcome.claims
    result.posted += outcome.posted
    result.queued += outcome.queued
    result.problems.extend(outcome.problems)


def _envelope_rows(conn: Connection, file_id: int, envelope: Envelope | None) -> int | None:
    """Find or record the interchange and group around a set; the group's id."""
    if envelope is None:
        return None
    isa = Interchange.__table__
    key = {"sender_qualifier": envelope.sender_qualifier, "sender_id": envelope.sender_id,
           "receiver_qualifier": envelope.receiver_qualifier,
           "receiver_id": envelope.receiver_id,
           "control_number": envelope.interchange_control_number}
    interchange_id = conn.execute(
        select(isa.c.id).where(*(isa.c[k] == v for k, v in key.items()))).scalar()
    if interchange_id is None:
        interchange_id = conn.execute(insert(isa).values(
            file_id=file_id, interchange_date=envelope.interchange_date,
            interchange_time=envelope.interchange_time, version=envelope.version,
            usage_indicator=envelope.usage_indicator,
            segment_position=envelope.interchange_position, **key,
        )).inserted_primary_key[0]
    gs = FunctionalGroup.__table__
    group_id = conn.execute(select(gs.c.id).where(
        gs.c.interchange_id == interchange_id,
        gs.c.control_number == envelope.group_control_number)).scalar()
    if group_id is None:
        group_id = conn.execute(insert(gs).values(
            interchange_id=interchange_id, functional_id=envelope.functional_id,
            sender_code=envelope.group_sender, receiver_code=envelope.group_receiver,
            group_date=envelope.group_date, control_number=envelope.group_control_number,
            version=envelope.group_version, segment_position=envelope.group_position,
        )).inserted_primary_key[0]
    return int(group_id)


def _queue_rejection(conn: Connection | None, engine: Engine, archived: ArchivedFile,
                     options: ImportOptions, result: FileResult, problem: Problem) -> None:
    review = ReviewDraft(
        f"rejected_file|file:{archived.id}|{problem.code}", "rejected_file", problem.message,
        priority=2, problem_code=problem.code, file_id=archived.id,
        evidence={"problem": problem.to_dict()},
    )
    with _set_unit(conn, engine) as unit:
        result.queued += len(open_review_items(unit, [review], options.actor))


def _reject(conn: Connection | None, engine: Engine, archived: ArchivedFile,
            options: ImportOptions, result: FileResult, problem: Problem) -> None:
    result.status = "rejected"
    result.problems.append(problem)
    _queue_rejection(conn, engine, archived, options, result, problem)
