"""One structured logger with an allow-list of fields, and PHI masking for output.

Log lines carry only fields named in ``ALLOWED_FIELDS`` (counts, codes, hashes, positions,
durations); anything else is replaced by ``[redacted]`` before it is formatted, so a
patient name, member ID, date of birth or address cannot reach a log line even by
mistake.  ``mask_phi`` applies the same idea to command output when ``--mask-phi`` is on:
names become initials, identifiers keep their last four characters.  ``withheld`` is
what a problem message shows in place of a value that may be PHI (its length only).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

__all__ = [
    "ALLOWED_FIELDS", "configure_logging", "log_event", "mask_phi", "mask_value", "withheld",
]

ALLOWED_FIELDS = frozenset({
    "event", "file", "sha256", "kind", "status", "transaction_sets", "claims", "posted",
    "queued", "problems", "code", "severity", "segment", "element", "seconds", "count",
    "actor", "role", "action", "revision", "backend",
})
_LOGGER = logging.getLogger("edi_posting")

# keys whose values are PHI in our dict outputs, and how to mask them
_NAME_KEYS = frozenset({"last_name", "first_name", "middle_name", "patient_last_name",
                        "patient_first_name", "subscriber_last_name", "subscriber_first_name",
                        "patient_name"})
_ID_KEYS = frozenset({"member_id", "corrected_member_id", "account_number"})
_PERSON_KEYS = frozenset({"patient", "subscriber", "insured", "corrected_patient"})
_DROP_KEYS = frozenset({"birth_date", "address_line1", "address_line2", "city", "postal_code"})


def configure_logging(level: str) -> None:
    """Structured JSON lines on stderr at the given level (default WARNING)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    _LOGGER.handlers[:] = [handler]
    _LOGGER.setLevel(level.upper())
    _LOGGER.propagate = False


def log_event(level: int, event: str, **fields: Any) -> None:
    if not _LOGGER.isEnabledFor(level):
        return
    safe = {k: (v if k in ALLOWED_FIELDS else "[redacted]") for k, v in fields.items()}
    _LOGGER.log(level, json.dumps({"event": event, **safe}, default=str, sort_keys=True))


def mask_value(key: str, value: Any) -> Any:
    if value is None:
        return None
    text = str(value)
    if key in _NAME_KEYS:
        return (text[:1] + ".") if text else text
    if key in _ID_KEYS:
        return "*" * max(len(text) - 4, 0) + text[-4:]
    if key in _DROP_KEYS:
        return "[masked]"
    return value


def withheld(value: object) -> str:
    """What stands in a message for a value that may be PHI: its length only, e.g.
    ``(8 characters withheld)`` (the length often explains the error: too long, too short)."""
    count = len(str(value))
    return f"({count} character{'' if count == 1 else 's'} withheld)"


def mask_phi(data: Any, *, person: bool = False) -> Any:
    """A copy of JSON-like data with PHI fields masked (names, member IDs, birth dates).

    Inside a person object (``patient``, ``subscriber``, ``insured``) the bare ``id`` key
    is the member ID, so it is masked there too.
    """
    if isinstance(data, dict):
        return {k: mask_phi(v, person=k in _PERSON_KEYS) if isinstance(v, (dict, list))
                else mask_value("member_id" if person and k == "id" else k, v)
                for k, v in data.items()}
    if isinstance(data, list):
        return [mask_phi(item, person=person) for item in data]
    return data
