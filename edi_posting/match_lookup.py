"""Match stage, database side: the ``ClaimLookup`` that ``edi_posting.matching`` asks.

Consumes a SQLAlchemy Core ``Connection`` (the caller's unit of work; nothing is written);
produces ``ClaimCandidate`` records with their lines, patient names and member IDs.

Batched, because import runs at thousands of claims a second: ``by_pcns`` answers every
PCN of a transaction set with one query for the claims, one for all their lines and one
for the member IDs (each IN list chunked at ``IN_CHUNK``), never a query per claim.

Only ``active`` and ``held`` submissions are candidates.  A ``replaced`` or ``voided``
submission was superseded by a later one (CLM05-3 = 7/8), which is what the payer now
adjudicates and what carries the open receivable; a ``void`` row is the frequency-8
request itself, which bills nothing.  Matching either would post cash to a claim whose
charge has been reversed.  ``held`` claims are returned so a reviewer sees them; matching
never calls a match to one safe.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, and_, func, or_, select

from edi_posting.db.models import Coverage, Patient, SubmittedClaim, SubmittedLine
from edi_posting.identity import normalize_pcn
from edi_posting.matching import MATCHABLE_STATUSES, CandidateLine, ClaimCandidate

__all__ = ["FALLBACK_LIMIT", "IN_CHUNK", "PREFIX_LIMIT", "DatabaseClaimLookup"]

IN_CHUNK = 500  # bind parameters per IN list: well under SQLite's and PostgreSQL's limits
PREFIX_LIMIT = 20  # more claims than this under one truncated PCN is ambiguous anyway
FALLBACK_LIMIT = 50  # a common last name over a period: enough to rank, not to flood

_CLAIM = SubmittedClaim.__table__
_LINE = SubmittedLine.__table__
_PATIENT = Patient.__table__
_COVERAGE = Coverage.__table__

_T = TypeVar("_T")
_Row: TypeAlias = Row[*tuple[Any, ...]]


def _chunks(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), IN_CHUNK):
        yield values[start:start + IN_CHUNK]


@dataclass(frozen=True, slots=True)
class DatabaseClaimLookup:
    """``ClaimLookup`` over the submitted-claims tables of one connection."""

    conn: Connection

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        wanted = sorted({normalize_pcn(p) for p in pcns} - {""})
        rows: list[_Row] = []
        for chunk in _chunks(wanted):
            rows += self._claim_rows(_CLAIM.c.pcn_normalized.in_(chunk))
        found: dict[str, list[ClaimCandidate]] = defaultdict(list)
        for candidate in self._candidates(rows):
            found[candidate.pcn_normalized].append(candidate)
        return dict(found)

    def by_pcn_prefix(self, prefix: str) -> list[ClaimCandidate]:
        """LIKE 'prefix%' with the prefix's own % and _ escaped (autoescape).  PostgreSQL
        serves it from a text_pattern_ops index (migration 0003); SQLite's LIKE ignores
        case, so it cannot use an index: there a range on the (binary) index narrows the
        rows first, and LIKE keeps its meaning."""
        normalized = normalize_pcn(prefix)
        if not normalized:
            return []
        condition = _CLAIM.c.pcn_normalized.startswith(normalized, autoescape=True)
        if self.conn.dialect.name == "sqlite":
            upper = normalized[:-1] + chr(ord(normalized[-1]) + 1)
            condition = and_(_CLAIM.c.pcn_normalized >= normalized,
                             _CLAIM.c.pcn_normalized < upper, condition)
        return self._candidates(self._claim_rows(condition, PREFIX_LIMIT))

    def by_member_or_name(
        self,
        member_ids: Sequence[str],
        last_name: str | None,
        dates: tuple[dt.date, dt.date] | None,
    ) -> list[ClaimCandidate]:
        """Claims of patients holding one of the member IDs (any payer) or with this last
        name, whose statement period overlaps ``dates`` (a claim without one always
        does); newest first, at most ``FALLBACK_LIMIT``."""
        stripped = {m.strip() for m in member_ids} - {""}
        ids = sorted(stripped | {m.upper() for m in stripped})
        who: list[ColumnElement[bool]] = []
        if ids:  # both look-ups by index: coverages.member_id, upper(patients.last_name)
            who.append(_CLAIM.c.patient_id.in_(
                select(_COVERAGE.c.patient_id).where(_COVERAGE.c.member_id.in_(ids))))
        if last_name and last_name.strip():
            who.append(_CLAIM.c.patient_id.in_(select(_PATIENT.c.id).where(
                func.upper(_PATIENT.c.last_name) == last_name.strip().upper())))
        if not who:
            return []
        condition = or_(*who)
        if dates is not None:
            condition = and_(condition, _overlaps(*dates))
        return self._candidates(self._claim_rows(condition, FALLBACK_LIMIT))

    # --- rows -----------------------------------------------------------------------------

    def _claim_rows(
        self, condition: ColumnElement[bool], limit: int | None = None
    ) -> list[_Row]:
        query = (
            select(_CLAIM.c.id, _CLAIM.c.patient_control_number, _CLAIM.c.pcn_normalized,
                   _CLAIM.c.total_charge_cents, _CLAIM.c.status, _CLAIM.c.payer_id,
                   _CLAIM.c.patient_account_id, _CLAIM.c.patient_id, _CLAIM.c.coverage_id,
                   _CLAIM.c.statement_from, _CLAIM.c.statement_to,
                   _PATIENT.c.last_name, _PATIENT.c.first_name, _PATIENT.c.birth_date)
            .join(_PATIENT, _PATIENT.c.id == _CLAIM.c.patient_id)
            .where(condition, _CLAIM.c.status.in_(MATCHABLE_STATUSES))
            .order_by(_CLAIM.c.id.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return list(self.conn.execute(query).all())

    def _candidates(self, rows: Sequence[_Row]) -> list[ClaimCandidate]:
        """One query for the lines and one for the member IDs of all the claims."""
        if not rows:
            return []
        lines = self._lines([row.id for row in rows])
        members = self._member_ids(rows)
        return [
            ClaimCandidate(
                claim_id=row.id, pcn=row.patient_control_number,
                pcn_normalized=row.pcn_normalized, charge_cents=row.total_charge_cents,
                status=row.status, payer_id=row.payer_id,
                patient_account_id=row.patient_account_id,
                patient_last_name=row.last_name, patient_first_name=row.first_name,
                birth_date=row.birth_date, member_ids=members.get(row.id, ()),
                statement_from=row.statement_from, statement_to=row.statement_to,
                lines=lines.get(row.id, ()),
            )
            for row in rows
        ]

    def _lines(self, claim_ids: Sequence[int]) -> dict[int, tuple[CandidateLine, ...]]:
        found: dict[int, list[CandidateLine]] = defaultdict(list)
        for chunk in _chunks(sorted(set(claim_ids))):
            query = select(_LINE).where(_LINE.c.claim_id.in_(chunk)).order_by(
                _LINE.c.claim_id, _LINE.c.ordinal)
            for line in self.conn.execute(query):
                found[line.claim_id].append(_candidate_line(line))
        return {claim_id: tuple(lines) for claim_id, lines in found.items()}

    def _member_ids(self, rows: Sequence[_Row]) -> dict[int, tuple[str, ...]]:
        """Per claim: the member ID of its coverage and of the patient's other coverages
        with the claim's payer (a payer re-issuing an ID keeps both findable)."""
        coverages: dict[int, list[_Row]] = defaultdict(list)
        for chunk in _chunks(sorted({row.patient_id for row in rows})):
            query = select(_COVERAGE.c.id, _COVERAGE.c.patient_id, _COVERAGE.c.payer_id,
                           _COVERAGE.c.member_id).where(_COVERAGE.c.patient_id.in_(chunk))
            for coverage in self.conn.execute(query.order_by(_COVERAGE.c.id)):
                coverages[coverage.patient_id].append(coverage)
        return {
            row.id: tuple(dict.fromkeys(
                c.member_id for c in coverages[row.patient_id]
                if c.id == row.coverage_id or (row.payer_id is not None
                                               and c.payer_id == row.payer_id)
            ))
            for row in rows
        }


def _overlaps(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    """The claim's statement period meets [start, end]; a claim without one qualifies."""
    return or_(
        _CLAIM.c.statement_from.is_(None),
        and_(_CLAIM.c.statement_from <= end,
             func.coalesce(_CLAIM.c.statement_to, _CLAIM.c.statement_from) >= start),
    )


def _candidate_line(line: _Row) -> CandidateLine:
    modifiers = (line.modifier1, line.modifier2, line.modifier3, line.modifier4)
    return CandidateLine(
        line_id=line.id, ordinal=line.ordinal, procedure_code=line.procedure_code,
        modifiers=tuple(m for m in modifiers if m), charge_cents=line.charge_cents,
        units=line.units, service_date_from=line.service_date_from,
        service_date_to=line.service_date_to,
        line_item_control_number=line.line_item_control_number,
        procedure_qualifier=line.procedure_qualifier, revenue_code=line.revenue_code,
    )
