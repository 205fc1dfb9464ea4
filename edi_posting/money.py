"""Money at the edges: exact text -> integer cents, and integer cents -> display text.

Every amount that enters the engine passes through :func:`parse_amount` once; from the
normalize stage on, money is an ``int`` of cents.  ``float`` never appears, because a
remittance that is off by one cent is a remittance a person has to chase.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["MAX_CENTS", "AmountError", "AmountRangeError", "format_cents",
           "parse_amount", "to_cents"]

_CENT = Decimal("0.01")
# The largest magnitude of cents a database column (BIGINT, SQLite INTEGER) holds.  Python's
# int has no limit, so an amount beyond it would pass every check here and crash the insert.
MAX_CENTS = 2**63 - 1


class AmountError(ValueError):
    """The text is not a finite amount with at most two decimals.

    Parsers catch it and turn it into a Problem on the element; it never escapes a parser.
    """


class AmountRangeError(AmountError):
    """A well-formed amount whose cents no database column can hold (beyond
    :data:`MAX_CENTS` either way): the unit that carries it cannot be stored."""


def parse_amount(text: str) -> Decimal:
    """Parse an X12 ``R`` amount exactly.

    Rejected rather than rounded: more than two decimals, exponents, NaN/Infinity,
    blanks and anything that is not a plain signed decimal number.  A payer that sends
    ``12.345`` has sent something we cannot post without guessing.
    """
    stripped = text.strip()
    if not stripped or any(ch in stripped for ch in "eE_ ,"):
        raise AmountError(f"not an amount: {text!r}")
    try:
        value = Decimal(stripped)
    except InvalidOperation:
        raise AmountError(f"not an amount: {text!r}") from None
    if not value.is_finite():
        raise AmountError(f"not an amount: {text!r}")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise AmountError(f"more than two decimals: {text!r}")
    return value


def to_cents(value: Decimal) -> int:
    """Exact Decimal -> integer cents; the value must already have at most two decimals and
    its cents must fit a signed 64-bit integer (:class:`AmountRangeError` otherwise)."""
    cents = value * 100
    if cents != cents.to_integral_value():
        raise AmountError(f"more than two decimals: {value}")
    if abs(cents) > MAX_CENTS:
        raise AmountRangeError(f"{len(value.as_tuple().digits)} digits: beyond "
                               f"{format_cents(MAX_CENTS)}, the most a database column holds")
    return int(cents)


def format_cents(cents: int) -> str:
    """Integer cents -> ``"-12.30"``: the two-decimal string every output uses."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
