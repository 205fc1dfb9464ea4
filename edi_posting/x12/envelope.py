"""Interchange and group envelopes around the transaction sets the parsers read.

:class:`Envelope` carries what the database keeps about ISA and GS for each set, so the
pipeline can record interchanges and functional groups without knowing X12.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Envelope"]


@dataclass(frozen=True, slots=True)
class Envelope:
    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08
    interchange_control_number: str  # ISA13
    interchange_date: dt.date | None  # ISA09
    interchange_time: str | None  # ISA10
    version: str | None  # ISA12
    usage_indicator: str | None  # ISA15
    interchange_position: int
    functional_id: str  # GS01
    group_sender: str  # GS02
    group_receiver: str  # GS03
    group_date: dt.date | None  # GS04
    group_control_number: str  # GS06
    group_version: str  # GS08
    group_position: int
