"""``edi-posting codes update``: a published CARC/RARC table -> the user's list file.

X12 (and WPC before it) publish the CARC and RARC lists as tables with the columns code,
description, start date, last modified and stop date.  This reads such a table saved as
CSV (headers in any case, ``_`` or spaces; dates ``YYYY-MM-DD`` or ``MM/DD/YYYY``) and
writes it, marked complete, to the codes directory (:func:`~edi_posting.codes.loader
.codes_dir`), which the loader prefers to the shipped list from then on.  It never writes
into the installed package.  A row without a code or description is refused with its line
number: a half-read list would make valid codes look unknown.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from pathlib import Path

from edi_posting.codes.loader import CodeListError, codes_dir, list_path
from edi_posting.codes.records import CodeEntry, CodeListName

__all__ = ["read_published_csv", "write_updated_list"]

_COLUMNS = {"code": "code", "description": "description", "start date": "start",
            "start": "start", "stop date": "stop", "stop": "stop", "last modified": "last_modified",
            "last modified date": "last_modified", "modified": "last_modified"}
_TITLES = {CodeListName.CARC: "Claim Adjustment Reason Codes",
           CodeListName.RARC: "Remittance Advice Remark Codes"}
UPDATABLE = (CodeListName.CARC, CodeListName.RARC)


def read_published_csv(path: Path) -> list[CodeEntry]:
    """The table's rows; OSError when it cannot be read, CodeListError when it is not one."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        names = {h: _COLUMNS.get(" ".join(h.strip().lower().replace("_", " ").split()))
                 for h in reader.fieldnames or []}
        if not {"code", "description"} <= set(names.values()):
            raise CodeListError(f"{path}: not a published code list: the header needs code and "
                                "description (and start date, last modified, stop date)")
        return [_entry(row, names, path, reader.line_num) for row in reader]


def write_updated_list(name: CodeListName, entries: list[CodeEntry], source: str,
                       as_of: dt.date | None) -> Path:
    """Write the list (complete) where the loader looks first; its path."""
    if name not in UPDATABLE:
        raise CodeListError(f"the {name.value} list is complete as shipped; only "
                            f"{', '.join(n.value for n in UPDATABLE)} can be updated")
    if not entries:
        raise CodeListError("the file holds no codes")
    dates = [d for e in entries for d in (e.start, e.stop, e.last_modified) if d is not None]
    day = as_of or (max(dates) if dates else dt.date.today())
    data = {"list": name.value, "title": _TITLES[name], "source": source,
            "as_of": day.isoformat(), "version": f"published {day.isoformat()}",
            "complete": True, "codes": [e.to_dict() for e in entries]}
    target = codes_dir() / f"{name.value.lower()}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, target)  # a reader never sees half a list
    assert list_path(name)[0] == target
    return target


def _entry(row: dict[str, str], names: dict[str, str | None], path: Path, line: int
           ) -> CodeEntry:
    values = {name: (v or "").strip() for k, v in row.items() if (name := names.get(k))}
    if not values.get("code") or not values.get("description"):
        raise CodeListError(f"{path}: line {line}: a row without a code or description")
    return CodeEntry(values["code"].upper(), values["description"],
                     _date(values.get("start"), path, line), _date(values.get("stop"), path, line),
                     _date(values.get("last_modified"), path, line))


def _date(text: str | None, path: Path, line: int) -> dt.date | None:
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CodeListError(f"{path}: line {line}: {text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")
