"""Files and directories a user names (``import``, ``parse``, ``validate``, ``codes
update``): the one way every command checks and lists them.

A file that cannot be opened, or a directory that cannot be listed, must be a one-line
answer naming the path and the reason (exit 66, ``UnreadableInputError``), found before
anything is imported: not a traceback, not exit 70 from deep inside a parser, and never a
directory skipped in silence (``Path.rglob`` ignores one it cannot list).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

__all__ = ["UnreadableInputError", "expand_inputs", "readable_file"]


class UnreadableInputError(Exception):
    """A user-named path that does not exist or cannot be read (the CLI's exit 66)."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


def _problem(exc: OSError, verb: str) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    return f"cannot be {verb} ({exc.strerror or type(exc).__name__})"


def _mode(path: Path) -> int:
    try:
        return os.stat(path).st_mode
    except OSError as exc:
        raise UnreadableInputError(path, _problem(exc, "read")) from None


def readable_file(path: str | os.PathLike[str]) -> Path:
    """``path``, once it is known to be a regular file this process can open for reading
    (opened and closed: permission bits, ACLs and capabilities all have their say)."""
    found = Path(path)
    mode = _mode(found)
    if stat.S_ISDIR(mode):
        raise UnreadableInputError(found, "is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise UnreadableInputError(found, "is not a regular file")
    try:
        with open(found, "rb"):
            pass
    except OSError as exc:
        raise UnreadableInputError(found, _problem(exc, "read")) from None
    return found


def _listed(directory: Path) -> list[Path]:
    """Every file under ``directory`` (any depth; names starting with '.' skipped), each
    readable, sorted by path."""
    try:
        with os.scandir(directory) as scan:
            entries = list(scan)
    except OSError as exc:
        raise UnreadableInputError(directory, _problem(exc, "listed")) from None
    found: list[Path] = []
    for entry in entries:
        if entry.is_dir():
            found.extend(_listed(Path(entry.path)))
        elif entry.is_file() and not entry.name.startswith("."):
            found.append(readable_file(entry.path))
    return sorted(found)


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as named, directories expanded to their files: all checked readable first."""
    found: list[Path] = []
    for path in paths:
        named = Path(path)
        found.extend(_listed(named) if stat.S_ISDIR(_mode(named)) else [readable_file(named)])
    return found
