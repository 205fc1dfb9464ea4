"""Descriptions beside codes in documents the CLI prints (``parse --describe``, ``claim
show``, ``queue show``): the codes stay as sent, a ``*_description`` key is added.

Documents are the JSON shapes of :mod:`edi_posting.api.documents` (remittances, claims,
lines, adjustments, PLB) and the evidence of review items; a key this module does not
know is left alone, and an unknown code gets ``None`` (never an error: output must not
fail because a code is missing from a list).
"""

from __future__ import annotations

import re
from typing import Any

from edi_posting.codes.loader import CodeListError, load_list
from edi_posting.codes.records import CodeListName

__all__ = ["describe_adjustment", "describe_code", "describe_evidence", "describe_remittance_document",
           "remark_descriptions"]


def describe_remittance_document(document: dict[str, Any]) -> dict[str, Any]:
    """``parse`` output for one 835 file with descriptions beside its codes (in place)."""
    for remittance in document.get("remittances", []):
        for claim in remittance.get("claims", []):
            _describe_claim(claim)
        for plb in remittance.get("provider_adjustments", []):
            plb["reason_description"] = describe_code(CodeListName.PLB_REASON, plb.get("reason"))
    return document


def describe_adjustment(adjustment: dict[str, Any]) -> dict[str, Any]:
    """``{"group", "reason", ...}`` with ``group_description`` and ``reason_description``."""
    adjustment["group_description"] = describe_code(CodeListName.GROUP, adjustment.get("group"))
    adjustment["reason_description"] = describe_code(CodeListName.CARC, adjustment.get("reason"))
    return adjustment


def remark_descriptions(codes: list[str]) -> dict[str, str | None]:
    """RARC -> description, for a list of remark codes."""
    return {code: describe_code(CodeListName.RARC, code) for code in codes}


def _describe_claim(claim: dict[str, Any]) -> None:
    claim["status_description"] = describe_code(CodeListName.CLAIM_STATUS, claim.get("status_code"))
    for adjustment in claim.get("adjustments", []):
        describe_adjustment(adjustment)
    claim["remark_code_descriptions"] = remark_descriptions(list(claim.get("remark_codes", [])))
    for line in claim.get("service_lines", []):
        for adjustment in line.get("adjustments", []):
            describe_adjustment(adjustment)
        for remark in line.get("remark_codes", []):
            is_rarc = remark.get("qualifier") == "HE"
            remark["description"] = describe_code(CodeListName.RARC, remark["code"]) if is_rarc else None


_CARC = re.compile(r"^[A-Z0-9]{1,3}$")  # not a specialist's reason ("small-balance")
_CARC_KEYS = ("carc", "reason_code")  # evidence adjustments; journal lines
_RARC_LIST_KEYS = ("rarcs", "claim_rarcs", "remark_codes")


def describe_evidence(value: Any) -> list[dict[str, str | None]]:
    """Add descriptions beside every CARC/RARC (and group code) found in ``value`` (review
    item evidence, claim detail rows), in place; the distinct codes found, in order, as
    ``{"list", "code", "description"}`` for a codes section."""
    found: dict[tuple[str, str], str | None] = {}
    _walk(value, found)
    return [{"list": name, "code": code, "description": text}
            for (name, code), text in found.items()]


def _walk(value: Any, found: dict[tuple[str, str], str | None]) -> None:
    if isinstance(value, list):
        for item in value:
            _walk(item, found)
        return
    if not isinstance(value, dict):
        return
    for key, item in list(value.items()):
        carc = item.split("-")[-1] if isinstance(item, str) else ""  # "CO-45" as well
        if key in _CARC_KEYS and _CARC.match(carc):
            value[f"{key.removesuffix('_code')}_description"] = _note(
                found, CodeListName.CARC, carc)
        elif key in _RARC_LIST_KEYS and isinstance(item, list) and all(
                isinstance(c, str) for c in item):
            value[f"{key}_descriptions"] = {c: _note(found, CodeListName.RARC, c) for c in item}
        elif key in ("group", "group_code") and isinstance(item, str) and item and (
                "carc" in value or "reason_code" in value):
            value["group_description"] = describe_code(CodeListName.GROUP, item)
        else:
            _walk(item, found)


def _note(found: dict[tuple[str, str], str | None], name: CodeListName, code: str
          ) -> str | None:
    text = describe_code(name, code)
    found[(name.value, code)] = text
    return text

def describe_code(name: CodeListName, code: str | None) -> str | None:
    """The description of ``code`` in list ``name`` (None when unknown or not shipped);
    never raises, so output that adds descriptions never fails because of a list."""
    if not code:
        return None
    try:
        return load_list(name).description(code)
    except CodeListError:
        return None
