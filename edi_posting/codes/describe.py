"""Descriptions beside codes in documents the CLI prints (``parse --describe``, ``claim
show``, ``queue show``): the codes stay as sent, a ``*_description`` key is added.

Documents are the JSON shapes of :mod:`edi_posting.cli.parse` (remittances, claims,
lines, adjustments, PLB) and the evidence of review items; a key this module does not
know is left alone, and an unknown code gets ``None`` (never an error: output must not
fail because a code is missing from a list).
"""

from __future__ import annotations

from typing import Any

from edi_posting.codes import CodeListName, describe

__all__ = ["describe_adjustment", "describe_remittance_document", "remark_descriptions"]


def describe_remittance_document(document: dict[str, Any]) -> dict[str, Any]:
    """``parse`` output for one 835 file with descriptions beside its codes (in place)."""
    for remittance in document.get("remittances", []):
        for claim in remittance.get("claims", []):
            _describe_claim(claim)
        for plb in remittance.get("provider_adjustments", []):
            plb["reason_description"] = describe(CodeListName.PLB_REASON, plb.get("reason"))
    return document


def describe_adjustment(adjustment: dict[str, Any]) -> dict[str, Any]:
    """``{"group", "reason", ...}`` with ``group_description`` and ``reason_description``."""
    adjustment["group_description"] = describe(CodeListName.GROUP, adjustment.get("group"))
    adjustment["reason_description"] = describe(CodeListName.CARC, adjustment.get("reason"))
    return adjustment


def remark_descriptions(codes: list[str]) -> dict[str, str | None]:
    """RARC -> description, for a list of remark codes."""
    return {code: describe(CodeListName.RARC, code) for code in codes}


def _describe_claim(claim: dict[str, Any]) -> None:
    claim["status_description"] = describe(CodeListName.CLAIM_STATUS, claim.get("status_code"))
    for adjustment in claim.get("adjustments", []):
        describe_adjustment(adjustment)
    claim["remark_code_descriptions"] = remark_descriptions(list(claim.get("remark_codes", [])))
    for line in claim.get("service_lines", []):
        for adjustment in line.get("adjustments", []):
            describe_adjustment(adjustment)
        for remark in line.get("remark_codes", []):
            is_rarc = remark.get("qualifier") == "HE"
            remark["description"] = describe(CodeListName.RARC, remark["code"]) if is_rarc else None
