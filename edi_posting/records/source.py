"""Where a record came from: the reference every parsed record and ledger row carries.

It is what lets an auditor go from a journal line back to the exact segment of the exact
file that caused it.
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
