"""The records of matching: what a payment says, what a billed claim looks like, the
look-up that finds claims, and the outcome with its evidence.  The rules are in
:mod:`edi_posting.matching.claims`; these are kept apart so the lookup and tests can share them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from edi_posting.matching.lines import CandidateLine, LineMatches, LinePaymentFacts
from edi_posting.records.states import MatchMethod  # stored, so defined below db

__all__ = ["ClaimCandidate", "ClaimLookup", "ClaimMatch", "MatchField", "PaymentFacts", "Period", "ScoredCandidate"]

Period = tuple[dt.date, dt.date]


class MatchField(enum.StrEnum):
    PCN = "patient control number"
    TRUNCATED_PCN = "truncated patient control number"
    MEMBER_ID = "member ID"
    LAST_NAME = "last name"
    FIRST_NAME = "first name"
    SERVICE_DATES = "service dates"
    TOTAL_CHARGE = "total charge"
    PAYER = "payer"


@dataclass(frozen=True, slots=True)
class PaymentFacts:
    """What one claim payment (loop 2100) tells us about the claim it pays."""

    patient_control_number: str  # CLP01
    status_code: str  # CLP02
    charge_cents: int  # CLP03
    paid_cents: int  # CLP04
    payer_claim_control_number: str | None = None  # CLP07
    payer_id: int | None = None  # our payer, resolved from TRN03 / N1*PR by the caller
    patient_last_name: str | None = None  # NM1*QC03
    patient_first_name: str | None = None  # NM1*QC04
    member_id: str | None = None  # NM1*QC09 (or NM1*IL09)
    corrected_member_id: str | None = None  # NM1*74 09
    statement_from: dt.date | None = None  # DTM*232
    statement_to: dt.date | None = None  # DTM*233
    lines: tuple[LinePaymentFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimCandidate:
    """A billed claim submission, as stored at 837 intake."""

    claim_id: int
    pcn: str  # CLM01 as sent
    pcn_normalized: str
    charge_cents: int  # CLM02
    status: str  # active, held, replaced, voided, void
    payer_id: int | None
    patient_account_id: int
    patient_last_name: str | None
    patient_first_name: str | None
    birth_date: dt.date | None
    member_ids: tuple[str, ...]
    statement_from: dt.date | None
    statement_to: dt.date | None
    lines: tuple[CandidateLine, ...] = ()


class ClaimLookup(Protocol):
    """Where billed claims come from; implementations return candidates of any status."""

    def by_pcns(self, pcns: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        """Claims by normalized PCN (keys are the normalized PCNs that were found)."""
        ...

    def by_pcn_prefix(self, prefix: str) -> list[ClaimCandidate]:
        """Claims whose normalized PCN starts with ``prefix`` (payer-truncated CLP01)."""
        ...

    def by_pcn_prefixes(self, prefixes: Sequence[str]) -> dict[str, list[ClaimCandidate]]:
        """``by_pcn_prefix`` of every prefix at once, keyed by prefix as given (prefixes
        that find nothing may be left out): one look-up per transaction set."""
        ...

    def by_member_or_name(
        self, member_ids: Sequence[str], last_name: str | None, dates: Period | None,
        first_name: str | None = None,
    ) -> list[ClaimCandidate]:
        """Claims of a patient with one of these member IDs, or with this last name (and
        first name, when given), whose statement period overlaps ``dates`` (any period
        when None)."""
        ...


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    claim_id: int
    status: str
    score: int  # fallback points, 0..100 (see the module docstring)
    agreed: tuple[MatchField, ...]
    disagreed: tuple[MatchField, ...]
    reasons: tuple[str, ...]  # one readable sentence per field compared


@dataclass(frozen=True, slots=True)
class ClaimMatch:
    claim_id: int | None
    method: MatchMethod
    candidates: tuple[ScoredCandidate, ...]  # best first
    is_safe: bool  # only a safe match is posted
    reason: str  # why this outcome, for the reviewer
    claim: ClaimCandidate | None = None
    lines: LineMatches | None = None
