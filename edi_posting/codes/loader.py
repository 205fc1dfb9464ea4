"""The one loader of the code lists: the shipped files, or a user's updated ones.

The package ships one JSON file per list (``edi_posting/codes/<list>.json``); each
carries its metadata (title, source, as-of date, version, whether it is complete) and its
codes with descriptions and start/stop dates.  ``edi-posting codes update`` writes a list
read from the published tables to the codes directory (``EDI_POSTING_CODES_DIR``, default
``$XDG_DATA_HOME/edi-posting/codes``, i.e. ``~/.local/share/edi-posting/codes``), never
into the installed package; a list found there is preferred to the shipped one.
Loaded lists are cached by file and modification time, so validating many files reads
each list once and an update is seen at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from pathlib import Path
from typing import Any

from edi_posting.codes.records import CodeEntry, CodeList, CodeListName

__all__ = ["CODES_DIR_ENV", "CodeListError", "codes_dir", "list_path", "load_all",
           "load_list", "read_list_file", "shipped_path"]

CODES_DIR_ENV = "EDI_POSTING_CODES_DIR"
_DATA = Path(__file__).resolve().parent  # <list>.json beside this module


class CodeListError(ValueError):
    """A list file that cannot be read or is not a code list (its path and why)."""


def codes_dir() -> Path:
    """Where updated lists live (``EDI_POSTING_CODES_DIR`` or the user's data dir)."""
    configured = os.environ.get(CODES_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_DATA_HOME", "").strip() or str(Path.home() / ".local" / "share")
    return Path(base) / "edi-posting" / "codes"


def shipped_path(name: CodeListName) -> Path:
    return _DATA / f"{name.value.lower()}.json"


def list_path(name: CodeListName) -> tuple[Path, str]:
    """The file in effect for ``name`` and its origin: ``updated`` or ``shipped``."""
    updated = codes_dir() / f"{name.value.lower()}.json"
    if updated.is_file():
        return updated, "updated"
    return shipped_path(name), "shipped"


def load_list(name: CodeListName) -> CodeList:
    path, origin = list_path(name)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise CodeListError(f"{path}: cannot read the {name.value} list ({exc.strerror})") from exc
    return _load_cached(str(path), stamp, origin)


def load_all() -> dict[CodeListName, CodeList]:
    return {name: load_list(name) for name in CodeListName}


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, _stamp: int, origin: str) -> CodeList:
    return read_list_file(Path(path), origin)


def read_list_file(path: Path, origin: str) -> CodeList:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(data, f"{origin} ({path})")
    except OSError as exc:
        raise CodeListError(f"{path}: cannot read the list ({exc.strerror})") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise CodeListError(f"{path}: not a code list ({exc})") from exc


def _from_json(data: dict[str, Any], origin: str) -> CodeList:
    entries = {}
    for row in data["codes"]:
        entry = CodeEntry(str(row["code"]).strip().upper(), str(row.get("description") or ""),
                          _day(row.get("start")), _day(row.get("stop")),
                          _day(row.get("last_modified")))
        entries[entry.code] = entry
    return CodeList(CodeListName(data["list"]), str(data["title"]), str(data["source"]),
                    dt.date.fromisoformat(data["as_of"]), str(data["version"]),
                    bool(data["complete"]), origin, entries)


def _day(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)) if text else None
