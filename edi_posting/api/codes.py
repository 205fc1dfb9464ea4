"""The X12 code lists (CARC, RARC, group codes, CLP02, PLB reasons) the engine reads:
explain a code, list a list, say which version is in effect, load a published table.

No session and no database: the lists are versioned data files, shipped or updated into
the user's codes directory (``EDI_POSTING_CODES_DIR``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edi_posting.archive.user_input import UnreadableInputError, readable_file
from edi_posting.codes.loader import CodeListError, codes_dir, load_all, load_list
from edi_posting.codes.records import CodeList, CodeListName, parse_list_name
from edi_posting.codes.update import UPDATABLE, read_published_csv, write_updated_list

__all__ = ["UnknownCodeError", "UpdatedCodeList", "code_list_info", "explain_code", "list_codes", "update_code_list"]


class UnknownCodeError(LookupError):
    """A list name that is no list, a code not in its list, or a list that is complete as
    shipped and cannot be updated (the message names what would be right)."""


@dataclass(frozen=True, slots=True)
class UpdatedCodeList:
    name: CodeListName
    codes: int
    path: Path  # where the list now in effect was written


def _name(text: str) -> CodeListName:
    try:
        return parse_list_name(text)
    except ValueError as exc:
        raise UnknownCodeError(str(exc)) from None


def _list(text: str) -> CodeList:
    name = _name(text)
    try:
        return load_list(name)
    except CodeListError as exc:
        raise CodeListError(f"{exc} (codes directory {codes_dir()})") from None


def explain_code(list_name: str, code: str) -> dict[str, Any]:
    """A code's description, start and stop dates, with its list's version and date."""
    code_list = _list(list_name)
    entry = code_list.get(code)
    if entry is None:
        raise UnknownCodeError(f"{code!r} is not in the {code_list.name.value} list "
                               f"({code_list.origin.split()[0]}, as of {code_list.as_of}); "
                               f"see `edi-posting codes list {code_list.name.value}`")
    return {"list": code_list.name.value, **entry.to_dict(),
            "list_version": code_list.version, "list_as_of": code_list.as_of.isoformat()}


def list_codes(list_name: str, active_on: dt.date | None = None) -> list[dict[str, Any]]:
    """Every code of a list, or only those in effect on ``active_on``."""
    code_list = _list(list_name)
    entries = (code_list.active_on(active_on) if active_on is not None
               else list(code_list.entries.values()))
    return [e.to_dict() for e in entries]


def code_list_info() -> list[dict[str, Any]]:
    """Per list: shipped or updated, version, as-of date, size, and whether it is complete
    (an unknown code then is an ERROR, not a WARNING)."""
    return [code_list.info() for code_list in load_all().values()]


def update_code_list(file: Path, list_name: str,
                     as_of: dt.date | None = None) -> UpdatedCodeList:
    """Load a published CARC or RARC table (CSV: code, description, start, last modified,
    stop) as the list in effect from now on, marked complete.  :class:`UnknownCodeError`
    for another list, UnreadableInputError for a file that cannot be read,
    :class:`CodeListError` for one that is not such a table."""
    name = _name(list_name)
    readable_file(file)
    if name not in UPDATABLE:
        raise UnknownCodeError(f"the {name.value} list is complete as shipped; only "
                               f"{', '.join(n.value for n in UPDATABLE)} can be updated")
    try:
        entries = read_published_csv(file)
        target = write_updated_list(name, entries, f"published list file {file.name}, loaded "
                                    f"{dt.date.today().isoformat()}", as_of)
    except OSError as exc:
        raise UnreadableInputError(file, f"cannot be read ({exc.strerror})") from None
    return UpdatedCodeList(name, len(entries), target)
