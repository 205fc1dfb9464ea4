"""Parse stage, 835: what the builders of :mod:`segments835` share.

:class:`Context` (per transaction set) turns element text into exact integer cents and
dates, recording a problem on the element when it cannot, and keeps the set's memos of
values already read; :func:`fast_constructor` builds frozen records without the cost of a
frozen dataclass's ``__init__``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from edi_posting.logs import withheld
from edi_posting.money import AmountError, AmountRangeError, parse_amount, to_cents
from edi_posting.records.claim import ProcedureCode
from edi_posting.records.problems import Problem, ProblemCode, Severity
from edi_posting.records.remittance_parts import Amount, DateValue
from edi_posting.records.source import SourceRef

__all__ = ["SHARED_LIMIT", "Bucket", "Context", "Segment", "fast_constructor", "padded",
           "required_amount"]

_R = TypeVar("_R")


def fast_constructor(cls: type[_R]) -> Callable[..., _R]:
    """A positional constructor for a frozen, slotted dataclass, about five times faster.

    Why: a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``
    (~100 ns a field), which made building records the largest cost of a 100,000-claim
    file.  This builds a plain slotted twin with the same slots in the same order (plain
    attribute stores), then re-labels the instance as ``cls``; Python checks that the two
    layouts are identical and raises TypeError otherwise.  The result is an ordinary
    frozen ``cls`` instance.  Every field must be given, in declaration order.
    """
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": tuple(names)})
    source = (f"def construct({', '.join(names)}):\n    self = _new(_twin)\n"
              + "".join(f"    self.{n} = {n}\n" for n in names)
              + "    self.__class__ = _cls\n    return self\n")
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": cls}
    exec(source, namespace)  # noqa: S102 - generated from the dataclass's own field names
    construct: Callable[..., _R] = namespace["construct"]
    construct.__doc__ = f"Fast positional {cls.__name__}(...)."
    return construct


_NONE: tuple[()] = ()
# dates of the payment, not of a person: shown in messages; service and claim dates
# (DTM02) are PHI and only their length is
_PAYMENT_DATES = frozenset({"BPR16", "PLB02", "TS303"})
_source_ref = fast_constructor(SourceRef)
Segment = tuple[list[str], int]
Bucket = dict[str, list[Segment]]  # the segments of one loop by segment id
SHARED_LIMIT = 4096  # entries per memo of shared records: bounded whatever the input


def padded(elements: list[str], size: int) -> list[str]:
    """Elements with missing trailing ones as "" so fields read by index without checks."""
    return elements if len(elements) >= size else elements + [""] * (size - len(elements))


class Context:
    """Per transaction set: where segments come from, the composite separator, problems."""

    __slots__ = (
        "_envelope",
        "component",
        "has_bad_amount",
        "known_amounts",
        "known_dates",
        "out_of_range",
        "problems",
        "procedures",
        "shared_amounts",
        "shared_dates",
        "source",
    )

    def __init__(self, source: SourceRef, component: str) -> None:
        self.source = source
        self.component = component
        self.problems: list[Problem] = []
        self.has_bad_amount = False
        # set-level FATAL problems found inside a claim: an amount no column can hold
        self.out_of_range: list[Problem] = []
        # Memos of valid values already read (bounded): reading one of them again has no
        # effect but its value, so a hot loop may look here before calling cents()/date().
        self.known_dates: dict[str, dt.date | None] = {}
        self.known_amounts: dict[str, int] = {}
        # Records read without a problem, shared by every segment with the same text (they
        # are frozen): a 100,000-claim set repeats a few hundred dates, amounts and codes,
        # and every record fewer is one fewer for the garbage collector to walk again and
        # again while the set grows.  Keys are the elements the record is built from.
        self.shared_dates: dict[tuple[str, str], tuple[DateValue]] = {}  # DTM01, DTM02
        self.shared_amounts: dict[tuple[str, str], tuple[Amount]] = {}  # AMT01, AMT02
        self.procedures: dict[str, tuple[ProcedureCode, str | None]] = {}  # SVC01 text
        self._envelope = (source.file_sha256, source.file_name, source.interchange_control_number,
                          source.group_control_number, source.transaction_set_control_number)

    def at(self, position: int) -> SourceRef:
        """The set's source at another segment (``SourceRef.at``, built faster)."""
        sha, name, isa, gs, st = self._envelope
        return _source_ref(sha, name, isa, gs, st, position, None, None)  # no row: X12

    def problem(self, code: ProblemCode, severity: Severity, message: str, position: int,
                element: str | None) -> None:
        self.problems.append(Problem(code, severity, message, self.source.at(position), element))

    def cents(self, text: str, element: str, position: int) -> int | None:
        """Exact integer cents; None when empty, or with an ERROR problem when not an amount."""
        cached = self.known_amounts.get(text)
        if cached is not None:
            return cached
        if not text:
            return None
        dot = text.find(".")
        cents: int | None = None
        if len(text) > 16:  # may not fit 64-bit cents (nor int()'s digit limit): parse_amount
            pass
        elif dot < 0:  # fast paths for "12" and "12.34"; everything else via parse_amount
            if text.isdecimal():
                cents = int(text) * 100
        elif dot and len(text) - dot == 3:
            digits = text[:dot] + text[dot + 1:]
            if digits.isdecimal():
                cents = int(digits)
        if cents is not None:
            if len(self.known_amounts) < 65536:  # amounts repeat; a bounded memo is cheaper
                self.known_amounts[text] = cents
            return cents
        try:
            return to_cents(parse_amount(text))
        except AmountRangeError as exc:
            self.has_bad_amount = True
            self.out_of_range.append(Problem(
                ProblemCode.AMOUNT_OUT_OF_RANGE, Severity.FATAL,
                f"{element}: {exc}; nothing of this "
                "transaction set can be stored", self.source.at(position), element))
            return None
        except AmountError as exc:
            self.has_bad_amount = True
            self.problem(ProblemCode.INVALID_AMOUNT,
                         Severity.ERROR, f"{element}: {exc}; not rounded, "
                         "the item is held", position, element)
            return None

    def date(self, text: str, element: str, position: int) -> dt.date | None:
        """CCYYMMDD -> date (cached: a file repeats few dates); a problem when invalid."""
        if not text:
            return None
        cached = self.known_dates.get(text, _NONE)
        if cached is not _NONE:
            return cached  # type: ignore[return-value]
        day: dt.date | None = None
        if len(text) == 8 and text.isdigit() and text.isascii() and "19" <= text[:2] <= "21":
            try:
                day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                day = None
        if day is None:
            shown = repr(text[:20]) if element in _PAYMENT_DATES else withheld(text)
            self.problem(ProblemCode.INVALID_DATE, Severity.ERROR, f"{element}: {shown} is not a "
                         "CCYYMMDD date between 1900 and 2199", position, element)
            return None
        if len(self.known_dates) < 4096:
            self.known_dates[text] = day
        return day


def required_amount(ctx: Context, e: list[str], position: int, indexes: tuple[int, ...],
                    tag: str) -> None:
    """A MISSING_AMOUNT problem for each of ``e[indexes]`` that is empty."""
    for index in indexes:
        if not e[index]:
            ctx.has_bad_amount = True
            ctx.problem(ProblemCode.MISSING_AMOUNT, Severity.ERROR, f"{tag}{index:02d} is empty",
                        position, f"{tag}{index:02d}")
