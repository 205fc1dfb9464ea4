"""One file = one unit of work: archive -> read -> parse -> post -> queue.

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
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, update

from edi_posting.archive import ArchivedFile, archive_file
from edi_posting.audit import record_event
from edi_posting.claim_intake import import_claim_batch
from edi_posting.db.base import table_of
from edi_posting.db.engine import write_transaction
from edi_posting.db.models import ReceivedFile
from edi_posting.import_units import (
    FileResult,
    ImportOptions,
    ImportResult,
    Units,
    add_outcome,
    envelope_rows,
)
from edi_posting.late_claims import ImportTrigger, rematch_waiting_payments
from edi_posting.logs import log_event
from edi_posting.problems import Problem, Severity
from edi_posting.records.source import SourceRef
from edi_posting.remittance_import import import_remittance_file
from edi_posting.transaction_sets import SetContext, SetOutcome
from edi_posting.validation_gate import rejection_of, validate_for_import
from edi_posting.x12.claim_file import read_claim_file
from edi_posting.x12.sniff import sniff_path

__all__ = [
    "FileResult",
    "ImportOptions",
    "ImportResult",
    "expand_paths",
    "import_file",
    "import_paths",
]

_KIND_ORDER = {"837P": 0, "837I": 0, "837D": 0, "835": 1}


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
        conn.execute(update(table_of(ReceivedFile)).where(ReceivedFile.id == archived.id).values(
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


@contextmanager
def _full_collections_deferred() -> Iterator[None]:
    """Python's full (oldest-generation) collections wait until the file is done.

    A transaction set's records stay alive while it posts (a payer's set can hold thousands
    of claims), and every full collection walks all of them again: at 100,000 claims they
    took a fifth of the 835 import.  Young collections go on, freeing the few reference
    cycles a set leaves behind; the records themselves hold none."""
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, 1_000_000)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


def _process(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
             options: ImportOptions) -> FileResult:
    with _full_collections_deferred():
        return _process_file(conn, engine, path, archived, options)


def _process_file(conn: Connection | None, engine: Engine, path: Path, archived: ArchivedFile,
                  options: ImportOptions) -> FileResult:
    result = FileResult(str(path), archived.sha256, archived.kind, "imported")
    units = Units(conn, engine, archived, options)
    if options.validate and archived.kind in ("835", "837P", "837I", "837D"):
        rejected = validate_for_import(units, path, result)
        units = Units(conn, engine, archived, options, rejected)
    if archived.kind.startswith("837"):
        _import_837(units, path, result)
    elif archived.kind == "835":
        import_remittance_file(units, path, result)
    else:
        message = (f"{path.name}: not an 835 or 837 (GS01/ST01 say {archived.kind}); "
                   "nothing imported")
        problem = Problem("UNSUPPORTED_FILE", Severity.FATAL, message,
                          SourceRef(archived.sha256, path.name, segment_position=1))
        result.status = "rejected"
        result.problems.append(problem)
        units.queue_rejection(result, problem)
    return result


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
        stop = rejection_of(key, units.rejected_sets, source)
        if stop is not None:
            add_outcome(result, SetOutcome("rejected", claims=len(read.batch.claims),
                                           problems=[stop]), options.progress)
            units.queue_rejection(result, stop, f"|st:{read.batch.segment_position}")
            continue
        with units.set_unit() as unit:
            group_id = envelope_rows(unit, archived.id, read.envelope)
            ctx = SetContext(archived.id, group_id,
                             source.interchange_control_number if source else None,
                             options.actor, options.account_pattern, options.dry_run)
            outcome = import_claim_batch(unit, ctx, read.batch)
            if outcome.status == "imported":  # a late claim answers a waiting payment
                outcome.problems += rematch_waiting_payments(unit, read.batch.claims, trigger)
        add_outcome(result, outcome, options.progress)
    fatal = [p for p in problems if p.is_fatal]
    if fatal:
        result.status = "partial" if reads else "rejected"
        units.queue_rejection(result, fatal[0])
    elif reads and all(status == "already_imported" for status in result.set_statuses):
        result.status = "already_imported"
