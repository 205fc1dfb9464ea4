"""Archived bytes are trusted only after they hash to the SHA-256 recorded when the file was
received.

Whoever can write the database or the archive directory can swap a payer's file for one
that says something else; the recorded SHA-256 (in the audit trail too, as the file's
object id) is what catches it.  So every read of archived bytes goes through
:func:`read_archived`, which refuses bytes that differ, and :func:`verify_archive`
(`audit verify --archive`) re-hashes every archived file, streaming it in chunks so a large
file never has to fit in memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from edi_posting.db.base import table_of
from edi_posting.db.models import ReceivedFile

__all__ = ["ArchiveFinding", "ArchiveIntegrityError", "count_archived", "read_archived",
           "stored_digest", "verify_archive"]

_FILE = table_of(ReceivedFile)
CHUNK_BYTES = 1 << 20
IN_DATABASE = "in the database"


@dataclass(frozen=True, slots=True)
class ArchiveFinding:
    """One archived copy that does not hold: its bytes differ, or it is gone."""

    file_id: int
    file_name: str
    recorded_sha256: str
    actual_sha256: str | None  # None: the copy is missing or cannot be read
    location: str  # IN_DATABASE, or the archive path

    @property
    def message(self) -> str:
        where = self.location if self.location == IN_DATABASE else f"at {self.location}"
        head = f"file {self.file_id} ({self.file_name})"
        if self.actual_sha256 is None:
            return f"{head}: archived copy missing {where} (recorded SHA-256 {self.recorded_sha256})"
        return (f"{head}: archived bytes {where} differ from the recorded SHA-256: "
                f"recorded {self.recorded_sha256}, actual {self.actual_sha256}")


class ArchiveIntegrityError(Exception):
    """Archived bytes that do not match their recorded SHA-256 (a data error: exit 65)."""

    def __init__(self, finding: ArchiveFinding) -> None:
        super().__init__(f"{finding.message}; refusing to use them")
        self.finding = finding


def read_archived(conn: Connection, file_id: int) -> bytes:
    """The archived bytes of a received file, after checking them against the recorded
    SHA-256; :class:`ArchiveIntegrityError` when they differ or are gone."""
    row = conn.execute(select(_FILE.c.id, _FILE.c.file_name, _FILE.c.sha256, _FILE.c.content,
                              _FILE.c.archive_path).where(_FILE.c.id == file_id)).one()
    location = IN_DATABASE if row.content is not None else str(row.archive_path)
    try:
        content = bytes(row.content) if row.content is not None else Path(
            row.archive_path).read_bytes()
    except OSError:
        raise ArchiveIntegrityError(_finding(row, None, location)) from None
    actual = hashlib.sha256(content).hexdigest()
    if actual != row.sha256:
        raise ArchiveIntegrityError(_finding(row, actual, location))
    return content


def verify_archive(conn: Connection, *, chunk_bytes: int = CHUNK_BYTES) -> Iterator[ArchiveFinding]:
    """Every archived copy (database bytes and archive-directory files) that does not hash
    to its recorded SHA-256, or is missing, in file id order."""
    rows = conn.execute(select(_FILE.c.id, _FILE.c.file_name, _FILE.c.sha256,
                               _FILE.c.content.is_not(None).label("in_db"), _FILE.c.archive_path)
                        .order_by(_FILE.c.id)).all()
    for row in rows:
        if row.in_db:
            actual = stored_digest(conn, row.id, chunk_bytes=chunk_bytes)
            if actual != row.sha256:
                yield _finding(row, actual, IN_DATABASE)
        if row.archive_path is not None:
            on_disk = _path_digest(Path(row.archive_path), chunk_bytes)
            if on_disk != row.sha256:
                yield _finding(row, on_disk, row.archive_path)


def count_archived(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_FILE)).scalar_one())


def stored_digest(conn: Connection, file_id: int, *, chunk_bytes: int = CHUNK_BYTES) -> str:
    """SHA-256 of a file's bytes in the database, read ``chunk_bytes`` at a time
    (``substr`` counts bytes of a BLOB on SQLite and of a bytea on PostgreSQL)."""
    digest, start = hashlib.sha256(), 1
    while True:
        chunk = conn.execute(select(func.substr(_FILE.c.content, start, chunk_bytes))
                             .where(_FILE.c.id == file_id)).scalar_one()
        data = bytes(chunk or b"")
        digest.update(data)
        if len(data) < chunk_bytes:
            return digest.hexdigest()
        start += chunk_bytes


def _path_digest(path: Path, chunk_bytes: int) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(chunk_bytes):
                digest.update(chunk)
    except OSError:  # missing, or not readable by us: either way not the recorded bytes
        return None
    return digest.hexdigest()


def _finding(row: Any, actual: str | None, location: str) -> ArchiveFinding:
    return ArchiveFinding(int(row.id), str(row.file_name), str(row.sha256), actual, location)
