"""Where a record came from: the reference every parsed record and ledger row carries.

It is what lets an auditor go from a journal line back to the exact segment of the exact
file that caused it.  A keyed paper EOB (CSV or JSON, :mod:`edi_posting.keyed`) has rows, not
segments: its records carry the ``row`` and who keyed it, and no X12 envelope.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SourceRef"]


@dataclass(frozen=True, slots=True)
class SourceRef:
    file_sha256: str
    file_name: str | None = None
    interchange_control_number: str | None = None  # ISA13
    group_control_number: str | None = None  # GS06
    transaction_set_control_number: str | None = None  # ST02
    segment_position: int | None = None  # 1-based position of the segment in the file
    row: int | None = None  # a keyed file's 1-based row (CSV: the header is row 1)
    keyed_by: str | None = None  # a keyed file: the user who imported (keyed) it

    def at(self, segment_position: int) -> SourceRef:
        """The same envelope, another segment."""
        return SourceRef(
            self.file_sha256,
            self.file_name,
            self.interchange_control_number,
            self.group_control_number,
            self.transaction_set_control_number,
            segment_position,
        )

    @property
    def position(self) -> int | None:
        """What the ``source_segment`` columns store: the segment, or a keyed file's row."""
        return self.segment_position if self.segment_position is not None else self.row

    @property
    def where(self) -> str:
        """``segment 12``, or ``row 3`` of a keyed file: how people are told where."""
        if self.row is not None:
            return f"row {self.row}"
        return f"segment {self.segment_position}"
