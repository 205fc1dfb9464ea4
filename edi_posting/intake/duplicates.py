"""Intake stage, duplicate guard: a claim billed twice is charged once.

Consumes the claims of one 837 transaction set with their resolved parties; produces a
``DUPLICATE_CLAIM`` problem (the claim is then held, so its charge does not post) and a
``duplicate_claim`` review item naming both submissions.

A claim is a duplicate when the same PCN (normalized) was billed to the same payer before
and that submission still carries its charge (``active``), or an earlier claim of the same
batch will be charged under that PCN and payer.  A byte-identical file or transaction set
never gets here (it is already imported); a replacement (CLM05-3 = 7) or void (8) is how a
practice bills a claim again on purpose, so those are never duplicates, and the same PCN
billed to another payer (secondary, crossover) is another claim.  The caller owns the
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import in_chunks
from edi_posting.db.lists import among
from edi_posting.db.models import ReceivedFile, SubmittedClaim
from edi_posting.money import format_cents
from edi_posting.parties.identity import PartyIds, normalize_pcn
from edi_posting.queue.items import ReviewDraft
from edi_posting.records.claim import ClaimFrequency, SubmittedClaimRecord
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.states import ReviewKind, SubmissionStatus

__all__ = ["Duplicate", "EarlierClaim", "duplicate_reviews", "find_duplicates"]

_CLAIM, _FILE = table_of(SubmittedClaim), table_of(ReceivedFile)
_BILLED_AGAIN_ON_PURPOSE = (ClaimFrequency.REPLACEMENT, ClaimFrequency.VOID)


@dataclass(frozen=True, slots=True)
class EarlierClaim:
    """The submission a duplicate repeats: stored before, or earlier in the same batch."""

    charge_cents: int
    segment: int | None
    claim_id: int | None = None  # stored before
    file_name: str | None = None
    imported_on: dt.date | None = None
    ordinal: int | None = None  # earlier in this batch (its id is known after insert)

    def describe(self) -> str:
        if self.ordinal is not None:
            return f"earlier in this file at segment {self.segment}"
        return (f"claim id {self.claim_id} in {self.file_name}, imported "
                f"{self.imported_on.isoformat() if self.imported_on else 'earlier'}")


@dataclass(frozen=True, slots=True)
class Duplicate:
    earlier: EarlierClaim
    problem: Problem  # DUPLICATE_CLAIM, also among the claim's problems


def find_duplicates(
    conn: Connection, claims: Sequence[SubmittedClaimRecord], parties: Sequence[PartyIds],
    problems: dict[int, list[Problem]],
) -> dict[int, Duplicate]:
    """The earlier submission of each claim that repeats one, by claim ordinal; each such
    claim also gets its ``DUPLICATE_CLAIM`` problem (which holds its charge)."""
    candidates = [(c, p.payer_id) for c, p in zip(claims, parties)
                  if c.frequency_code not in _BILLED_AGAIN_ON_PURPOSE
                  and not problems[c.ordinal] and p.payer_id is not None]
    stored = _stored_active(conn, {normalize_pcn(c.patient_control_number) for c, _ in candidates})
    found: dict[int, Duplicate] = {}
    for claim, payer_id in candidates:
        key = (normalize_pcn(claim.patient_control_number), payer_id)
        earlier = stored.get(key)
        if earlier is None:
            src = claim.source
            stored[key] = EarlierClaim(claim.total_charge_cents,
                                       src.segment_position if src else None,
                                       ordinal=claim.ordinal)
            continue
        found[claim.ordinal] = Duplicate(earlier, _problem(claim, earlier))
        problems[claim.ordinal].append(found[claim.ordinal].problem)
    return found


def _stored_active(conn: Connection, pcns: set[str]) -> dict[tuple[str, int | None], EarlierClaim]:
    """The newest active (charged) submission per (PCN, payer) among these PCNs."""
    found: dict[tuple[str, int | None], EarlierClaim] = {}
    query = (select(_CLAIM.c.id, _CLAIM.c.pcn_normalized, _CLAIM.c.payer_id,
                    _CLAIM.c.total_charge_cents, _CLAIM.c.source_segment, _CLAIM.c.created_at,
                    _FILE.c.file_name)
             .outerjoin(_FILE, _FILE.c.id == _CLAIM.c.source_file_id)
             .where(among(_CLAIM.c.pcn_normalized, "pcns"), _CLAIM.c.status == SubmissionStatus.ACTIVE)
             .order_by(_CLAIM.c.id))
    for chunk in in_chunks(sorted(pcns - {""})):
        for row in conn.execute(query, {"pcns": list(chunk)}):
            found[(row.pcn_normalized, row.payer_id)] = EarlierClaim(
                row.total_charge_cents, row.source_segment, claim_id=row.id,
                file_name=row.file_name,
                imported_on=row.created_at.date() if row.created_at else None)
    return found


def _problem(claim: SubmittedClaimRecord, earlier: EarlierClaim) -> Problem:
    payer = claim.payer.name if claim.payer else "its payer"
    return Problem(
        ProblemCode.DUPLICATE_CLAIM, Severity.ERROR,
        f"claim {claim.patient_control_number} was billed to {payer} before "
        f"({earlier.describe()}, charge {format_cents(earlier.charge_cents)}); this one "
        f"(charge {format_cents(claim.total_charge_cents)}) is held, not charged twice",
        claim.source, "CLM01",
    )


def duplicate_reviews(
    conn: Connection, file_id: int, key: str, claims: Sequence[SubmittedClaimRecord],
    parties: Sequence[PartyIds], claim_ids: dict[int, int], duplicates: dict[int, Duplicate],
) -> list[ReviewDraft]:
    """A ``duplicate_claim`` item per duplicate: both submissions side by side, and what
    the specialist does with it."""
    if not duplicates:
        return []
    file_name = conn.execute(select(_FILE.c.file_name).where(_FILE.c.id == file_id)).scalar()
    return [_review(file_id, file_name, key, claim, claim_ids, party, duplicates[claim.ordinal])
            for claim, party in zip(claims, parties) if claim.ordinal in duplicates]


def _review(file_id: int, file_name: str | None, key: str, claim: SubmittedClaimRecord,
            claim_ids: dict[int, int], party: PartyIds, duplicate: Duplicate) -> ReviewDraft:
    earlier, src = duplicate.earlier, claim.source
    new = {"claim_id": claim_ids.get(claim.ordinal), "file": file_name,
           "charge": format_cents(claim.total_charge_cents),
           "segment": src.segment_position if src else None}
    before: dict[str, Any] = {
        "claim_id": earlier.claim_id, "file": earlier.file_name,
        "imported_on": earlier.imported_on.isoformat() if earlier.imported_on else None,
        "charge": format_cents(earlier.charge_cents), "segment": earlier.segment}
    if earlier.ordinal is not None:  # earlier in this batch: stored just now, with this one
        before.update(claim_id=claim_ids.get(earlier.ordinal), file=file_name,
                      imported_on=dt.date.today().isoformat())
    message = (f"{duplicate.problem.message}. Dismiss this item if the claim was sent twice; "
               "if it is a genuine new claim under the same PCN, bill it as a replacement "
               "(CLM05-3 = 7) of the earlier one")
    return ReviewDraft(
        f"duplicate_claim|{key}|clm:{claim.ordinal}", ReviewKind.DUPLICATE_CLAIM, message,
        amount_cents=claim.total_charge_cents, priority=2, problem_code=ProblemCode.DUPLICATE_CLAIM,
        submitted_claim_id=claim_ids.get(claim.ordinal), file_id=file_id,
        evidence={"earlier": before, "new": new, "problem": duplicate.problem.to_dict()},
        patient_account_id=party.account_id, payer_id=party.payer_id,
    )
