"""The post stage for 837s: one claim transaction set -> claims, lines and charges.

Each claim finds or creates its patient, account and payer (``identity``), is stored with
its lines, and posts its charge: Dr insurance receivable for the responsible payer, Cr gross
charges, one line pair per service line.  A claim billed again (same PCN and payer, not a
replacement or void) is held as a duplicate (``claim_duplicates``).  A replacement
(frequency 7) reverses the charge of the claim it replaces and posts its own; a void (8)
only reverses.  A claim with an ERROR problem is stored but holds its charge, and a review
item says why; the other claims of the set still import.  The caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, select, update

from edi_posting.archive.transaction_sets import SetContext, SetOutcome, record_set, seen_before
from edi_posting.db.base import table_of
from edi_posting.db.bulk import insert_with_ids
from edi_posting.db.ledger import AccountCode, EntryKind
from edi_posting.db.models import ClaimPayment, JournalEntry, SubmittedClaim, SubmittedLine
from edi_posting.intake.checks import claim_problems
from edi_posting.intake.duplicates import duplicate_reviews, find_duplicates
from edi_posting.ledger import journal as ledger
from edi_posting.parties.directory import PatientConflict
from edi_posting.parties.identity import PartyIds, normalize_pcn, resolve_parties
from edi_posting.queue.items import ReviewDraft, open_review_items
from edi_posting.records.claim import (
    ClaimBatch,
    ClaimFrequency,
    OtherPayer,
    SubmittedClaimRecord,
    SubmittedLineRecord,
)
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.states import ReviewKind, SetKind, SetStatus, SubmissionStatus

__all__ = ["import_claim_batch"]

_CLAIM, _LINE = table_of(SubmittedClaim), table_of(SubmittedLine)
_ENTRY = table_of(JournalEntry)


def batch_identity_key(batch: ClaimBatch) -> str:
    h = batch.header
    return f"837|{h.submitter_id}|{h.receiver_id}|{h.reference_id}|{h.created_date}|{h.control_number}"


def import_claim_batch(conn: Connection, ctx: SetContext, batch: ClaimBatch) -> SetOutcome:
    key = batch_identity_key(batch)
    description = (f"837 transaction set {batch.header.control_number} (BHT03 "
                   f"{batch.header.reference_id})")
    seen = seen_before(conn, ctx, key, batch.content_sha256, len(batch.claims), description,
                       batch.header.source)
    if seen is not None:
        return seen
    ts_id = record_set(
        conn, ctx, kind=SetKind(f"837{batch.header.claim_type.value}"),
        control_number=batch.header.control_number,
        implementation_reference=batch.header.implementation_reference, identity_key=key,
        content_sha256=batch.content_sha256, segment_position=batch.segment_position,
        segment_count=batch.segment_count, status=SetStatus.POSTED,
    )
    parties, conflicts = resolve_parties(conn, batch.claims, account_pattern=ctx.account_pattern)
    problems = {c.ordinal: claim_problems(c) for c in batch.claims}
    originals = {c.ordinal: _find_original(conn, c, problems[c.ordinal]) for c in batch.claims}
    duplicates = find_duplicates(conn, batch.claims, parties, problems)
    effective = batch.header.created_date or dt.date.today()
    claim_ids, line_ids = _insert_claims(conn, ctx, int(ts_id), batch, parties, problems)
    outcome = SetOutcome("imported", claims=len(batch.claims))
    reviews = [_conflict_review(ctx, c) for c in conflicts]
    drafts: list[ledger.EntryDraft] = []
    for claim, party in zip(batch.claims, parties):
        claim_id = claim_ids[claim.ordinal]
        original = originals[claim.ordinal]
        if original is not None:
            drafts.extend(_supersede(conn, ctx, key, claim, claim_id, original, effective))
        if claim.frequency_code != ClaimFrequency.VOID and not problems[claim.ordinal]:
            drafts.append(_charge_draft(ctx, key, claim, claim_id, line_ids, party, effective))
    ledger.write_entries(conn, drafts, ctx.actor)
    outcome.posted = sum(1 for d in drafts if d.kind == EntryKind.CHARGE)
    reviews += [_problem_review(ctx, key, claim, claim_ids, party, problem)
                for claim, party in zip(batch.claims, parties)
                for problem in problems[claim.ordinal]
                if problem.code != ProblemCode.DUPLICATE_CLAIM]
    reviews += duplicate_reviews(conn, ctx.file_id, key, batch.claims, parties, claim_ids,
                                 duplicates)
    # the set's own problems (a segment lost outside any claim, a trailer whose SE01 count
    # or SE02 control number disagrees) hold no claim, but the sender should hear of them
    outcome.problems.extend(batch.problems)
    outcome.problems.extend(p for claim in batch.claims for p in problems[claim.ordinal])
    outcome.queued = len(open_review_items(conn, reviews, ctx.actor))
    return outcome


def _insert_claims(
    conn: Connection,
    ctx: SetContext,
    ts_id: int,
    batch: ClaimBatch,
    parties: Sequence[PartyIds],
    problems: dict[int, list[Problem]],
) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Bulk-insert claims and lines; ids by claim ordinal and by (claim, line) ordinal."""
    rows = [_claim_row(ctx, ts_id, claim, party, problems[claim.ordinal])
            for claim, party in zip(batch.claims, parties)]
    if not rows:
        return {}, {}
    claim_ids = dict(zip((c.ordinal for c in batch.claims), insert_with_ids(conn, _CLAIM, rows)))
    keys = [(claim.ordinal, line.ordinal) for claim in batch.claims for line in claim.lines]
    line_rows = [_line_row(ctx, claim_ids[claim.ordinal], line)
                 for claim in batch.claims for line in claim.lines]
    if not line_rows:
        return claim_ids, {}
    return claim_ids, dict(zip(keys, insert_with_ids(conn, _LINE, line_rows)))


def _claim_row(
    ctx: SetContext, ts_id: int, claim: SubmittedClaimRecord, party: PartyIds,
    problems: list[Problem],
) -> dict[str, object]:
    dates = [d for line in claim.lines for d in (line.service_date_from, line.service_date_to) if d]
    status = SubmissionStatus.VOID if claim.frequency_code == ClaimFrequency.VOID else (
        SubmissionStatus.HELD if problems else SubmissionStatus.ACTIVE)
    src = claim.source
    return {
        "transaction_set_id": ts_id, "ordinal": claim.ordinal,
        "claim_type": claim.claim_type.value,
        "patient_control_number": claim.patient_control_number,
        "pcn_normalized": normalize_pcn(claim.patient_control_number),
        "total_charge_cents": claim.total_charge_cents, "facility_code": claim.facility_code,
        "facility_qualifier": claim.facility_qualifier, "frequency_code": claim.frequency_code,
        "original_payer_claim_number": claim.original_payer_claim_number,
        "prior_authorization": claim.prior_authorization,
        "medical_record_number": claim.medical_record_number,
        "payer_responsibility": claim.subscriber.responsibility,
        "statement_from": min(dates) if dates else None,
        "statement_to": max(dates) if dates else None,
        "patient_account_id": party.account_id, "patient_id": party.patient_id,
        "payer_id": party.payer_id, "coverage_id": party.coverage_id,
        "billing_provider_id": party.provider_id, "status": status,
        "diagnosis_codes": list(claim.diagnosis_codes) or None,
        "dates": dict(claim.dates) or None,
        "other_payers": [_other_payer(o) for o in claim.other_payers] or None,
        "source_file_id": ctx.file_id, "source_isa13": ctx.isa13,
        "source_st02": src.transaction_set_control_number if src else None,
        "source_segment": src.segment_position if src else None,
    }


def _other_payer(other: OtherPayer) -> dict[str, object]:
    return asdict(other)


def _line_row(ctx: SetContext, claim_id: int, line: SubmittedLineRecord) -> dict[str, object]:
    proc = line.procedure
    mods = (proc.modifiers if proc else ()) + (None, None, None, None)
    src = line.source
    return {
        "claim_id": claim_id, "ordinal": line.ordinal, "line_number": line.line_number,
        "procedure_qualifier": proc.qualifier if proc else None,
        "procedure_code": proc.code if proc else None,
        "modifier1": mods[0], "modifier2": mods[1], "modifier3": mods[2], "modifier4": mods[3],
        "revenue_code": line.revenue_code, "charge_cents": line.charge_cents,
        "units": line.units, "unit_basis": line.unit_basis,
        "place_of_service": line.place_of_service,
        "service_date_from": line.service_date_from, "service_date_to": line.service_date_to,
        "line_item_control_number": line.line_item_control_number,
        "other_payer_adjudication": list(line.other_payer_adjudication) or None,
        "source_file_id": ctx.file_id, "source_isa13": ctx.isa13,
        "source_st02": src.transaction_set_control_number if src else None,
        "source_segment": src.segment_position if src else None,
    }


def _find_original(
    conn: Connection, claim: SubmittedClaimRecord, problems: list[Problem]
) -> int | None:
    """The active claim a replacement (7) or void (8) supersedes: by REF*F8, else by PCN."""
    if claim.frequency_code not in (ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID):
        return None
    found = None
    if claim.original_payer_claim_number:
        cp = table_of(ClaimPayment)
        found = conn.execute(
            select(_CLAIM.c.id).join(cp, cp.c.submitted_claim_id == _CLAIM.c.id).where(
                cp.c.payer_claim_control_number == claim.original_payer_claim_number,
                _CLAIM.c.status == SubmissionStatus.ACTIVE,
            ).order_by(_CLAIM.c.id.desc()).limit(1)
        ).scalar()
    if found is None:
        found = conn.execute(
            select(_CLAIM.c.id).where(
                _CLAIM.c.pcn_normalized == normalize_pcn(claim.patient_control_number),
                _CLAIM.c.status == SubmissionStatus.ACTIVE,
            ).order_by(_CLAIM.c.id.desc()).limit(1)
        ).scalar()
    if found is None:
        kind = "replacement" if claim.frequency_code == ClaimFrequency.REPLACEMENT else "void"
        problems.append(Problem(
            ProblemCode.ORIGINAL_CLAIM_NOT_FOUND, Severity.ERROR,
            f"{kind} claim {claim.patient_control_number} (REF*F8 "
            f"{claim.original_payer_claim_number or 'absent'}) names no claim we hold",
            claim.source, "CLM05-3",
        ))
    return int(found) if found is not None else None


def _supersede(
    conn: Connection, ctx: SetContext, key: str, claim: SubmittedClaimRecord, claim_id: int,
    original_id: int, effective: dt.date,
) -> list[ledger.EntryDraft]:
    """Reverse the original's standing charges and mark it replaced or voided."""
    reversed_ids = select(_ENTRY.c.reverses_entry_id).where(_ENTRY.c.reverses_entry_id.is_not(None))
    charge_ids = conn.execute(
        select(_ENTRY.c.id).where(
            _ENTRY.c.submitted_claim_id == original_id, _ENTRY.c.kind == EntryKind.CHARGE,
            _ENTRY.c.id.not_in(reversed_ids),
        )
    ).scalars().all()
    status = (SubmissionStatus.VOIDED if claim.frequency_code == ClaimFrequency.VOID
              else SubmissionStatus.REPLACED)
    conn.execute(update(_CLAIM).where(_CLAIM.c.id == original_id).values(status=status))
    conn.execute(update(_CLAIM).where(_CLAIM.c.id == claim_id).values(replaces_claim_id=original_id))
    template = ledger.EntryDraft("", EntryKind.CHARGE_REVERSAL, effective, (),
                                 **_source(ctx, claim))
    return ledger.reversal_drafts(
        conn, charge_ids, kind=EntryKind.CHARGE_REVERSAL,
        key_suffix=f"{status}-by|{key}|clm:{claim.ordinal}",
        effective_date=effective, template=template,
    )


def _source(ctx: SetContext, claim: SubmittedClaimRecord) -> dict[str, Any]:
    src = claim.source
    return {
        "source_file_id": ctx.file_id, "source_isa13": ctx.isa13,
        "source_st02": src.transaction_set_control_number if src else None,
        "source_segment": src.segment_position if src else None,
    }


def _charge_draft(
    ctx: SetContext, key: str, claim: SubmittedClaimRecord, claim_id: int,
    line_ids: dict[tuple[int, int], int], party: PartyIds, effective: dt.date,
) -> ledger.EntryDraft:
    """Dr insurance receivable (responsible payer) / Cr gross charges, per service line."""
    postings: list[ledger.Posting] = []
    for line in claim.lines:
        dims: dict[str, Any] = {
            "payer_id": party.payer_id, "patient_account_id": party.account_id,
            "submitted_claim_id": claim_id,
            "submitted_line_id": line_ids.get((claim.ordinal, line.ordinal)),
        }
        postings.append(ledger.Posting(AccountCode.INSURANCE_AR, line.charge_cents, **dims))
        postings.append(ledger.Posting(AccountCode.GROSS_CHARGES, -line.charge_cents,
                                       **dims))
    return ledger.EntryDraft(
        f"{key}|clm:{claim.ordinal}|charge", EntryKind.CHARGE, effective, tuple(postings),
        memo=f"charge for claim {claim.patient_control_number}", submitted_claim_id=claim_id,
        **_source(ctx, claim),
    )


def _conflict_review(ctx: SetContext, conflict: PatientConflict) -> ReviewDraft:
    return ReviewDraft(
        f"patient_conflict|member:{conflict.member_id}|patients:{conflict.existing_patient_id}"
        f"-{conflict.new_patient_id}",
        ReviewKind.PATIENT_CONFLICT,
        f"payer member ID already belongs to patient {conflict.existing_patient_id}; the claim"
        f" names another person, kept apart as patient {conflict.new_patient_id}",
        priority=2, problem_code=ProblemCode.PATIENT_CONFLICT, file_id=ctx.file_id,
        evidence={"existing_patient_id": conflict.existing_patient_id,
                  "new_patient_id": conflict.new_patient_id},
    )


def _problem_review(
    ctx: SetContext, key: str, claim: SubmittedClaimRecord, claim_ids: dict[int, int],
    party: PartyIds, problem: Problem,
) -> ReviewDraft:
    return ReviewDraft(
        f"claim_problem|{key}|clm:{claim.ordinal}|{problem.code}", ReviewKind.CLAIM_PROBLEM,
        problem.message, amount_cents=claim.total_charge_cents, priority=2,
        problem_code=problem.code, submitted_claim_id=claim_ids.get(claim.ordinal),
        file_id=ctx.file_id, evidence={"problem": problem.to_dict()},
        patient_account_id=party.account_id, payer_id=party.payer_id,
    )
