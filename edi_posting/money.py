"""Money at the edges: exact text -> integer cents, and integer cents -> display text.

Every amount that enters the engine passes through :func:`parse_amount` once; from the
normalize stage on, money is an ``int`` of cents.  ``float`` never appears, because a
remittance that is off by one cent is a remittance a person has to chase.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

__all__ = ["AmountError", "cents_to_decimal", "format_cents", "parse_amount", "to_cents"]

_CENT = Decimal("0.01")


class AmountError(ValueError):
    """The text is not a finite amount with at most two decimals.

    Parsers catch it and turn it into a Problem on the element; it never escapes a parser.
    """


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
    """Exact Decimal -> integer cents; the value must already have at most two decimals."""
    cents = value * 100
    if cents != cents.to_integral_value():
        raise AmountError(f"more than two decimals: {value}")
    return int(cents)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(_CENT)


def format_cents(cents: int) -> str:
    """Integer cents -> ``"-12.30"``: the two-decimal string every output uses."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
