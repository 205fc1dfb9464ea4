"""A SQLite database is a file: whoever can read it reads every patient's PHI, and whoever
can write it can rewrite history (the triggers and the hash chain only detect that).

On one machine the operating system is the access control, so the database file (and the
-wal, -shm and -journal files SQLite creates beside it, which take the database file's
mode) is created 0600, private to its owner.  A file that already exists is not changed
behind its owner's back; `audit verify` and `db check` warn when it is open to others.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

__all__ = ["create_private_file", "sqlite_file", "sqlite_privacy_warnings"]

PRIVATE_FILE_MODE = 0o600
_COMPANIONS = ("", "-wal", "-shm", "-journal")
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for PostgreSQL or an in-memory database)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    if str(parsed.database).startswith("file:"):
        return None  # a URI filename: SQLite parses it, we leave it alone
    return Path(os.path.abspath(parsed.database))


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 when it does not exist yet (SQLite then takes it
    as a new database); nothing when it exists or its directory does not (SQLite reports)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except (FileExistsError, FileNotFoundError, NotADirectoryError, PermissionError):
        return
    os.close(descriptor)


def sqlite_privacy_warnings(url: str) -> list[str]:
    """One message per database file (or companion) that group or others may access."""
    database = sqlite_file(url)
    if database is None:
        return []
    warnings = []
    for suffix in _COMPANIONS:
        path = database.with_name(database.name + suffix)
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if mode & _OPEN_TO_OTHERS:
            warnings.append(f"{path} is mode {stat.filemode(mode)}: group or others may "
                            f"read or write the database (PHI); run chmod 600 {path}")
    return warnings
