"""`parse --format table` for 837 files: one row per transaction set of the documents
:func:`edi_posting.parse_file` gives."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from edi_posting.money import format_cents, parse_amount, to_cents

__all__ = ["CLAIM_SUMMARY_COLUMNS", "claim_summary_rows"]

CLAIM_SUMMARY_COLUMNS = ("file", "kind", "control_number", "billing_provider", "payer",
                         "claims", "total_charge", "errors", "warnings")


def claim_summary_rows(documents: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """One table row per 837 transaction set (``parse --format table``)."""
    for document in documents:
        by_set: dict[str | None, list[dict[str, Any]]] = {}
        for claim in document["claims"]:
            by_set.setdefault(claim["source"]["transaction_set_control_number"], []).append(claim)
        for control_number, claims in by_set.items():
            severities = [p["severity"] for c in claims for p in c["problems"]]
            first = claims[0]
            yield {
                "file": Path(document["file"]).name, "kind": document["kind"],
                "control_number": control_number,
                "billing_provider": first["billing_provider"]["name"],
                "payer": (first["payer"] or {}).get("name"), "claims": len(claims),
                "total_charge": format_cents(sum(to_cents(parse_amount(c["total_charge"])) for c in claims)),
                "errors": sum(s in ("ERROR", "FATAL") for s in severities),
                "warnings": severities.count("WARNING"),
            }
