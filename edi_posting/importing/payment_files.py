"""One payment CSV (patient payments, lockbox): every row checked, then all of it posted in
one unit of work, or nothing.

The file is archived (SHA-256) before this runs, so the same bytes again are
``already_imported``; a row received before under another file is skipped with a WARNING
(its identity is UNIQUE), so a batch imported twice posts nothing.  Rows that fail their
checks (a date, an amount, a method, an account or claim we do not hold) are ERRORs naming
file, row and column, and none of the file's rows post: the unit rolls back and the file
is ``rejected`` (``import`` exits 65).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection

from edi_posting.archive.transaction_sets import SetOutcome
from edi_posting.importing.units import FileResult, Units, add_outcome
from edi_posting.payments.batch_files import PaymentFileKind, read_payment_rows
from edi_posting.payments.batch_post import BatchOutcome, post_payment_rows
from edi_posting.records.problems import Problem, Severity
from edi_posting.records.states import FileStatus

__all__ = ["import_payment_file"]


class _RowsRejected(Exception):  # not an error: it carries the outcome out of the rollback
    def __init__(self, outcome: BatchOutcome) -> None:
        super().__init__("payment rows rejected")
        self.outcome = outcome


def import_payment_file(units: Units, path: Path, result: FileResult) -> None:
    archived = units.archived
    kind = PaymentFileKind(archived.kind)
    rows, problems = read_payment_rows(path, archived.sha256, kind)

    def work(conn: Connection) -> BatchOutcome:
        """The rows that read well are posted too, so that what only the database can
        check (an account, a claim) is reported with the rest; rolled back on any error."""
        outcome = post_payment_rows(conn, kind, rows, (path, archived.sha256, archived.id),
                                    units.options.actor)
        if problems or outcome.has_errors:
            raise _RowsRejected(outcome)  # rolls the unit back: nothing of the file posts
        units.audit_set(conn, result, _as_set(outcome, len(rows)), f"{kind}", None)
        return outcome

    try:
        outcome = units.run(work)
    except _RowsRejected as rejected:
        found = problems + [p for p in rejected.outcome.problems
                            if p.severity is not Severity.WARNING]
        result.problems.extend(sorted(found, key=_row_order))
        result.claims = len(rows) + len({_row_order(p) for p in problems})
        result.status = FileStatus.REJECTED
        return
    add_outcome(result, _as_set(outcome, len(rows)), units.options.progress)
    result.claims = len(rows)
    if not outcome.posted:
        result.status = FileStatus.ALREADY_IMPORTED


def _row_order(problem: Problem) -> int:
    return problem.source.segment_position or 0 if problem.source else 0


def _as_set(outcome: BatchOutcome, rows: int) -> SetOutcome:
    """The file's rows summed as one unit, in the shape every import reports."""
    done = SetOutcome("imported" if outcome.posted else "already_imported", claims=rows,
                      posted=outcome.posted, queued=outcome.queued,
                      problems=list(outcome.problems))
    done.payment_cents, done.unapplied_cents = outcome.payment_cents, outcome.unapplied_cents
    return done
