"""Why a specialist moved money: one documented list of reason codes for ``apply``,
``transfer``, ``place-plb`` and ``write-off`` (README "Working the review queue").

A code from a list can be counted and reviewed ("how much did we write off as
small-balance last month?"); free text cannot.  The optional note says the rest.  A
write-off also keeps taking a CAS group and CARC (``CO-16``), the payer's own reason, which
goes onto the journal lines as it always did.
"""

from __future__ import annotations

import enum
import re

__all__ = ["CAS_REASON", "DESCRIPTIONS", "ReasonCode", "ReasonError", "check_reason",
           "with_note"]


class ReasonCode(enum.StrEnum):
    CONTRACTUAL = "contractual"
    SMALL_BALANCE = "small-balance"
    TIMELY_FILING = "timely-filing"
    UNCOLLECTIBLE = "uncollectible"
    CHARITY = "charity"
    COURTESY = "courtesy"
    PATIENT_RESPONSIBILITY = "patient-responsibility"
    SECONDARY_PAYER = "secondary-payer"
    PAYER_INSTRUCTION = "payer-instruction"
    PAYER_ERROR = "payer-error"
    POSTING_ERROR = "posting-error"
    DUPLICATE = "duplicate"
    OTHER = "other"  # needs a note


DESCRIPTIONS: dict[ReasonCode, str] = {
    ReasonCode.CONTRACTUAL: "contractual adjustment the 835 did not carry",
    ReasonCode.SMALL_BALANCE: "below the practice's statement threshold",
    ReasonCode.TIMELY_FILING: "filed too late; not billable to the patient",
    ReasonCode.UNCOLLECTIBLE: "collection exhausted (bad debt)",
    ReasonCode.CHARITY: "financial hardship, charity care",
    ReasonCode.COURTESY: "administrative or courtesy adjustment",
    ReasonCode.PATIENT_RESPONSIBILITY: "the patient owes it (deductible, non-covered)",
    ReasonCode.SECONDARY_PAYER: "another payer owes it (coordination of benefits)",
    ReasonCode.PAYER_INSTRUCTION: "the payer said so (letter, call reference)",
    ReasonCode.PAYER_ERROR: "the payer paid or adjusted in error",
    ReasonCode.POSTING_ERROR: "correcting our own posting",
    ReasonCode.DUPLICATE: "a duplicate payment or claim",
    ReasonCode.OTHER: "anything else; the note says what",
}

CAS_REASON = re.compile(r"^(CO|PR|OA|PI|CR)-[A-Z0-9]{1,5}$")  # CAS01 group - CAS02 CARC


class ReasonError(ValueError):
    """A reason not on the list (a usage error on the command line)."""


def check_reason(reason: str | None, note: str | None, *, cas_allowed: bool = False
                 ) -> str | None:
    """The reason as stored (a listed code, or ``GROUP-CARC`` where allowed), or None."""
    if reason is None:
        return None
    text = reason.strip()
    if cas_allowed and CAS_REASON.match(text.upper()):
        return text.upper()
    if text not in set(ReasonCode):
        extra = " or a CAS group-CARC such as CO-16" if cas_allowed else ""
        raise ReasonError(f"{reason!r} is not a reason code; choose one of: "
                          f"{', '.join(code.value for code in ReasonCode)}{extra}")
    if text == ReasonCode.OTHER and not (note or "").strip():
        raise ReasonError("reason 'other' needs --note saying what it is")
    return text


def with_note(reason: str | None, note: str | None) -> str | None:
    """``reason: note`` for an event's text (either part may be missing)."""
    parts = [p for p in (reason, (note or "").strip() or None) if p]
    return ": ".join(parts) if parts else None
