"""Match stage, line level: which billed service line each paid service line pays.

Consumes the paid lines of one claim payment (``LinePaymentFacts``) and the billed lines of
the claim it matched (``CandidateLine``); produces ``LineMatches``: for every paid line the
billed line id (or None) and the rule that decided it, plus what stayed unmatched.  Pure:
no database, no X12; ``edi_posting.matching.claims`` re-exports everything here.

The rules, tried in this order over the whole claim (a rule runs for every line before the
next, weaker rule runs, so a weak rule never steals a line a strong rule wanted):

1. the line item control number (835 REF*6R = 837 2400 REF*6R).  Authoritative: it
   survives recoding.  On unbundling every resulting paid line carries the original 6R, so
   several paid lines may map to that one billed line; this is the only way a billed line
   is used twice.
2. procedure + modifiers + date of service + charge;
3. the same without modifiers (payers drop or add modifiers);
4. and 5. rules 2 and 3 with the originally submitted procedure (SVC06) when the payer
   recoded the line.

Modifiers compare as a multiset (payers reorder them).  Units are not a key: payers
adjust them.  Charges compare by magnitude because a reversal negates them.  Among billed
lines that fit equally, the first unused one by ordinal is taken, so identical lines are
each used once.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "CandidateLine",
    "LineMatch",
    "LineMatchMethod",
    "LineMatches",
    "LinePaymentFacts",
    "match_lines",
]


@dataclass(frozen=True, slots=True)
class LinePaymentFacts:
    """What one paid service line (loop 2110) says about the line it pays."""

    ordinal: int  # position of the line in its claim payment
    procedure_qualifier: str | None  # SVC01-1: HC, NU, AD, N4 ...
    procedure_code: str | None  # SVC01-2: as adjudicated
    modifiers: tuple[str, ...] = ()  # SVC01-3..6
    original_procedure_qualifier: str | None = None  # SVC06-1, only when the payer recoded
    original_procedure_code: str | None = None  # SVC06-2
    original_modifiers: tuple[str, ...] = ()  # SVC06-3..6
    charge_cents: int = 0  # SVC02
    paid_cents: int = 0  # SVC03
    service_date_from: dt.date | None = None  # DTM*472 or DTM*150
    service_date_to: dt.date | None = None  # DTM*472 or DTM*151
    line_item_control_number: str | None = None  # REF*6R
    units: str | None = None  # SVC05, exact text


@dataclass(frozen=True, slots=True)
class CandidateLine:
    """A billed service line (837 loop 2400) as stored at intake."""

    line_id: int
    ordinal: int
    procedure_code: str | None  # SV101-2 / SV202-2 / SV301-2
    modifiers: tuple[str, ...] = ()  # up to four
    charge_cents: int = 0  # SV102 / SV203 / SV302
    units: str | None = None  # exact text
    service_date_from: dt.date | None = None  # DTP*472
    service_date_to: dt.date | None = None
    line_item_control_number: str | None = None  # REF*6R
    procedure_qualifier: str | None = None  # HC, AD, NU, N4 ...
    revenue_code: str | None = None  # SV201 (institutional)


class LineMatchMethod(enum.StrEnum):
    LINE_CONTROL_NUMBER = "line_control_number"
    CODE_MODIFIERS_DATE_CHARGE = "code_modifiers_date_charge"
    CODE_DATE_CHARGE = "code_date_charge"  # modifier-insensitive
    ORIGINAL_CODE_MODIFIERS_DATE_CHARGE = "original_code_modifiers_date_charge"  # SVC06
    ORIGINAL_CODE_DATE_CHARGE = "original_code_date_charge"  # SVC06, modifier-insensitive
    NONE = "none"


@dataclass(frozen=True, slots=True)
class LineMatch:
    payment_ordinal: int
    line_id: int | None
    method: LineMatchMethod


@dataclass(frozen=True, slots=True)
class LineMatches:
    matches: tuple[LineMatch, ...]  # one per paid line, in the paid lines' order
    unmatched: tuple[LinePaymentFacts, ...]  # paid lines no billed line fits
    unpaid_line_ids: tuple[int, ...]  # billed lines no paid line names (by ordinal)

    def line_id_for(self, payment_ordinal: int) -> int | None:
        """The billed line a paid line maps to (None when unmatched or unknown)."""
        for match in self.matches:
            if match.payment_ordinal == payment_ordinal:
                return match.line_id
        return None

    @property
    def is_complete(self) -> bool:
        return not self.unmatched


def _code(text: str | None) -> str:
    return text.strip().upper() if text else ""


def _modifiers(modifiers: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(m for m in (_code(x) for x in modifiers) if m))


def _ordinal(line: CandidateLine) -> int:
    return line.ordinal


def _period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date] | None:
    if start is None:
        return None
    return (start, end or start)


@dataclass(frozen=True, slots=True)
class _PaidKey:
    """The comparable form of one paid line under one rule (adjudicated or SVC06 code)."""

    qualifier: str
    code: str
    modifiers: tuple[str, ...]
    charge_cents: int
    period: tuple[dt.date, dt.date] | None
    is_claim_period: bool  # the line had no date: the claim's statement period stands in


def _paid_key(
    line: LinePaymentFacts, original: bool, claim_period: tuple[dt.date, dt.date] | None
) -> _PaidKey | None:
    code = _code(line.original_procedure_code if original else line.procedure_code)
    if not code:
        return None
    qualifier = _code(line.original_procedure_qualifier if original else line.procedure_qualifier)
    period = _period(line.service_date_from, line.service_date_to)
    return _PaidKey(
        qualifier, code, _modifiers(line.original_modifiers if original else line.modifiers),
        abs(line.charge_cents), period or claim_period, period is None,
    )


@dataclass(frozen=True, slots=True)
class _BilledKey:
    """The comparable form of one billed line, normalized once per claim: the rules below
    compare every paid line with every billed line, up to four times."""

    line_id: int
    code: str
    qualifier: str
    revenue_code: str
    modifiers: tuple[str, ...]
    charge_cents: int  # magnitude
    period: tuple[dt.date, dt.date] | None


def _billed_key(line: CandidateLine) -> _BilledKey:
    return _BilledKey(
        line.line_id, _code(line.procedure_code), _code(line.procedure_qualifier),
        _code(line.revenue_code), _modifiers(line.modifiers), abs(line.charge_cents),
        _period(line.service_date_from, line.service_date_to),
    )


def _codes_agree(key: _PaidKey, line: _BilledKey) -> bool:
    """Same procedure; an NU (revenue code) payment line compares with SV201."""
    if key.qualifier == "NU" and line.revenue_code == key.code:
        return True
    return line.code == key.code and (
        not key.qualifier or not line.qualifier or line.qualifier == key.qualifier
    )


def _dates_agree(key: _PaidKey, line: _BilledKey) -> bool:
    """Equal periods.  A paid line without dates uses the claim period (the guide's rule)
    and then only needs to contain the billed date; with no date on the claim payment
    either, the date is unknown and does not disagree.  A billed line without dates
    inherits its claim's, already compared when the claim matched."""
    billed = line.period
    if billed is None or key.period is None:
        return billed is None or key.is_claim_period
    if key.is_claim_period:
        return key.period[0] <= billed[0] and billed[1] <= key.period[1]
    return billed == key.period


def _fits(key: _PaidKey, line: _BilledKey, with_modifiers: bool) -> bool:
    return (
        line.charge_cents == key.charge_cents
        and _codes_agree(key, line)
        and _dates_agree(key, line)
        and (not with_modifiers or line.modifiers == key.modifiers)
    )


_Rule = tuple[LineMatchMethod, bool, bool]  # (method, use SVC06, compare modifiers)

_KEY_RULES: tuple[_Rule, ...] = (
    (LineMatchMethod.CODE_MODIFIERS_DATE_CHARGE, False, True),
    (LineMatchMethod.CODE_DATE_CHARGE, False, False),
    (LineMatchMethod.ORIGINAL_CODE_MODIFIERS_DATE_CHARGE, True, True),
    (LineMatchMethod.ORIGINAL_CODE_DATE_CHARGE, True, False),
)


def _by_control_number(
    payment_lines: Sequence[LinePaymentFacts], candidate_lines: Sequence[CandidateLine]
) -> dict[int, int]:
    """Paid line index → billed line id by REF*6R.  A 6R that names several billed lines
    (it should be unique within the claim) decides nothing: the key rules try instead."""
    by_number: dict[str, list[int]] = {}
    for line in candidate_lines:
        number = _code(line.line_item_control_number)
        if number:
            by_number.setdefault(number, []).append(line.line_id)
    found: dict[int, int] = {}
    if not by_number:
        return found
    for index, paid in enumerate(payment_lines):
        ids = by_number.get(_code(paid.line_item_control_number))
        if ids is not None and len(ids) == 1:
            found[index] = ids[0]
    return found


def _by_charge(billed: Sequence[CandidateLine]) -> dict[int, list[_BilledKey]]:
    """Billed lines by charge magnitude, in ordinal order: every key rule needs the charge
    to agree, so a paid line is compared only with the billed lines of its charge."""
    found: dict[int, list[_BilledKey]] = {}
    for line in billed:
        key = _billed_key(line)
        found.setdefault(key.charge_cents, []).append(key)
    return found


def _first_unused(
    by_charge: dict[int, list[_BilledKey]], used: set[int], key: _PaidKey, with_modifiers: bool
) -> _BilledKey | None:
    return next(
        (c for c in by_charge.get(key.charge_cents, ())
         if c.line_id not in used and _fits(key, c, with_modifiers)),
        None,
    )


def match_lines(
    payment_lines: Sequence[LinePaymentFacts],
    candidate_lines: Sequence[CandidateLine],
    *,
    claim_period: tuple[dt.date, dt.date] | None = None,
) -> LineMatches:
    """Map every paid line to a billed line by the rules in the module docstring.

    ``claim_period`` is the claim payment's statement period (DTM*232/233), used as the
    date of service of paid lines that carry none.
    """
    billed = sorted(candidate_lines, key=_ordinal)
    decided: dict[int, tuple[int, LineMatchMethod]] = {
        index: (line_id, LineMatchMethod.LINE_CONTROL_NUMBER)
        for index, line_id in _by_control_number(payment_lines, billed).items()
    }
    used = {line_id for line_id, _ in decided.values()}
    if len(decided) < len(payment_lines):
        _match_by_keys(payment_lines, _by_charge(billed), claim_period, decided, used)
    return _line_matches(payment_lines, billed, decided, used)


def _match_by_keys(
    payment_lines: Sequence[LinePaymentFacts],
    billed: dict[int, list[_BilledKey]],
    claim_period: tuple[dt.date, dt.date] | None,
    decided: dict[int, tuple[int, LineMatchMethod]],
    used: set[int],
) -> None:
    """The key rules, each over every paid line not yet decided; fills ``decided`` and
    ``used``.  A paid line's key depends only on the code it uses (adjudicated or SVC06),
    so each is built at most once."""
    keys: dict[tuple[int, bool], _PaidKey | None] = {}
    for method, original, with_modifiers in _KEY_RULES:
        for index, paid in enumerate(payment_lines):
            if index in decided:
                continue
            if (index, original) not in keys:
                keys[index, original] = _paid_key(paid, original, claim_period)
            key = keys[index, original]
            if key is None:
                continue
            line = _first_unused(billed, used, key, with_modifiers)
            if line is not None:
                decided[index] = (line.line_id, method)
                used.add(line.line_id)


def _line_matches(
    payment_lines: Sequence[LinePaymentFacts],
    billed: Sequence[CandidateLine],
    decided: dict[int, tuple[int, LineMatchMethod]],
    used: set[int],
) -> LineMatches:
    matches: list[LineMatch] = []
    unmatched: list[LinePaymentFacts] = []
    for index, paid in enumerate(payment_lines):
        hit = decided.get(index)
        if hit is None:
            matches.append(LineMatch(paid.ordinal, None, LineMatchMethod.NONE))
            unmatched.append(paid)
        else:
            matches.append(LineMatch(paid.ordinal, hit[0], hit[1]))
    unpaid = tuple(line.line_id for line in billed if line.line_id not in used)
    return LineMatches(tuple(matches), tuple(unmatched), unpaid)
