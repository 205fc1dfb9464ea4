"""Trace numbers as payers and banks write them, brought to one comparable form.

An 835's TRN02 is the EFT trace or the check number; the bank shows the same number with
leading zeros added or dropped, spaces or dashes inside, another case, or only inside the
NACHA CCD+ addendum (``TRN*1*<trace>*<payer id>~``) in the detail's text.  Both sides are
normalised the same way before they are compared.
"""

from __future__ import annotations

import re

__all__ = ["addendum_trace", "line_trace", "normalize_trace"]

_ADDENDUM = re.compile(r"TRN\*1\*([^*~\\/]+)", re.IGNORECASE)
_NOISE = re.compile(r"[\s\-_.]")
_ZEROS = re.compile(r"^([A-Z]*)0+(?=\d)")  # after a letter prefix too: EFT00123 = EFT123


def normalize_trace(text: str | None) -> str | None:
    """Upper case, no spaces, dashes, dots or underscores, no leading zeros of its number
    (after a letter prefix too); None when nothing is left."""
    if not text:
        return None
    cleaned = _ZEROS.sub(r"\1", _NOISE.sub("", text).upper())
    return cleaned if cleaned.strip("0") else None


def addendum_trace(text: str) -> str | None:
    """The trace in a CCD+ ``TRN*1*trace*payer`` addendum inside a bank line's text."""
    found = _ADDENDUM.search(text)
    return normalize_trace(found.group(1)) if found else None


def line_trace(text: str, *references: str | None) -> str | None:
    """A bank line's trace: the CCD+ addendum when the text carries one, else its
    customer / bank reference (the first given)."""
    found = addendum_trace(text)
    if found:
        return found
    return next((t for t in map(normalize_trace, references) if t), None)
