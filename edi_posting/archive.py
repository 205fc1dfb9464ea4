"""The archive stage: every received file is kept byte for byte, with its SHA-256, before
anything parses it.

The SHA-256 is the first idempotency key: a file already archived is not imported again.
Bytes go into the database by default (one backup covers everything) or, with an archive
directory, into ``DIR/ab/abcdef...`` named by their hash, with the path recorded.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, insert, select

from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.models import ReceivedFile

__all__ = ["ArchivedFile", "archive_file", "find_archived", "hash_file"]

_FILE = table_of(ReceivedFile)
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ArchivedFile:
    id: int
    sha256: str
    file_name: str
    size_bytes: int
    kind: str
    is_new: bool
    status: str


def hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def find_archived(conn: Connection, sha256: str) -> ArchivedFile | None:
    row = conn.execute(select(_FILE.c.id, _FILE.c.file_name, _FILE.c.size_bytes, _FILE.c.kind,
                              _FILE.c.status).where(_FILE.c.sha256 == sha256)).first()
    if row is None:
        return None
    return ArchivedFile(row.id, sha256, row.file_name, row.size_bytes, row.kind, False, row.status)


def archive_file(
    conn: Connection, path: Path, *, kind: str, actor: str, archive_dir: Path | None = None
) -> ArchivedFile:
    """Store the file (or find it stored already); the caller commits."""
    content: bytes | None = None
    archive_path: str | None = None
    if archive_dir is None:
        content = path.read_bytes()  # hash exactly the bytes we keep
        sha256, size = hashlib.sha256(content).hexdigest(), len(content)
    else:
        sha256, size = hash_file(path)
    existing = find_archived(conn, sha256)
    if existing is not None:
        return existing
    if archive_dir is not None:
        target = archive_dir / sha256[:2] / sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copyfile(path, target)
        archive_path = str(target.resolve())
    file_id = new_id(conn.execute(insert(_FILE).values(
        sha256=sha256, file_name=path.name, size_bytes=size, kind=kind, content=content,
        archive_path=archive_path, status="received", received_by=actor,
    )))
    return ArchivedFile(int(file_id), sha256, path.name, size, kind, True, "received")
