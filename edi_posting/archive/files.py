"""The archive stage: every received file is kept byte for byte, with its SHA-256, before
anything parses it.

The SHA-256 is the first idempotency key: a file already archived is not imported again.
Bytes go into the database by default (one backup covers everything) or, with an archive
directory, into ``DIR/ab/abcdef...`` named by their hash, with the path recorded.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from edi_posting.archive.integrity import IN_DATABASE, stored_digest
from edi_posting.audit.events import record_event
from edi_posting.db.base import table_of
from edi_posting.db.bulk import new_id
from edi_posting.db.models import ReceivedFile
from edi_posting.records.states import AuditOutcome, FileStatus

__all__ = ["ArchivedFile", "archive_file", "find_archived", "hash_file", "store_copy"]

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
    # the SHA-256 of a stored copy found corrupt (or "missing") and replaced by the
    # received bytes, and where it was: the import reports it as a problem
    replaced_sha256: str | None = None
    replaced_at: str | None = None


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
    """Store the file (or find it stored already); the caller commits.

    A stored copy is never trusted for being there: a file already at the hash path, or
    the copy of a file archived before, is re-hashed and, when it differs, replaced by the
    received bytes (which hash to the recorded SHA-256) and recorded as
    ``archive.replace_corrupt``."""
    content: bytes | None = None
    archive_path: str | None = None
    if archive_dir is None:
        content = path.read_bytes()  # hash exactly the bytes we keep
        sha256, size = hashlib.sha256(content).hexdigest(), len(content)
    else:
        sha256, size = hash_file(path)
    existing = find_archived(conn, sha256)
    if existing is not None:
        return _restored(conn, existing, path, actor)
    replaced: str | None = None
    if archive_dir is not None:
        target = _private_dir(archive_dir) / sha256[:2] / sha256
        _private_dir(target.parent)
        replaced = store_copy(target, path, sha256, must_exist=False)
        archive_path = str(target.resolve())
    file_id = new_id(conn.execute(insert(_FILE).values(
        sha256=sha256, file_name=path.name, size_bytes=size, kind=kind, content=content,
        archive_path=archive_path, status=FileStatus.RECEIVED, received_by=actor,
    )))
    archived = ArchivedFile(int(file_id), sha256, path.name, size, kind, True, "received")
    return _recorded(conn, archived, replaced, archive_path, actor)


def store_copy(target: Path, source: Path, sha256: str, *, must_exist: bool) -> str | None:
    """Make ``target`` hold ``source``'s bytes unless it already hashes to ``sha256``; the
    hash of what was there before when it was replaced ("missing" when ``must_exist`` and
    it was gone).  Written to a temporary file in the same directory, checked, renamed:
    a reader never sees half a file, and a source changed meanwhile is refused."""
    before = _digest_or_none(target)
    if before == sha256:
        return None
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")  # 0600
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, open(source, "rb") as data:
            while chunk := data.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            raise OSError(f"{source} changed while it was archived")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if before is None:
        return "missing" if must_exist else None
    return before


def _restored(conn: Connection, existing: ArchivedFile, path: Path, actor: str) -> ArchivedFile:
    """A file archived before: its stored copy is checked and, when corrupt or gone,
    replaced by the received bytes (they hash to the recorded SHA-256)."""
    row = conn.execute(select(_FILE.c.content.is_not(None).label("in_db"), _FILE.c.archive_path)
                       .where(_FILE.c.id == existing.id)).one()
    replaced: str | None = None
    where: str | None = None
    if row.in_db:
        actual = stored_digest(conn, existing.id)
        if actual != existing.sha256:
            received = path.read_bytes()
            if hashlib.sha256(received).hexdigest() != existing.sha256:
                raise OSError(f"{path} changed while it was archived")
            conn.execute(update(_FILE).where(_FILE.c.id == existing.id).values(content=received))
            replaced, where = actual, IN_DATABASE
    elif row.archive_path is not None:
        target = Path(row.archive_path)
        _private_dir(target.parent)
        replaced = store_copy(target, path, existing.sha256, must_exist=True)
        where = str(target)
    return _recorded(conn, existing, replaced, where, actor)


def _recorded(conn: Connection, archived: ArchivedFile, replaced: str | None,
              where: str | None, actor: str) -> ArchivedFile:
    if replaced is None:
        return archived
    record_event(conn, actor=actor, action="archive.replace_corrupt", outcome=AuditOutcome.OK,
                 object_type="file", object_id=archived.sha256,
                 summary={"file_id": archived.id, "file": archived.file_name,
                          "found_sha256": replaced, "location": where})
    return replace(archived, replaced_sha256=replaced, replaced_at=where)


def _private_dir(directory: Path) -> Path:
    """Create ``directory`` (and missing parents) private to its owner, 0700: the archive
    holds PHI and the evidence of what payers sent.  An existing one is left as it is."""
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(directory, 0o700)  # mode= is filtered by the umask and skips the parents
    return directory


def _digest_or_none(path: Path) -> str | None:
    try:
        return hash_file(path)[0]
    except FileNotFoundError:
        return None
