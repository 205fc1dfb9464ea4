"""Interchange and group envelopes around the transaction sets the parsers read.

:class:`Envelope` carries what the database keeps about ISA and GS for each set, so the
pipeline can record interchanges and functional groups without knowing X12.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["Envelope", "control_key", "normalize_control_number"]


def normalize_control_number(value: str | None) -> str:
    """ISA13, GS06 or ST02/SE02 as every comparison sees it: without surrounding spaces.

    Why one function: the reader, pyx12's verdicts (``set_status`` keys), the 999/TA1 and
    the import's identity keys must agree on what a control number is.  A set sent as
    ``ST*835*   1`` was once rejected by validation under ``'   1'`` and then posted by
    the import under ``'1'``.  Leading zeros are kept: they are part of the value.
    """
    return (value or "").strip()


def control_key(isa13: str | None, gs06: str | None, st02: str | None) -> tuple[str, str, str]:
    """(ISA13, GS06, ST02) through the one normaliser: how validation verdicts
    (``set_status``) and the import's transaction sets find each other."""
    return (normalize_control_number(isa13), normalize_control_number(gs06),
            normalize_control_number(st02))


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
