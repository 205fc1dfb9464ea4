"""Keying a paper EOB in the workbench: the template's fields as a form, the form back into
the template's JSON document, and that document checked by the importer's own reader.

Why here and not in the web layer: the form must produce exactly the record the template
file produces, so the names come from the template (:mod:`edi_posting.keyed.template`),
the document is read by :func:`~edi_posting.keyed.reader.read_keyed_file` and checked by
:func:`~edi_posting.importing.keyed_eobs.checked_keyed_file`, the two functions ``import``
runs; balancing is the 835's, carried on the records.  Nothing of the rules is copied.
Posting is ``import_files`` of the saved document (:func:`keyed_eob_file`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from edi_posting.access.permissions import Permission
from edi_posting.api.session import Session
from edi_posting.api.web_eob_balance import KeyedEobCheck, balance_of
from edi_posting.importing.keyed_eobs import checked_keyed_file
from edi_posting.keyed.reader import read_keyed_file
from edi_posting.keyed.rows import read_rows
from edi_posting.keyed.template import ADJUSTMENT_SLOTS, JSON_FORMAT, KeyedMethod, json_skeleton
from edi_posting.records.source import SourceRef

__all__ = ["KeyedEobLayout", "check_keyed_eob", "keyed_eob_document", "keyed_eob_file",
           "keyed_eob_form"]

_PART = re.compile(r"^([a-z_]+)(?:\[(\d{1,3})\])?$")
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class KeyedEobLayout:
    """The template's JSON names, level by level (a form field is named by its path:
    ``claims[0].lines[1].adjustments[0].carc``), and the payment methods."""

    check: tuple[str, ...]
    claim: tuple[str, ...]
    line: tuple[str, ...]
    adjustment: tuple[str, ...]
    plb: tuple[str, ...]
    methods: tuple[str, ...]
    adjustment_slots: int


def _layout() -> KeyedEobLayout:
    check = json_skeleton()["checks"][0]
    claim, plb = check["claims"][0], check["plb"][0]
    line = claim["lines"][0]
    return KeyedEobLayout(
        tuple(k for k in check if k not in ("claims", "plb")),
        tuple(k for k in claim if k != "lines"), tuple(k for k in line if k != "adjustments"),
        tuple(line["adjustments"][0]), tuple(plb), tuple(m.value for m in KeyedMethod),
        ADJUSTMENT_SLOTS)


LAYOUT = _layout()
#: what each level of the document may hold: its fields and its lists
_LEVELS: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "check": (LAYOUT.check, {"claims": "claim", "plb": "plb"}),
    "claim": (LAYOUT.claim, {"lines": "line"}),
    "line": (LAYOUT.line, {"adjustments": "adjustment"}),
    "adjustment": (LAYOUT.adjustment, {}),
    "plb": (LAYOUT.plb, {}),
}


def keyed_eob_form(session: Session) -> KeyedEobLayout:
    """The form's layout for a user who may import (keying is importing): ``import``."""
    principal = session.authorize(Permission.IMPORT, "eob.form")
    session.audit("eob.form", role=principal.role, object_type="keyed_eob")
    return LAYOUT


def keyed_eob_document(fields: Mapping[str, str], *, keep_empty: bool = False
                       ) -> dict[str, Any]:
    """A submitted form (field name = the value's path in one check, as the template's
    JSON names it) -> the template's JSON document with that one check.  Unknown names
    are ignored; rows left wholly empty (an added line never filled) are dropped unless
    ``keep_empty`` (the form redrawn as it was); values stay text, exactly as keyed (the
    reader reads them as the file's)."""
    check: dict[str, Any] = {}
    for name, value in fields.items():
        _place(check, "check", name.split("."), str(value).strip())
    document = _complete(check, "check", keep_empty)
    return {"format": JSON_FORMAT, "checks": [document]}


def _place(node: dict[str, Any], level: str, parts: list[str], value: str) -> None:
    found = _PART.match(parts[0]) if parts else None
    if found is None:
        return
    key, index = found.group(1), found.group(2)
    names, lists = _LEVELS[level]
    if index is None and len(parts) == 1 and key in names:
        node[key] = value
    elif index is not None and key in lists and len(parts) > 1:
        child = node.setdefault(key, {}).setdefault(int(index), {})
        _place(child, lists[key], parts[1:], value)


def _complete(node: dict[str, Any], level: str, keep_empty: bool) -> dict[str, Any]:
    """Every field of the level present (empty when not keyed), lists in index order."""
    names, lists = _LEVELS[level]
    done: dict[str, Any] = {name: node.get(name, "") for name in names}
    for key, child in lists.items():
        found = node.get(key, {})
        items = [_complete(found[i], child, keep_empty) for i in sorted(found)]
        done[key] = [item for item in items if keep_empty or not _empty(item)]
    return done


def _empty(node: dict[str, Any]) -> bool:
    return not any(node.values())


def keyed_eob_file(document: dict[str, Any]) -> tuple[str, bytes]:
    """The file the form is saved as, and imported from (the archived evidence): its name
    (the check number and the content's SHA-256, so the same document keeps one name) and
    its bytes."""
    data = (json.dumps(document, indent=2) + "\n").encode()
    checks = document.get("checks") or [{}]
    number = _SAFE.sub("-", str(checks[0].get("check_number", "")))[:35].strip("-")
    return f"eob-{number or 'unnumbered'}-{hashlib.sha256(data).hexdigest()[:12]}.json", data


def check_keyed_eob(session: Session, document: dict[str, Any]) -> KeyedEobCheck:
    """What ``import`` would find in ``document``, before anything is saved: every row's
    problem and each unknown payer (the importer's own checks), each claim whose PCN no
    billed claim has (a warning: posting would try member and name, else queue it), and the
    835 balancing of each line, claim and the check.  Authorised ``import``, audited."""
    principal = session.authorize(Permission.IMPORT, "eob.check")
    name, data = keyed_eob_file(document)
    sha256 = hashlib.sha256(data).hexdigest()
    keyed = read_keyed_file(data, sha256, name, session.actor)
    source = SourceRef(sha256, name, keyed_by=session.actor)
    with session.reading() as conn:
        payers, problems = checked_keyed_file(conn, keyed, source)
        result = balance_of(conn, keyed, read_rows(data).rows, payers, problems, source)
    session.audit("eob.check", role=principal.role, object_type="keyed_eob", object_id=name,
                  summary={"claims": len(result.claims), "problems": len(result.problems)})
    return result
