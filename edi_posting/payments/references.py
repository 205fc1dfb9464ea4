"""One check or trace number, however a payer, a bank or a person wrote it.

A payer's 835 says TRN02 ``000012345``, the lockbox file ``12345``, the person at the desk
``12-345``: the same check.  Normalising drops what varies (case, spaces, dashes and other
punctuation, leading zeros) so that a received payment and its remittance meet on one
indexed column (``received_payments.reference_normalized``).
"""

from __future__ import annotations

__all__ = ["normalize_reference"]


def normalize_reference(reference: str) -> str:
    """``" 00-12 345a "`` -> ``"12345A"``; a reference of zeros alone stays ``"0"``."""
    kept = "".join(ch for ch in reference.upper() if ch.isalnum())
    return kept.lstrip("0") or ("0" if kept else "")
