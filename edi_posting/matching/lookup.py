"""Match stage, database side: the ``ClaimLookup`` that ``edi_posting.matching.claims`` asks.

Consumes a SQLAlchemy Core ``Connection`` (the caller's unit of work; nothing is written);
produces ``ClaimCandidate`` records with their lines, patient names and member IDs.

Batched, because import runs at thousands of claims a second: ``by_pcns`` answers every
PCN of a transaction set with one query for the claims, one for all their lines and one
for the member IDs (each IN list chunked at ``IN_CHUNK``), never a query per claim;
``by_pcn_prefixes`` answers every truncated PCN of a set with one query (chunked at
``PREFIX_CHUNK``) that keeps the per-prefix ``PREFIX_LIMIT`` of ``by_pcn_prefix``.  The
fixed statements are built once at import (expanding IN parameters), so SQLAlchemy
neither rebuilds them nor recomputes their cache keys per transaction set; rows are read
by position, not by attribute name.

Only ``active`` and ``held`` submissions are candidates.  A ``replaced`` or ``voided``
submission was superseded by a later one (CLM05-3 = 7/8), which is what the payer now
adjudicates and what carries the open receivable; a ``void`` row is the frequency-8
request itself, which bills nothing.  Matching either would post cash to a claim whose
charge has been reversed.  ``held`` claims are returned so a reviewer sees them; matching
never calls a match to one safe.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    bindparam,
    func,
    or_,
    select,
)

from edi_posting.db.base import table_of
from edi_posting.db.bulk import in_chunks
from edi_posting.db.lists import among
from edi_posting.db.models import Coverage, Patient, SubmittedClaim, SubmittedLine
from edi_posting.matching.claims import MATCHABLE_STATUSES
from edi_posting.matching.lines import CandidateLine
from edi_posting.matching.records import ClaimCandidate
from edi_posting.names import name_keys
from edi_posting.parties.identity import normalize_pcn

__all__ = ["FALLBACK_LIMIT", "PREFIX_CHUNK", "PREFIX_LIMIT", "DatabaseClaimLookup"]

PREFIX_LIMIT = 20  # more claims than this under one truncated PCN is ambiguous anyway
PREFIX_CHUNK = 100  # prefixes per combined query: an OR chain far below SQLite's depth limit
FALLBACK_LIMIT = 50  # a common last name over a period: enough to rank, not to flood

_CLAIM = table_of(SubmittedClaim)
_LINE = table_of(SubmittedLine)
_PATIENT = table_of(Patient)
_COVERAGE = table_of(Coverage)

# id, PCN, normalized PCN, charge, status, payer, account, patient, coverage, statement
# from/to, last name, first name, birth date: the positions _candidate reads.
_ClaimRow: TypeAlias = Row[*tuple[Any, ...]]


_NEWEST_FIRST = _CLAIM.c.id.desc()


def _claims_query(
    condition: ColumnElement[bool], newest_first: ColumnElement[Any] = _NEWEST_FIRST
) -> Select[Any]:
    return (
        select(_CLAIM.c.id, _CLAIM.c.patient_control_number, _CLAIM.c.pcn_normalized,
               _CLAIM.c.total_charge_cents, _CLAIM.c.status, _CLAIM.c.payer_id,
               _CLAIM.c.patient_account_id, _CLAIM.c.patient_id, _CLAIM.c.coverage_id,
               _CLAIM.c.statement_from, _CLAIM.c.statement_to,
               _PATIENT.c.last_name, _PATIENT.c.first_name, _PATIENT.c.birth_date)
        .join(_PATIENT, _PATIENT.c.id == _CLAIM.c.patient_id)
        .where(condition, _CLAIM.c.status.in_(MATCHABLE_STATUSES))
        .order_by(newest_first)
    )


# The same order by an expression no index serves: faced with an OR of prefix ranges and
# ORDER BY id LIMIT n, SQLite's planner (no ANALYZE statistics) prefers walking the whole
# table backwards by rowid to the index; ordering by id + 0 leaves it only the index.
_NEWEST_BY_EXPRESSION = (_CLAIM.c.id + 0).desc()
_CLAIMS_BY_PCN = _claims_query(among(_CLAIM.c.pcn_normalized, "pcns"))
_LINES_BY_CLAIM = (
    select(_LINE.c.claim_id, _LINE.c.id, _LINE.c.ordinal, _LINE.c.procedure_code,
           _LINE.c.modifier1, _LINE.c.modifier2, _LINE.c.modifier3, _LINE.c.modifier4,
           _LINE.c.charge_cents, _LINE.c.units, _LINE.c.service_date_from,
           _LINE.c.service_date_to, _LINE.c.line_item_control_number,
           _LINE.c.procedure_qualifier, _LINE.c.revenue_code)
    .where(among(_LINE.c.claim_id, "ids"))
    .order_by(_LINE.c.claim_id, _LINE.c.ordinal)
)
_COVERAGES_BY_PATIENT = (
    select(_COVERAGE.c.id, _COVERAGE.c.patient_id, _COVERAGE.c.payer_id, _COVERAGE.c.member_id)
    .where(among(_COVERAGE.c.patient_id, "ids"))
    .order_by(_COVERAGE.c.id)
)


@dataclass(frozen=True, slots=True)
class DatabaseClaimLookup:
    """``ClaimLookup`` over the submitted-claims tables of one connection."""

    conn: Connection

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        wanted = sorted({normalize_pcn(p) for p in pcns} - {""})
        rows: list[_ClaimRow] = []
        for chunk in in_chunks(wanted):
            rows += self.conn.execute(_CLAIMS_BY_PCN, {"pcns": list(chunk)}).all()
        found: dict[str, list[ClaimCandidate]] = defaultdict(list)
        for candidate in self._candidates(rows):
            found[candidate.pcn_normalized].append(candidate)
        return dict(found)

    def by_pcn_prefix(self, prefix: str) -> list[ClaimCandidate]:
        """Claims whose normalized PCN starts with ``prefix``: newest first, at most
        ``PREFIX_LIMIT``."""
        normalized = normalize_pcn(prefix)
        if not normalized:
            return []
        return self._candidates(self._claim_rows(self._starts_with(normalized), PREFIX_LIMIT))

    def by_pcn_prefixes(self, prefixes: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        """``by_pcn_prefix`` of each prefix (keyed as given, empty lists left out), with
        one query per ``PREFIX_CHUNK`` prefixes instead of one per prefix."""
        wanted = sorted({normalize_pcn(p) for p in prefixes} - {""})
        rows_of: dict[str, list[_ClaimRow]] = {}
        for chunk in in_chunks(wanted, PREFIX_CHUNK):
            rows_of.update(self._prefix_rows(chunk))
        all_rows = {row[0]: row for rows in rows_of.values() for row in rows}
        by_id = {c.claim_id: c for c in self._candidates(list(all_rows.values()))}
        found: dict[str, list[ClaimCandidate]] = {}
        for prefix in prefixes:
            rows = rows_of.get(normalize_pcn(prefix), [])
            if rows:
                found[prefix] = [by_id[row[0]] for row in rows]
        return found

    def by_member_or_name(
        self,
        member_ids: Sequence[str],
        last_name: str | None,
        dates: tuple[dt.date, dt.date] | None,
        first_name: str | None = None,
    ) -> list[ClaimCandidate]:
        """Claims of patients holding one of the member IDs (any payer), then claims of
        patients with this last name and, when given, this first name (both compared as
        the scoring compares them: without case, spaces or punctuation), whose statement
        period overlaps ``dates`` (a claim without one always does).  Newest first, at most
        ``FALLBACK_LIMIT`` of each kind: a common surname (hundreds of patients in a large
        practice) must never crowd out the patient the member ID names."""
        stripped = {m.strip() for m in member_ids} - {""}
        ids = sorted(stripped | {m.upper() for m in stripped})
        start, end = dates if dates is not None else (None, None)
        params = {"start": start, "end": end}
        found: dict[int, _ClaimRow] = {}
        if ids:
            query = _fallback_query(True, dates is not None, FALLBACK_LIMIT)
            for row in self.conn.execute(query, {**params, "ids": ids}):
                found[row[0]] = row
        namesakes = self._namesakes(last_name, first_name)
        by_name: list[_ClaimRow] = []
        for chunk in in_chunks(namesakes):
            query = _fallback_query(False, dates is not None, FALLBACK_LIMIT)
            by_name += self.conn.execute(query, {**params, "ids": list(chunk)}).all()
        for row in sorted(by_name, key=lambda r: -r[0])[:FALLBACK_LIMIT]:
            found.setdefault(row[0], row)
        return self._candidates(sorted(found.values(), key=lambda r: -r[0]))

    def _namesakes(self, last_name: str | None, first_name: str | None) -> list[int]:
        """Patients with this last name and, when given, this first name, by the name keys
        intake stored (so JEAN-PAUL and Jean Paul are one name, as they are when scored)."""
        last, first = name_keys(last_name, first_name)
        if not last:
            return []
        query = _PATIENTS_BY_NAME if first else _PATIENTS_BY_LAST_NAME
        return list(self.conn.execute(query, {"last": last, "first": first}).scalars())

    # --- rows -----------------------------------------------------------------------------

    def _starts_with(self, normalized: str) -> ColumnElement[bool]:
        """LIKE 'prefix%' with the prefix's own % and _ escaped (autoescape).  PostgreSQL
        serves it from a text_pattern_ops index (migration 0003); SQLite's LIKE ignores
        case, so it cannot use an index: there a range on the (binary) index narrows the
        rows first, and LIKE keeps its meaning.  Either way a row qualifies exactly when
        ``pcn_normalized.startswith(normalized)`` in Python, which ``_prefix_rows``
        relies on."""
        condition = _CLAIM.c.pcn_normalized.startswith(normalized, autoescape=True)
        if self.conn.dialect.name == "sqlite":
            upper = normalized[:-1] + chr(ord(normalized[-1]) + 1)
            condition = and_(_CLAIM.c.pcn_normalized >= normalized,
                             _CLAIM.c.pcn_normalized < upper, condition)
        return condition

    def _prefix_rows(self, prefixes: Sequence[str]) -> dict[str, list[_ClaimRow]]:
        """Per prefix, the rows ``by_pcn_prefix`` would return, from one OR query.  The
        query is capped; when the cap is hit, a prefix already holding ``PREFIX_LIMIT``
        rows has its newest ones (every row above the cut is in), and the others are
        asked one by one."""
        cap = PREFIX_LIMIT * len(prefixes)
        query = _claims_query(or_(*(self._starts_with(p) for p in prefixes)),
                              _NEWEST_BY_EXPRESSION)
        rows = list(self.conn.execute(query.limit(cap)).all())
        lengths = sorted({len(p) for p in prefixes})
        found: dict[str, list[_ClaimRow]] = {p: [] for p in prefixes}
        for row in rows:  # newest first, as each single query orders them
            for length in lengths:
                if length > len(row[2]):
                    break  # a shorter slice would count the row twice
                held = found.get(row[2][:length])
                if held is not None and len(held) < PREFIX_LIMIT:
                    held.append(row)
        if len(rows) >= cap:
            for prefix, held in found.items():
                if len(held) < PREFIX_LIMIT:
                    found[prefix] = self._claim_rows(self._starts_with(prefix), PREFIX_LIMIT)
        return {p: held for p, held in found.items() if held}

    def _claim_rows(
        self, condition: ColumnElement[bool], limit: int | None = None
    ) -> list[_ClaimRow]:
        query = _claims_query(condition)
        if limit is not None:
            query = query.limit(limit)
        return list(self.conn.execute(query).all())

    def _candidates(self, rows: Sequence[_ClaimRow]) -> list[ClaimCandidate]:
        """One query for the lines and one for the member IDs of all the claims."""
        if not rows:
            return []
        lines = self._lines([row[0] for row in rows])
        members = self._member_ids(rows)
        return [
            ClaimCandidate(
                claim_id, pcn, pcn_normalized, charge_cents, status, payer_id, account_id,
                last_name, first_name, birth_date, members.get(claim_id, ()),
                statement_from, statement_to, lines.get(claim_id, ()),
            )
            for (claim_id, pcn, pcn_normalized, charge_cents, status, payer_id, account_id,
                 _patient_id, _coverage_id, statement_from, statement_to,
                 last_name, first_name, birth_date) in rows
        ]

    def _lines(self, claim_ids: Sequence[int]) -> dict[int, tuple[CandidateLine, ...]]:
        found: dict[int, list[CandidateLine]] = defaultdict(list)
        for chunk in in_chunks(sorted(set(claim_ids))):
            for (claim_id, line_id, ordinal, code, mod1, mod2, mod3, mod4, charge_cents,
                 units, date_from, date_to, control_number, qualifier, revenue_code) in (
                    self.conn.execute(_LINES_BY_CLAIM, {"ids": list(chunk)}).all()):
                found[claim_id].append(CandidateLine(
                    line_id, ordinal, code, tuple(filter(None, (mod1, mod2, mod3, mod4))),
                    charge_cents, units, date_from, date_to, control_number, qualifier,
                    revenue_code,
                ))
        return {claim_id: tuple(lines) for claim_id, lines in found.items()}

    def _member_ids(self, rows: Sequence[_ClaimRow]) -> dict[int, tuple[str, ...]]:
        """Per claim: the member ID of its coverage and of the patient's other coverages
        with the claim's payer (a payer re-issuing an ID keeps both findable)."""
        coverages: dict[int, list[tuple[int, int | None, str]]] = defaultdict(list)
        for chunk in in_chunks(sorted({row[7] for row in rows})):
            for coverage_id, patient_id, payer_id, member_id in self.conn.execute(
                    _COVERAGES_BY_PATIENT, {"ids": list(chunk)}).all():
                coverages[patient_id].append((coverage_id, payer_id, member_id))
        found: dict[int, tuple[str, ...]] = {}
        for row in rows:
            claim_id, claim_payer, patient_id, claim_coverage = row[0], row[5], row[7], row[8]
            found[claim_id] = tuple(dict.fromkeys(
                member_id for coverage_id, payer_id, member_id in coverages[patient_id]
                if coverage_id == claim_coverage
                or (claim_payer is not None and payer_id == claim_payer)
            ))
        return found


_PATIENTS_BY_LAST_NAME = select(_PATIENT.c.id).where(
    _PATIENT.c.last_name_key == bindparam("last"))
_PATIENTS_BY_NAME = _PATIENTS_BY_LAST_NAME.where(_PATIENT.c.first_name_key == bindparam("first"))


@functools.cache
def _fallback_query(by_member_ids: bool, by_dates: bool, limit: int) -> Select[Any]:
    """The fallback statement of one shape, built once: parameters ``ids`` (member IDs,
    or patient ids), ``start`` and ``end``.  The newest ``limit`` claim ids are chosen first
    and only their rows read: sorting whole rows cost 2.5 times as much when a name
    qualifies thousands of claims."""
    claim = _CLAIM.alias("qualifying")
    patients: ColumnElement[bool] = claim.c.patient_id.in_(
        select(_COVERAGE.c.patient_id).where(among(_COVERAGE.c.member_id, "ids"))
    ) if by_member_ids else among(claim.c.patient_id, "ids")
    condition = and_(patients, _overlaps(claim)) if by_dates else patients
    newest = (select(claim.c.id).where(condition, claim.c.status.in_(MATCHABLE_STATUSES))
              .order_by(claim.c.id.desc()).limit(limit))
    return _claims_query(_CLAIM.c.id.in_(newest))


def _overlaps(claim: Any) -> ColumnElement[bool]:
    """The claim's statement period meets [start, end]; a claim without one qualifies."""
    return or_(
        claim.c.statement_from.is_(None),
        and_(claim.c.statement_from <= bindparam("end"),
             func.coalesce(claim.c.statement_to, claim.c.statement_from)
             >= bindparam("start")),
    )
