"""Input problems as data.

A parser, balancer or matcher never raises for bad input: it returns its results and a
list of :class:`Problem`.  Severity decides where the input goes:

* ``FATAL``: the unit (file or transaction set) cannot be trusted; nothing of it posts.
* ``ERROR``: this claim or transaction set becomes a review item; the rest still posts.
* ``WARNING``: posted and noted.

Codes are stable ``SCREAMING_SNAKE`` strings because they are stored and shown to people.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from edi_posting.records.source import SourceRef

__all__ = ["Problem", "Severity"]


class Severity(enum.StrEnum):
    FATAL = "FATAL"
    ERROR = "ERROR"
    WARNING = "WARNING"


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    severity: Severity
    message: str
    source: SourceRef | None = None
    element: str | None = None  # e.g. "CLP04" or "ISA13"
    details: dict[str, str] = field(default_factory=dict)

    @property
    def is_fatal(self) -> bool:
        return self.severity is Severity.FATAL

    def to_dict(self) -> dict[str, Any]:
        """The one shape used in --format json, review-item evidence and the README."""
        data: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "element": self.element,
        }
        src = self.source
        data["file"] = src.file_name if src else None
        data["segment_position"] = src.segment_position if src else None
        data["interchange_control_number"] = src.interchange_control_number if src else None
        data["group_control_number"] = src.group_control_number if src else None
        data["transaction_set_control_number"] = src.transaction_set_control_number if src else None
        if self.details:
            data["details"] = dict(self.details)
        return data
