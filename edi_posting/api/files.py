"""Files on their own, without a database: parse an 835 or 837 into its JSON document,
stream an 835's statistics, and validate a file against its implementation guide with
pyx12, writing the 999/TA1 acknowledgments to send back.

None of these take a session: nothing is stored, so there is nothing to authorise or
audit, and none of them imports SQLAlchemy (a parse starts fast).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from edi_posting.api import documents
from edi_posting.x12.validation.acks import ack_file_names
from edi_posting.x12.validation.validator import ValidationResult, validate_path

__all__ = ["PARSE_SCHEMA_VERSION", "parse_file", "parse_stats", "sum_parse_stats", "validate_file", "write_acks"]

PARSE_SCHEMA_VERSION = documents.SCHEMA_VERSION


def parse_file(path: str) -> dict[str, Any]:
    """The document of one file, by its content: ``remittances`` for an 835, ``claims`` for
    an 837, with every problem as data; ``rejected`` when no transaction set is usable.
    Keys starting with ``_`` (``_fatal``) are for a caller's summary, not for printing."""
    return documents.file_document(path)


def parse_stats(path: str) -> dict[str, Any]:
    """An 835's counts, sums and balancing verdicts per transaction set, streamed one claim
    at a time (memory stays bounded whatever the file size); ``_totals`` holds the sets'
    totals for :func:`sum_parse_stats`."""
    return documents.stats_document(path)


def sum_parse_stats(stats: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The grand totals over several :func:`parse_stats` documents."""
    return documents.sum_totals([t for document in stats for t in document["_totals"]])


def validate_file(path: str | Path, *, now: dt.datetime | None = None,
                  first_control_number: int | None = None) -> ValidationResult:
    """Validate one X12 835/837 file against its implementation guide (GS08) with pyx12,
    plus balancing and the code lists: the verdict per transaction set, the problems and
    the 999/997/TA1 acknowledgments (dated ``now``, numbered from
    ``first_control_number``).  OSError when the file cannot be read."""
    return validate_path(path, now=now, first_control_number=first_control_number)


def write_acks(result: ValidationResult, ack_dir: Path) -> list[str]:
    """Write the acknowledgments of ``result`` into ``ack_dir`` (created when missing;
    same names replaced), named after the validated file; the paths written."""
    ack_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ack, name in zip(result.acks, ack_file_names(Path(result.path).name, result.acks)):
        target = ack_dir / name
        target.write_text(ack.text, encoding="ascii", errors="replace", newline="")
        written.append(str(target))
    return written
