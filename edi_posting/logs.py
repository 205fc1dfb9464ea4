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
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = [
    "ALLOWED_FIELDS", "configure_logging", "log_event", "mask_audit_event", "mask_phi",
    "mask_segments", "mask_value", "withheld",
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
                        "patient_name", "payee"})  # a refund's payee may be the patient
_ID_KEYS = frozenset({"member_id", "corrected_member_id", "account_number"})
_PERSON_KEYS = frozenset({"patient", "subscriber", "insured", "corrected_patient"})
_DROP_KEYS = frozenset({"birth_date", "address_line1", "address_line2", "city", "postal_code"})
# an audit event's object_id that is PHI, by object_type, masked as this key
_OBJECT_ID_KEYS = {"account": "account_number"}
# X12: NM1 entities that are people we hold PHI about (patient, insured, corrected
# insured, responsible party), and the REF qualifiers that identify them
_PERSON_ENTITIES = frozenset({"QC", "IL", "74", "QD"})
_PERSON_REFS = frozenset({"SY", "EA", "1W", "IG", "HJ", "1L", "23", "Y4"})
_SEGMENT_MASK = "#"  # never an element separator in practice, unlike mask_value's '*'


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


def mask_audit_event(event: dict[str, Any]) -> dict[str, Any]:
    """An audit event as ``audit log --mask-phi`` shows it: an account read names the
    account number (``object_id``), and summaries may carry names, member IDs and
    account numbers; the chain's hashes still cover the stored values."""
    masked = dict(event)
    key = _OBJECT_ID_KEYS.get(str(event.get("object_type")))
    if key is not None:
        masked["object_id"] = mask_value(key, event.get("object_id"))
    if isinstance(event.get("summary"), (dict, list)):
        masked["summary"] = mask_phi(event["summary"])
    return masked


def mask_segments(segments: Iterable[list[str]]) -> Iterator[list[str]]:
    """Raw X12 segments (element lists) with a person's PHI masked, for evidence leaving
    the system under ``--mask-phi``: names of patients and insureds become initials, their
    IDs keep the last four characters, birth dates and their addresses are masked."""
    person = False
    for elements in segments:
        tag, out = elements[0], list(elements)
        if tag == "NM1":
            person = len(out) > 1 and out[1] in _PERSON_ENTITIES
            if person:
                _mask_at(out, (3, 4, 5), "last_name")
                _mask_at(out, (9,), "member_id")
        elif tag == "DMG":
            _mask_at(out, (2,), "birth_date")
        elif tag == "REF" and len(out) > 2 and out[1] in _PERSON_REFS:
            _mask_at(out, (2,), "member_id")
        elif tag in ("N3", "N4") and person:
            _mask_at(out, (1, 2) if tag == "N3" else (1, 3), "address_line1")
        yield out


def _mask_at(elements: list[str], positions: tuple[int, ...], key: str) -> None:
    for i in positions:
        if i < len(elements) and elements[i]:
            elements[i] = str(mask_value(key, elements[i])).replace("*", _SEGMENT_MASK)
