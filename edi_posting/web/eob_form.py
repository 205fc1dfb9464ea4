"""The EOB form's state: the template's JSON document of one check, as the form shows it
(rows added but not yet keyed kept, so that the keyer sees them), and the "add" buttons.

The names and the nesting are the template's (``edi_posting.keyed_eob_form``'s layout),
so what the form submits is read by ``edi_posting.keyed_eob_document`` into exactly the
document a keyer would have written in the JSON template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import edi_posting

__all__ = ["blank_check", "form_check"]

Layout = edi_posting.KeyedEobLayout


def _blank(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: "" for name in names}


def blank_line(layout: Layout) -> dict[str, Any]:
    return _blank(layout.line) | {"adjustments": [_blank(layout.adjustment)]}


def blank_claim(layout: Layout) -> dict[str, Any]:
    return _blank(layout.claim) | {"lines": [blank_line(layout)]}


def blank_check(layout: Layout) -> dict[str, Any]:
    """A new EOB: one claim with one line with one adjustment, no PLB yet."""
    return _blank(layout.check) | {"claims": [blank_claim(layout)], "plb": []}


def form_check(layout: Layout, fields: Mapping[str, str]) -> dict[str, Any]:
    """The check as submitted, every row kept, with the row an "add" button asked for
    (``claim``, ``plb``, ``line:C``, ``adjustment:C:L``; anything else adds nothing)."""
    check: dict[str, Any] = edi_posting.keyed_eob_document(fields, keep_empty=True)[
        "checks"][0]
    if not check["claims"]:
        check["claims"].append(blank_claim(layout))
    _add(layout, check, fields.get("add", ""))
    return check


def _add(layout: Layout, check: dict[str, Any], what: str) -> None:
    kind, *at = what.split(":")
    try:
        index = [int(i) for i in at]
    except ValueError:
        return
    claims = check["claims"]
    if kind == "claim" and not index:
        claims.append(blank_claim(layout))
    elif kind == "plb" and not index:
        check["plb"].append(_blank(layout.plb))
    elif kind == "line" and len(index) == 1 and 0 <= index[0] < len(claims):
        claims[index[0]]["lines"].append(blank_line(layout))
    elif kind == "adjustment" and len(index) == 2 and 0 <= index[0] < len(claims):
        lines = claims[index[0]]["lines"]
        if 0 <= index[1] < len(lines) and \
                len(lines[index[1]]["adjustments"]) < layout.adjustment_slots:
            lines[index[1]]["adjustments"].append(_blank(layout.adjustment))
