"""What one file's import shares between the 837 and 835 paths: options, results, and
the units of work (a transaction per set, or savepoints inside a dry run's rollback).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select

from edi_posting.archive.files import ArchivedFile
from edi_posting.archive.transaction_sets import SetOutcome
from edi_posting.audit.events import record_event
from edi_posting.audit.writes import write_transaction
from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.models import FunctionalGroup, Interchange
from edi_posting.db.races import retry_races
from edi_posting.money import format_cents
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.envelope import Envelope
from edi_posting.records.problems import Problem
from edi_posting.records.states import AuditOutcome, FileStatus, ReviewKind

T = TypeVar("T")

SetKey = tuple[str, str, str]  # ISA13, GS06, ST02

__all__ = ["FileResult", "ImportOptions", "ImportResult", "SetKey", "Units", "add_outcome", "envelope_rows"]


@dataclass(frozen=True, slots=True)
class ImportOptions:
    actor: str
    dry_run: bool = False
    archive_dir: Path | None = None
    account_pattern: str | None = None
    role: str | None = None  # the actor's role, for the audit trail
    progress: Callable[[str], None] | None = None  # one line per transaction set (stderr)
    validate: bool = False  # pyx12 validation first; rejected sets are not posted


@dataclass
class FileResult:
    path: str
    sha256: str | None
    kind: str
    status: FileStatus
    transaction_sets: int = 0
    claims: int = 0
    posted: int = 0
    queued: int = 0
    problems: list[Problem] = field(default_factory=list)
    set_statuses: list[str] = field(default_factory=list)
    payment_cents: int = 0  # 835: sum of BPR02 (signed) of the sets imported now
    unapplied_cents: int = 0  # 835: what went to unapplied cash
    plan: list[dict[str, Any]] = field(default_factory=list)  # --dry-run, per claim payment

    def to_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "path": self.path, "sha256": self.sha256, "kind": self.kind, "status": self.status,
            "transaction_sets": self.transaction_sets, "claims": self.claims,
            "posted": self.posted, "queued": self.queued,
            "payment_total": format_cents(self.payment_cents),
            "unapplied_total": format_cents(self.unapplied_cents),
            "problems": [p.to_dict() for p in self.problems],
        }
        if self.plan:
            doc["plan"] = self.plan
        return doc


@dataclass
class ImportResult:
    files: list[FileResult]

    def totals(self) -> dict[str, Any]:
        return {
            "files": len(self.files),
            "claims": sum(f.claims for f in self.files),
            "posted": sum(f.posted for f in self.files),
            "queued": sum(f.queued for f in self.files),
            "already_imported": sum(1 for f in self.files
                                    if f.status == FileStatus.ALREADY_IMPORTED),
            "rejected": sum(1 for f in self.files if f.status == FileStatus.REJECTED),
            "failed": sum(1 for f in self.files if f.status == FileStatus.FAILED),
            "payment_total": format_cents(sum(f.payment_cents for f in self.files)),
            "unapplied_total": format_cents(sum(f.unapplied_cents for f in self.files)),
        }


@dataclass(frozen=True, slots=True)
class Units:
    """Where one file's transaction sets run: each in its own write transaction, or, in a
    dry run, each in a savepoint of ``conn`` (which the caller rolls back)."""

    conn: Connection | None
    engine: Engine
    archived: ArchivedFile
    options: ImportOptions
    rejected_sets: frozenset[int] = frozenset()  # by --validate: the ST's segment position

    @contextmanager
    def set_unit(self) -> Iterator[Connection]:
        if self.conn is None:
            with write_transaction(self.engine) as own:
                yield own
            return
        with self.conn.begin_nested():
            yield self.conn

    def run(self, work: Callable[[Connection], T]) -> T:
        """``work`` in one unit, run again from the start when it loses a race with another
        importer (a UNIQUE key the other committed first, a deadlock): the rerun sees the
        winner's rows, so a set the other posted is ``already_imported``."""
        def attempt() -> T:
            with self.set_unit() as unit:
                return work(unit)
        return retry_races(attempt)

    def audit_set(self, conn: Connection, result: FileResult, outcome: SetOutcome,
                  control_number: str, segment_position: int | None) -> None:
        """The set's audit event, in the set's own transaction: what it posted is never
        committed without its trail (a crash after the commit cannot separate them)."""
        if outcome.status == "already_imported":
            return  # nothing written
        record_event(
            conn, actor=self.options.actor, role=self.options.role,
            action="import.transaction_set", object_type="file", object_id=self.archived.sha256,
            outcome=AuditOutcome.REJECTED if outcome.status == "rejected" else AuditOutcome.OK,
            summary={"file": Path(result.path).name, "kind": self.archived.kind,
                     "transaction_set": control_number, "segment": segment_position,
                     "status": outcome.status, "claims": outcome.claims,
                     "posted": outcome.posted, "queued": outcome.queued,
                     "payment_total": format_cents(outcome.payment_cents)},
        )

    def queue_rejection(self, result: FileResult, problem: Problem, scope: str = "",
                        outcome: SetOutcome | None = None) -> None:
        """A ``rejected_file`` item for a rejected file or transaction set (``outcome``:
        the rejected set, whose audit event goes in the same transaction)."""
        review = ReviewDraft(
            f"rejected_file|file:{self.archived.id}{scope}|{problem.code}",
            ReviewKind.REJECTED_FILE,
            problem.message, priority=2, problem_code=problem.code, file_id=self.archived.id,
            evidence={"problem": problem.to_dict()},
        )

        def work(unit: Connection) -> int:
            queued = len(open_review_items(unit, [review], self.options.actor))
            if outcome is not None:
                source = problem.source
                self.audit_set(unit, result, replace(outcome, queued=outcome.queued + queued),
                               source.transaction_set_control_number or "" if source else "",
                               source.segment_position if source else None)
            return queued

        result.queued += self.run(work)


def add_outcome(result: FileResult, outcome: SetOutcome,
                progress: Callable[[str], None] | None = None) -> None:
    if progress is not None:
        progress(f"{Path(result.path).name}: transaction set {len(result.set_statuses) + 1}: "
                 f"{outcome.status}, {outcome.claims} claims, {outcome.posted} posted, "
                 f"{outcome.queued} queued")
    result.set_statuses.append(outcome.status)
    result.transaction_sets += 1
    result.claims += outcome.claims
    result.posted += outcome.posted
    result.queued += outcome.queued
    result.problems.extend(outcome.problems)
    result.payment_cents += outcome.payment_cents
    result.unapplied_cents += outcome.unapplied_cents
    result.plan.extend(outcome.plan)


def envelope_rows(conn: Connection, file_id: int, envelope: Envelope | None) -> int | None:
    """Find or record the interchange and group around a set; the group's id."""
    if envelope is None:
        return None
    isa = table_of(Interchange)
    key = {"sender_qualifier": envelope.sender_qualifier, "sender_id": envelope.sender_id,
           "receiver_qualifier": envelope.receiver_qualifier,
           "receiver_id": envelope.receiver_id,
           "control_number": envelope.interchange_control_number}
    interchange_id = conn.execute(
        select(isa.c.id).where(*(isa.c[k] == v for k, v in key.items()))).scalar()
    if interchange_id is None:
        interchange_id = new_id(conn.execute(insert(isa).values(
            file_id=file_id, interchange_date=envelope.interchange_date,
            interchange_time=envelope.interchange_time, version=envelope.version,
            usage_indicator=envelope.usage_indicator,
            segment_position=envelope.interchange_position, **key,
        )))
    gs = table_of(FunctionalGroup)
    group_id = conn.execute(select(gs.c.id).where(
        gs.c.interchange_id == interchange_id,
        gs.c.control_number == envelope.group_control_number)).scalar()
    if group_id is None:
        group_id = new_id(conn.execute(insert(gs).values(
            interchange_id=interchange_id, functional_id=envelope.functional_id,
            sender_code=envelope.group_sender, receiver_code=envelope.group_receiver,
            group_date=envelope.group_date, control_number=envelope.group_control_number,
            version=envelope.group_version, segment_position=envelope.group_position,
        )))
    return int(group_id)
