"""A keyed file -> numbered rows of text, the same for CSV and JSON.

CSV: row 1 is the header (the template's columns, any order; columns not given are empty),
each later non-blank row one service line or PLB.  JSON: the nested form flattened into the
same columns, one row per line and per PLB, numbered in file order; each value keeps its
JSON path so a problem can name it.  JSON numbers are read as their text, never as floats.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from edi_posting.keyed.template import (
    ADJUSTMENT_SLOTS,
    CHECK_COLUMNS,
    COLUMNS,
    JSON_ADJUSTMENT,
    JSON_CLAIM,
    JSON_FORMAT,
    JSON_LINE,
    JSON_PLB,
    RowKind,
    adjustment_columns,
)

__all__ = ["KeyedRow", "KeyedRows", "looks_keyed", "read_rows"]

_REQUIRED_HEADER = frozenset(("payer", "check_number", "claim_pcn"))


@dataclass(frozen=True, slots=True)
class KeyedRow:
    number: int  # CSV: the line's row (header = 1); JSON: the flattened row, from 1
    values: dict[str, str]  # column -> text as keyed, stripped ("" when empty)
    paths: dict[str, str] = field(default_factory=dict)  # JSON: column -> path of the value

    def get(self, column: str) -> str:
        return self.values.get(column, "")

    def label(self, column: str) -> str:
        """How a problem names the column: the CSV name, or the JSON path."""
        return self.paths.get(column, column)


@dataclass(frozen=True, slots=True)
class KeyedRows:
    form: str  # "csv" or "json"
    rows: tuple[KeyedRow, ...]
    errors: tuple[tuple[int | None, str | None, str], ...]  # (row, column, message): file level


def looks_keyed(head: bytes) -> bool:
    """A keyed EOB file by its first bytes: a CSV whose header names the template's key
    columns, or a JSON object with the format marker or a ``checks`` list."""
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("{"):
        return f'"{JSON_FORMAT}"' in text or '"checks"' in text[:4096]
    first = text.split("\n", 1)[0]
    names = {c.strip().strip('"').lower() for c in first.split(",")}
    return _REQUIRED_HEADER <= names


def read_rows(data: bytes) -> KeyedRows:
    text = data.decode("utf-8-sig", "replace")
    if text.lstrip().startswith("{"):
        return _json_rows(text)
    return _csv_rows(text)


def _csv_rows(text: str) -> KeyedRows:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    errors: list[tuple[int | None, str | None, str]] = []
    errors += [(1, name, f"column {name!r} is not a template column") for name in header
               if name and name not in COLUMNS]
    errors += [(1, name, f"the header has no {name!r} column") for name in
               (*CHECK_COLUMNS, "claim_pcn") if name not in header]
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            errors.append((number, None, f"{len(cells)} cells, the header has {len(header)}"))
        values = {name: cells[i].strip() if i < len(cells) else ""
                  for i, name in enumerate(header) if name in COLUMNS}
        rows.append(KeyedRow(number, values))
    return KeyedRows("csv", tuple(rows), tuple(errors))


def _json_rows(text: str) -> KeyedRows:
    try:
        document = json.loads(text, parse_float=str, parse_int=str)
    except json.JSONDecodeError as exc:
        message = f"not JSON: {exc.msg} (line {exc.lineno})"
        return KeyedRows("json", (), ((exc.lineno, None, message),))
    checks = document.get("checks") if isinstance(document, dict) else None
    if not isinstance(checks, list):
        return KeyedRows("json", (), ((None, "checks", "the document has no 'checks' list"),))
    flat: list[tuple[dict[str, str], dict[str, str]]] = []
    errors: list[tuple[int | None, str | None, str]] = []
    for i, check in enumerate(checks):
        for found in _check_rows(check, f"checks[{i}]"):
            if isinstance(found, str):
                errors.append((None, None, found))
            else:
                flat.append(found)
    rows = tuple(KeyedRow(n, values, paths) for n, (values, paths) in enumerate(flat, start=1))
    return KeyedRows("json", rows, tuple(errors))


_Flat = tuple[dict[str, str], dict[str, str]]


def _check_rows(check: Any, path: str) -> Iterator[_Flat | str]:
    if not isinstance(check, dict):
        yield f"{path} is not an object"
        return
    base = _fields(check, {c: c for c in CHECK_COLUMNS}, path)
    for j, claim in enumerate(_list(check, "claims")):
        where = f"{path}.claims[{j}]"
        if not isinstance(claim, dict):
            yield f"{where} is not an object"
            continue
        claim_base = _merge(base, _fields(claim, JSON_CLAIM, where))
        lines = _list(claim, "lines") or [{}]
        for k, line in enumerate(lines):
            if isinstance(line, dict) and len(_list(line, "adjustments")) > ADJUSTMENT_SLOTS:
                yield (f"{where}.lines[{k}].adjustments: more than {ADJUSTMENT_SLOTS} "
                       "adjustments on one line")
            yield _merge(claim_base, _line_fields(line, f"{where}.lines[{k}]"))
    for k, plb in enumerate(_list(check, "plb")):
        plb_fields = _fields(plb if isinstance(plb, dict) else {}, JSON_PLB, f"{path}.plb[{k}]")
        kind = ({"record": RowKind.PLB.value}, {"record": f"{path}.plb[{k}]"})
        yield _merge(_merge(base, kind), plb_fields)


def _line_fields(line: Any, path: str) -> _Flat:
    if not isinstance(line, dict):
        return {}, {}
    found = _fields(line, JSON_LINE, path)
    for n, adjustment in enumerate(_list(line, "adjustments")[:ADJUSTMENT_SLOTS], start=1):
        columns = adjustment_columns(n)
        names = {key: columns[index] for key, index in JSON_ADJUSTMENT.items()}
        found = _merge(found, _fields(adjustment if isinstance(adjustment, dict) else {}, names,
                                      f"{path}.adjustments[{n - 1}]"))
    return found


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _fields(obj: dict[str, Any], names: dict[str, str], path: str) -> _Flat:
    values: dict[str, str] = {}
    paths: dict[str, str] = {}
    for key, column in names.items():
        value = obj.get(key)
        if isinstance(value, list):
            value = ":".join(str(v) for v in value)  # modifiers or remarks as a list
        values[column] = "" if value is None else str(value).strip()
        paths[column] = f"{path}.{key}"
    return values, paths


def _merge(a: _Flat, b: _Flat) -> _Flat:
    return {**a[0], **b[0]}, {**a[1], **b[1]}
