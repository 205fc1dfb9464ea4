"""One 835 file: each transaction set read, then posted in its own unit of work.

A set with a FATAL problem (no BPR, no TRN, no SE, not an 835, the parser gave up, an amount
or a sum of amounts no database column holds) is rejected whole: nothing of it posts and a ``rejected_file`` item names the set; the file's other
sets still post.  A posting invariant failure (a bug) rolls its set back the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection

from edi_posting.archive.transaction_sets import SetContext, SetOutcome
from edi_posting.importing.units import FileResult, Units, add_outcome, envelope_rows
from edi_posting.importing.validation_gate import rejection_of
from edi_posting.money import MAX_CENTS, format_cents
from edi_posting.posting.entries import PostingInvariantError
from edi_posting.posting.payment_identity import remittance_key
from edi_posting.posting.remittances import post_remittance
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.source import SourceRef
from edi_posting.records.states import FileStatus
from edi_posting.x12.remit835.file import RemittanceFileEnd, RemittanceSetRead, read_remittance_file

__all__ = ["import_remittance_file", "post_set"]


def import_remittance_file(units: Units, path: Path, result: FileResult) -> None:
    rejected = 0
    for item in read_remittance_file(path, units.archived.sha256):
        if isinstance(item, RemittanceFileEnd):
            result.problems.extend(item.problems)
            fatal = [p for p in item.problems if p.is_fatal]
            if fatal:
                units.queue_rejection(result, fatal[0])
            _file_status(result, rejected, bool(fatal))
            return
        problem = _rejection(item) or _validation_rejection(units, item)
        if problem is not None:
            rejected += 1
            _reject_set(units, result, item, problem)
            continue
        post_set(units, result, item, remittance_key(item))


def _rejection(read: RemittanceSetRead) -> Problem | None:
    fatal = next((p for p in read.problems if p.is_fatal), None)
    if fatal is not None:
        return fatal
    if not read.is_complete:
        return Problem(ProblemCode.SET_INCOMPLETE, Severity.FATAL, "transaction set "
                       f"{read.header.transaction_set_control_number} has no SE trailer",
                       read.header.source, "SE")
    return _sum_out_of_range(read)


def _sum_out_of_range(read: RemittanceSetRead) -> Problem | None:
    """FATAL when the set's posted amounts, added up without their signs, pass MAX_CENTS.

    Each amount fits (the parser checked); this bounds every sum built from them (an entry
    line, a claim's balance, the set's totals, a SUM over its lines), since none of those
    can exceed the sum of the magnitudes.  The problem names the claim payment (or PLB)
    whose amounts took the total past the limit.
    """
    payment = read.header.payment
    start = abs(payment.amount_cents) if payment else 0
    for total, element, source in _posted_amounts(read, start):
        if total > MAX_CENTS:
            return Problem(ProblemCode.AMOUNT_OUT_OF_RANGE, Severity.FATAL, f"{element}: the set's "
                           f"amounts, added up without their signs, pass {format_cents(MAX_CENTS)}"
                           " (the most a database column holds) with this segment's; nothing "
                           "of the set can be stored", source, element)
    return None


def _posted_amounts(read: RemittanceSetRead, total: int
                    ) -> Iterator[tuple[int, str, SourceRef | None]]:
    """The running sum of magnitudes after each claim and PLB (with the element it ended on)."""
    for claim in read.claims:
        total += abs(claim.charge_cents) + abs(claim.paid_cents) + sum(
            abs(a.amount_cents) for a in claim.adjustments)
        for line in claim.service_lines:
            total += abs(line.charge_cents) + abs(line.paid_cents) + sum(
                abs(a.amount_cents) for a in line.adjustments)
        yield total, "CLP04", claim.source
    for adjustment in read.end.provider_adjustments:
        total += abs(adjustment.amount_cents)
        yield total, "PLB04", adjustment.source


def _validation_rejection(units: Units, read: RemittanceSetRead) -> Problem | None:
    envelope = read.envelope
    key = (envelope.interchange_control_number if envelope else "",
           envelope.group_control_number if envelope else "",
           read.header.transaction_set_control_number)
    return rejection_of(key, read.segment_position, units.rejected_sets, read.header.source)


def _reject_set(units: Units, result: FileResult, read: RemittanceSetRead,
                problem: Problem) -> None:
    outcome = SetOutcome("rejected", claims=len(read.claims), problems=list(read.problems))
    if problem not in outcome.problems:
        outcome.problems.append(problem)
    add_outcome(result, outcome, units.options.progress)
    units.queue_rejection(result, problem, f"|st:{read.segment_position}", outcome)


def post_set(units: Units, result: FileResult, read: RemittanceSetRead, key: str) -> None:
    """One usable set (an 835's, or a keyed EOB's check) posted in its own unit; a posting
    invariant failure rejects it whole."""
    archived, options = units.archived, units.options
    source = read.header.source

    def work(unit: Connection) -> SetOutcome:
        group_id = envelope_rows(unit, archived.id, read.envelope)
        ctx = SetContext(archived.id, group_id, source.interchange_control_number,
                         options.actor, options.account_pattern, options.dry_run)
        outcome = post_remittance(unit, ctx, read, key)
        units.audit_set(unit, result, outcome, read.header.transaction_set_control_number,
                        read.segment_position)
        return outcome

    try:
        outcome = units.run(work)
    except PostingInvariantError as exc:
        problem = Problem(ProblemCode.POSTING_INVARIANT, Severity.FATAL, f"{exc}; nothing of this "
                          "transaction set was posted", source, "BPR02")
        _reject_set(units, result, read, problem)
        return
    add_outcome(result, outcome, options.progress)


def _file_status(result: FileResult, rejected: int, file_fatal: bool) -> None:
    statuses = result.set_statuses
    if not statuses or all(s == "rejected" for s in statuses):
        result.status = FileStatus.REJECTED
    elif rejected or file_fatal:
        result.status = FileStatus.PARTIAL
    elif all(s == "already_imported" for s in statuses):
        result.status = FileStatus.ALREADY_IMPORTED
