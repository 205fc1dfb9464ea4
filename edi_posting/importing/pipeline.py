"""One file = one unit of work: archive -> read -> parse -> post -> queue.

Which importer a file goes to is :func:`file_kind`: X12 by its envelope, the payment CSVs
by their header row (``formats.file_kind``), else a keyed paper EOB (CSV header, JSON shape).

The archive commits first (nothing received is ever lost); then each transaction set
commits in its own database transaction, whole or not at all, so a bad set never takes
the good ones of the same file down with it.  An 837 set's transaction also matches again
the payments waiting for its claims (``late_claims``).  ``dry_run`` runs exactly the same
code and rolls every transaction back.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Connection, Engine, update

from edi_posting.archive.files import ArchivedFile, archive_file, find_archived, hash_file
from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.archive.user_input import expand_inputs
from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.models import ReceivedFile
from edi_posting.db.races import retry_races
from edi_posting.importing.formats import PAYMENT_KINDS
from edi_posting.importing.formats import file_kind as payment_or_x12_kind
from edi_posting.importing.keyed_eobs import KEYED_KIND, import_keyed_file, is_keyed_eob
from edi_posting.importing.late_claims import ImportTrigger, rematch_waiting_payments
from edi_posting.importing.payment_files import import_payment_file
from edi_posting.importing.remittances import import_remittance_file
from edi_posting.importing.units import (
    FileResult,
    ImportOptions,
    ImportResult,
    Units,
    add_outcome,
    envelope_rows,
)
from edi_posting.importing.validation_gate import rejection_of, validate_for_import
from edi_posting.intake.claims import import_claim_batch
from edi_posting.logs import log_event
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.records.states import AuditOutcome, FileStatus
from edi_posting.x12.claim837.file import ClaimSetRead, read_claim_file

__all__ = ["expand_paths", "import_file", "import_one", "import_paths"]

# 837s, then payments without a remittance (a check received before its 835 is claimed by
# it), then 835s and keyed paper EOBs
_KIND_ORDER = {"837P": 0, "837I": 0, "837D": 0, "patient_payments": 1, "lockbox": 1, "835": 2,
               KEYED_KIND: 2}
# a file archived with one of these statuses was imported before: nothing to do again
_DONE = frozenset({FileStatus.IMPORTED, FileStatus.REJECTED, FileStatus.PARTIAL,
                   FileStatus.ALREADY_IMPORTED})
# file status -> audit outcome
_OUTCOMES = {FileStatus.REJECTED: AuditOutcome.REJECTED, FileStatus.FAILED: AuditOutcome.FAILED}
_GC_LOCK = threading.Lock()


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, directories expanded (sorted), 837s before 835s; every one readable
    (``UnreadableInputError`` names the first that is not, or a directory not listable)."""
    found = expand_inputs(paths)
    kinds = {p: file_kind(p) for p in found}
    return sorted(found, key=lambda p: _KIND_ORDER.get(kinds[p], 3))


def file_kind(path: Path) -> str:
    """X12 by its envelope, a payment batch or lockbox file by its header row
    (``formats.file_kind``); else a keyed EOB (CSV header, JSON shape)."""
    kind = payment_or_x12_kind(path)
    return KEYED_KIND if kind == "unknown" and is_keyed_eob(path) else kind


def import_paths(engine: Engine, paths: Iterable[Path], options: ImportOptions) -> ImportResult:
    return ImportResult([import_one(engine, p, options) for p in expand_paths(paths)])


def import_one(engine: Engine, path: Path, options: ImportOptions) -> FileResult:
    """:func:`import_file`, but a file that fails (a bug, a lost connection) is reported as
    ``failed`` with a FATAL ``IMPORT_FAILED`` problem instead of stopping the importer:
    the caller goes on with its other files.  What the file committed before the failure
    stays committed, with its audit events; importing it again finishes it."""
    try:
        return import_file(engine, path, options)
    except Exception as exc:  # any failure of one file: the importer goes on with the rest
        if os.environ.get("EDI_POSTING_DEBUG"):
            raise
        return _failed(engine, path, options, exc)


def _failed(engine: Engine, path: Path, options: ImportOptions, exc: Exception) -> FileResult:
    """The failed file's result; its status and ``import.file`` event are recorded when the
    database still answers (a dry run records nothing)."""
    message = (f"{path.name}: internal error ({type(exc).__name__}); the transaction sets "
               "committed before it stay posted, the rest of the file was not imported: "
               "import it again (rerun with EDI_POSTING_DEBUG=1 for the traceback)")
    result = FileResult(str(path), None, "unknown", FileStatus.FAILED)
    if not options.dry_run:
        try:
            with write_transaction(engine) as conn:
                found = find_archived(conn, hash_file(path)[0])
                if found is not None:
                    result.sha256, result.kind = found.sha256, found.kind
                    conn.execute(update(table_of(ReceivedFile)).where(
                        ReceivedFile.id == found.id, ReceivedFile.status == FileStatus.RECEIVED
                    ).values(status=FileStatus.FAILED))
                _audit(conn, options, result)
        except Exception:  # noqa: BLE001 - the database itself may be what failed
            log_event(logging.ERROR, "import.audit_failed", file=path.name)
    source = SourceRef(result.sha256, path.name) if result.sha256 else None
    result.problems.append(Problem(ProblemCode.IMPORT_FAILED, Severity.FATAL, message, source))
    return result


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
        problem = Problem(ProblemCode.FILE_NOT_FOUND, Severity.FATAL, f"{path}: no such file")
        return FileResult(str(path), None, "unknown", FileStatus.REJECTED, problems=[problem])
    kind = file_kind(path)
    if options.dry_run:
        with _unit(engine, True) as conn:
            archived = archive_file(conn, path, kind=kind, actor=options.actor)
            return _process(conn, engine, path, archived, options)
    archived = retry_races(lambda: _archive(engine, path, kind, options))
    if not archived.is_new and archived.status in _DONE:
        result = FileResult(str(path), archived.sha256, archived.kind, FileStatus.ALREADY_IMPORTED)
        result.problems += _replaced_copy(archived, path)
        with write_transaction(engine) as conn:
            _audit(conn, options, result)
        return result
    result = _process(None, engine, path, archived, options)
    result.problems[:0] = _replaced_copy(archived, path)
    with write_transaction(engine) as conn:
        _record_status(conn, archived, result)
        _audit(conn, options, result)
    return result


def _archive(engine: Engine, path: Path, kind: str, options: ImportOptions) -> ArchivedFile:
    with write_transaction(engine) as conn:
        return archive_file(conn, path, kind=kind, actor=options.actor,
                            archive_dir=options.archive_dir)


def _replaced_copy(archived: ArchivedFile, path: Path) -> list[Problem]:
    """A WARNING when the archive stage found the stored copy corrupt (or gone) and put
    the received bytes in its place: someone or something changed the archive."""
    found = archived.replaced_sha256
    if found is None:
        return []
    what = "was missing" if found == "missing" else f"had SHA-256 {found}"
    message = (f"{path.name}: the archived copy of file {archived.id} ({archived.replaced_at}) "
               f"{what}, not the recorded {archived.sha256}: it was not trusted and was "
               "replaced by the received bytes (audit event archive.replace_corrupt)")
    return [Problem(ProblemCode.ARCHIVE_COPY_REPLACED, Severity.WARNING, message,
                    SourceRef(archived.sha256, path.name))]


def _record_status(conn: Connection, archived: ArchivedFile, result: FileResult) -> None:
    """The file's status and summary.  A file another importer finished meanwhile (the same
    bytes under another name, imported at the same moment) keeps what that one recorded:
    this import, which found its sets already imported, says less."""
    files = table_of(ReceivedFile)
    query = update(files).where(files.c.id == archived.id)
    if result.status == FileStatus.ALREADY_IMPORTED:
        query = query.where(files.c.status.in_((FileStatus.RECEIVED, FileStatus.FAILED)))
    conn.execute(query.values(status=result.status, summary=json.dumps(result.to_dict())))


def _audit(conn: Connection, options: ImportOptions, result: FileResult) -> None:
    log_event(logging.INFO, "import.file", file=Path(result.path).name, sha256=result.sha256,
              kind=result.kind, status=result.status, claims=result.claims,
              posted=result.posted, queued=result.queued, problems=len(result.problems))
    record_event(
        conn, actor=options.actor, role=options.role, action="import.file", object_type="file",
        object_id=result.sha256, outcome=_OUTCOMES.get(result.status, AuditOutcome.OK),
        summary={"file": Path(result.path).name, "kind": result.kind, "status": result.status,
                 "claims": result.claims, "posted": result.posted, "queued": result.queued},
    )


@contextmanager
def _full_collections_deferred() -> Iterator[None]:
    """Python's full (oldest-generation) collections wait until the file is done.

    A transaction set's records stay alive while it posts (a payer's set can hold thousands
    of claims), and every full collection walks all of them again: at 100,000 claims they
    took a fifth of the 835 import.  Young collections go on, freeing the few reference
    cycles a set leaves behind; the records themselves hold none.  Imports running in
    threads of one process share the setting: the first to start saves the threshold and
    the last to finish puts it back (each restoring its own would leave it raised)."""
    with _GC_LOCK:
        if _GC.files == 0:
            _GC.threshold = gc.get_threshold()
        _GC.files += 1
        young, middle, _full = _GC.threshold
        gc.set_threshold(young, middle, 1_000_000)
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC.files -= 1
            if _GC.files == 0:
                gc.set_threshold(*_GC.threshold)


@dataclass
class _Deferral:
    """Files in progress in this process, and the threshold to put back after the last."""

    files: int = 0
    threshold: tuple[int, int, int] = (0, 0, 0)


_GC = _Deferral()


def _process(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
             options: ImportOptions) -> FileResult:
    with _full_collections_deferred():
        return _process_file(conn, engine, path, archived, options)


def _process_file(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
                  options: ImportOptions) -> FileResult:
    result = FileResult(str(path), archived.sha256, archived.kind, FileStatus.IMPORTED)
    units = Units(conn, engine, archived, options)
    if options.validate and archived.kind in ("835", "837P", "837I", "837D"):
        rejected = validate_for_import(units, path, result)
        units = Units(conn, engine, archived, options, rejected)
    if archived.kind.startswith("837"):
        _import_837(units, path, result)
    elif archived.kind == "835":
        import_remittance_file(units, path, result)
    elif archived.kind in PAYMENT_KINDS:
        import_payment_file(units, path, result)
    elif archived.kind == KEYED_KIND:
        import_keyed_file(units, path, result)
    else:
        message = (f"{path.name}: not an 835, an 837 or a keyed EOB (GS01/ST01 say "
                   f"{archived.kind}); nothing imported")
        problem = Problem(ProblemCode.UNSUPPORTED_FILE, Severity.FATAL, message,
                          SourceRef(archived.sha256, path.name, segment_position=1))
        result.status = FileStatus.REJECTED
        result.problems.append(problem)
        units.queue_rejection(result, problem)
    return result


def _import_837_set(units: Units, result: FileResult, unit: Connection,
                    read: ClaimSetRead, trigger: ImportTrigger) -> SetOutcome:
    """One 837 set in its unit, with its audit event; payments that were waiting for its
    claims (a late 837) are matched again in the same transaction."""
    archived, options = units.archived, units.options
    source = read.batch.header.source
    group_id = envelope_rows(unit, archived.id, read.envelope)
    ctx = SetContext(archived.id, group_id, source.interchange_control_number if source else None,
                     options.actor, options.account_pattern, options.dry_run)
    outcome = import_claim_batch(unit, ctx, read.batch)
    if outcome.status == "imported":  # a late claim answers a waiting payment
        outcome.problems += rematch_waiting_payments(unit, read.batch.claims, trigger)
    units.audit_set(unit, result, outcome, read.batch.header.control_number,
                    read.batch.segment_position)
    return outcome


def _import_837(units: Units, path: Path, result: FileResult) -> None:
    archived, options = units.archived, units.options
    reads, problems = read_claim_file(path, archived.sha256)
    trigger = ImportTrigger(path.name, archived.sha256, options.actor)
    result.problems.extend(problems)
    for read in reads:
        source = read.batch.header.source
        envelope = read.envelope
        key = (envelope.interchange_control_number if envelope else "",
               envelope.group_control_number if envelope else "", read.batch.header.control_number)
        stop = rejection_of(key, read.batch.segment_position, units.rejected_sets, source)
        if stop is not None:
            rejected = SetOutcome("rejected", claims=len(read.batch.claims), problems=[stop])
            add_outcome(result, rejected, options.progress)
            units.queue_rejection(result, stop, f"|st:{read.batch.segment_position}", rejected)
            continue
        outcome = units.run(partial(_import_837_set, units, result, read=read,
                                    trigger=trigger))
        add_outcome(result, outcome, options.progress)
    fatal = [p for p in problems if p.is_fatal]
    if fatal:
        units.queue_rejection(result, fatal[0])
    _claim_file_status(result, bool(reads), bool(fatal))


def _claim_file_status(result: FileResult, any_sets: bool, file_fatal: bool) -> None:
    """As for an 835 (``remittance_import._file_status``): a file whose sets were all
    rejected is ``rejected``; one with some rejected (``--validate``) or a fatal file-level
    problem is ``partial``, so the import exits 65 rather than reporting success."""
    statuses = result.set_statuses
    if not any_sets:
        if file_fatal:
            result.status = FileStatus.REJECTED
    elif all(s == "rejected" for s in statuses):
        result.status = FileStatus.REJECTED
    elif file_fatal or "rejected" in statuses:
        result.status = FileStatus.PARTIAL
    elif all(s == "already_imported" for s in statuses):
        result.status = FileStatus.ALREADY_IMPORTED
