"""How names and ids compare: without case, spaces or punctuation (O'NEIL = ONEIL,
JEAN-PAUL = Jean Paul).

One definition for the two places that must agree: scoring compares a payment's patient
with a claim's in these terms, and claim intake stores each patient's name in them
(``patients.last_name_key`` / ``first_name_key``), so the fallback finds namesakes with an
index instead of reading every patient with the surname and comparing in Python.
"""

from __future__ import annotations

import functools
import re

__all__ = ["name_keys", "plain"]

_NOT_PLAIN = re.compile(r"[^0-9A-Z]")


@functools.lru_cache(maxsize=1 << 14)  # names repeat from claim to claim; ids per patient
def plain(text: str | None) -> str:
    """``text`` upper-cased with everything but ASCII letters and digits removed."""
    if not text:
        return ""
    upper = text.upper()
    if upper.isascii() and upper.isalnum():  # already plain: the common case, no regex
        return upper
    return _NOT_PLAIN.sub("", upper)


def name_keys(last_name: str | None, first_name: str | None) -> tuple[str, str]:
    """The stored keys of a patient's last and first name."""
    return plain(last_name), plain(first_name)
