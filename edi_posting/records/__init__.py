"""Frozen records passed between the stages (read -> parse -> normalize -> match -> post)."""

from edi_posting.records.source import SourceRef

__all__ = ["SourceRef"]
